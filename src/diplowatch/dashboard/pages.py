"""Dashboard pages: each renders the model its JSON twin under ``/api`` returns, from the same view function.

======================  ===============================
page                    JSON twin
======================  ===============================
``/``                   ``/api/map``
``/events``             ``/api/events``
``/events/{id}``        ``/api/events/{id}``
``/actors/{id}``        ``/api/actors/{id}``
``/relations/{target}`` ``/api/relations/{target}`` (+ ``/api/recognitions/{target}``)
``/timeline/{actor}``   ``/api/timeline/{actor}`` (+ ``/api/timeline/{actor}/counts``)
``/changes``            ``/api/changes``
======================  ===============================

The pages are :data:`router`; :func:`diplowatch.web.create_app` serves them
with the API. Templates are Jinja2 with autoescaping on; article text is only ever inserted
as escaped text, and only ``http``/``https`` URLs become links
(:func:`safe_href`). No inline script or style: the Content-Security-Policy
forbids both.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import urlencode, urlsplit

import jinja2
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from diplowatch.api import views
from diplowatch.ontology import EVENT_TYPES
from diplowatch.api.models import IsoDate
from diplowatch.store import KnowledgeBase, queries

__all__ = ["error_page", "render", "router", "safe_href"]

router = APIRouter(include_in_schema=False)
_TEXT = r"^[^\x00-\x1f\x7f]*$"

_env = jinja2.Environment(loader=jinja2.PackageLoader("diplowatch.dashboard", "templates"),
                          autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def safe_href(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL without control characters or spaces, else ``None``."""
    if not url or len(url) > 4000 or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7f for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _qs(**params: Any) -> str:
    kept = {k.rstrip("_"): v for k, v in params.items() if v not in (None, "")}
    return ("?" + urlencode(kept)) if kept else ""


_env.filters["safe_href"] = safe_href
_env.globals["qs"] = _qs


def render(request: Request, template: str, http_status: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    """Render a template of the dashboard to an HTML answer."""
    html = _env.get_template(template).render(request_path=request.url.path, **context)
    return HTMLResponse(html, status_code=http_status, headers=headers)


def error_page(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    """The HTML page of an error (the JSON routes answer ``{"detail": ...}`` instead)."""
    return render(request, "error.html", http_status=status, headers=headers, status_code=status, detail=detail,
                  json_url=None, title=f"Error {status}")


def _kb(request: Request) -> KnowledgeBase:
    return request.app.state.kb


@router.get("/", response_class=HTMLResponse)
def map_page(request: Request,
             target: Annotated[str | None, Query(max_length=255, pattern=_TEXT)] = None,
             as_of: IsoDate | None = None) -> HTMLResponse:
    """The world map: each state coloured by its relation to the target as of a date."""
    data = views.map_view(_kb(request), target or None, as_of)
    rows = sorted(data.states.values(), key=lambda s: ([c for c, _ in views.CATEGORIES].index(s.category), s.name))
    return render(request, "map.html", data=data, rows=rows, title="Map",
                  json_url="/api/map" + _qs(target=data.target.code if data.target else None, as_of=data.as_of))


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request,
                actor: Annotated[str | None, Query(max_length=255, pattern=_TEXT)] = None,
                event: Annotated[str | None, Query(max_length=64, pattern=_TEXT)] = None,
                polarity: Annotated[str | None, Query(max_length=16, pattern=_TEXT)] = None,
                since: IsoDate | None = None, until: IsoDate | None = None,
                q: Annotated[str | None, Query(max_length=200, pattern=_TEXT)] = None,
                cursor: Annotated[str | None, Query(max_length=1024, pattern=_TEXT)] = None,
                limit: Annotated[int, Query(ge=1, le=queries.MAX_LIMIT)] = 50) -> HTMLResponse:
    """The event list, newest first, with the evidence highlighted in its context."""
    flt = queries.EventFilter(actor=actor or None, event=event or None, polarity=polarity or None,
                              since=since, until=until, q=q or None)
    page = views.events_page(_kb(request), flt, limit, cursor)
    params = {"actor": actor, "event": event, "polarity": polarity, "since": since, "until": until, "q": q}
    nxt = "/events" + _qs(**params, limit=limit if limit != 50 else None, cursor=page.next_cursor) \
        if page.next_cursor else None
    return render(request, "events.html", page=page, params=params, next_url=nxt, title="Events",
                  event_types=list(EVENT_TYPES),
                  json_url="/api/events" + _qs(**params, cursor=cursor, limit=limit))


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, event_id: Annotated[str, Path(max_length=255, pattern=_TEXT)]) -> HTMLResponse:
    """One event: evidence in context, its article and every source."""
    detail = views.event_detail(_kb(request), event_id)
    return render(request, "event.html", d=detail, title=f"Event {detail.event.event}",
                  json_url=f"/api/events/{event_id}")


@router.get("/actors/{actor_id}", response_class=HTMLResponse)
def actor_page(request: Request, actor_id: Annotated[str, Path(max_length=255, pattern=_TEXT)]) -> HTMLResponse:
    """An actor with its relations both ways."""
    detail = views.actor_detail(_kb(request), actor_id)
    return render(request, "actor.html", d=detail, title=detail.actor.name, json_url=f"/api/actors/{actor_id}")


@router.get("/relations/{target}", response_class=HTMLResponse)
def relations_page(request: Request, target: Annotated[str, Path(max_length=255, pattern=_TEXT)],
                   as_of: IsoDate | None = None) -> HTMLResponse:
    """Relation state towards a target, with who recognises it earliest first."""
    status = views.relations_view(_kb(request), target, as_of)
    recs = views.recognitions_view(_kb(request), target, as_of)
    rows = [(code, views.categorize(obs)) for code, obs in status.observers.items()]
    return render(request, "relations.html", status=status, recs=recs, rows=rows,
                  name=views.target_name(status.target, status), title=f"Relations towards {status.target}",
                  json_url=f"/api/relations/{status.target}" + _qs(as_of=status.as_of),
                  labels=dict(views.CATEGORIES))


@router.get("/timeline/{actor}", response_class=HTMLResponse)
def timeline_page(request: Request, actor: Annotated[str, Path(max_length=255, pattern=_TEXT)],
                  other: Annotated[str | None, Query(alias="with", max_length=255, pattern=_TEXT)] = None,
                  by: Literal["month", "year"] = "month", span: Literal["busy", "all"] = "busy") -> HTMLResponse:
    """The timeline of an actor or a dyad: the chart of its events per month or year by family
    (``/api/timeline/{actor}/counts``, drawn by ``static/chart.js``), then every event."""
    tl = views.timeline_view(_kb(request), actor, other or None)
    chart_url = f"/api/timeline/{tl.actor}/counts" + _qs(with_=tl.other, by=by, span=span)
    return render(request, "timeline.html", tl=tl, title=f"Timeline of {tl.actor}", chart_url=chart_url,
                  by=by, span=span, json_url=f"/api/timeline/{tl.actor}" + _qs(with_=tl.other))


@router.get("/changes", response_class=HTMLResponse)
def changes_page(request: Request, since: IsoDate | None = None, until: IsoDate | None = None,
                 target: Annotated[str | None, Query(max_length=255, pattern=_TEXT)] = None) -> HTMLResponse:
    """State transitions between two dates."""
    ch = views.changes_view(_kb(request), since, until, target or None)
    return render(request, "changes.html", ch=ch, title="Changes",
                  json_url="/api/changes" + _qs(since=ch.since, until=ch.until, target=ch.target))
