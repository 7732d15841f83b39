"""The HTTP API: the JSON routes under ``/api`` (:data:`router`) and their error answers.

Reads are open; writes need ``Authorization: Bearer TOKEN`` with the right
scope (tokens from ``diplowatch token create``). Every error is a JSON
``{"detail": "..."}`` with a 4xx status; the OpenAPI schema (``/openapi.json``)
is made from the response models the routes really return.

The API knows nothing of the dashboard: :func:`diplowatch.web.create_app` puts
the web app together from this router, the dashboard's router and the static
files, and sets the state the routes read from ``request.app.state``: ``kb``
(the :class:`KnowledgeBase`), ``writer`` (its :class:`~diplowatch.write.Writer`),
``settings`` (:class:`ApiSettings`), ``pipeline``
(:class:`~diplowatch.api.ingest.Pipeline`) and ``limiter``
(:class:`~diplowatch.api.security.RateLimiter`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from diplowatch.api import ingest as ingest_mod
from diplowatch.api import views
from diplowatch.api.models import (
    ActorDetailOut, ChangesOut, ErrorOut, EventDetailOut, EventPageOut, IngestOut, IsoDate, MapOut,
    RecognitionsOut, TimelineCountsOut, TimelineOut,
)
from diplowatch.api.security import JsonShapeError
from diplowatch.api.settings import ApiSettings
from diplowatch.errors import Cancelled, DiplowatchError
from diplowatch.ontology import EVENT_TYPES
from diplowatch.state import TargetStatus
from diplowatch.store import KnowledgeBase, queries
from diplowatch.store.tokens import ApiToken, verify_token
from diplowatch.write import Writer

log = logging.getLogger(__name__)

__all__ = ["ApiError", "HtmlErrorPage", "add_error_handlers", "require_scope", "router"]

router = APIRouter()
"""Every route under ``/api`` (the OpenAPI schema is made from them)."""

HtmlErrorPage = Callable[[Request, int, str, "dict[str, str] | None"], Response]
"""Renders an error as an HTML page: ``(request, status, detail, headers) -> Response``."""

_bearer = HTTPBearer(auto_error=False, description="A token from `diplowatch token create --scope ingest`.")
_TEXT = r"^[^\x00-\x1f\x7f]*$"
EventType = Literal[tuple(sorted(EVENT_TYPES))]  # type: ignore[valid-type]


class ApiError(Exception):
    """An error answer: HTTP ``status`` with ``{"detail": detail}`` and optional headers."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    words = {400: "Malformed request", 401: "No valid bearer token", 403: "Token lacks the scope",
             404: "Not found", 413: "Body too large", 415: "Unsupported Content-Type",
             422: "Invalid input", 429: "Rate limit exceeded (see Retry-After)",
             503: "Not done within the server's time limit (nothing stored), or the knowledge base cannot answer"}
    return {c: {"model": ErrorOut, "description": words[c]} for c in codes}


def _kb(request: Request) -> KnowledgeBase:
    return request.app.state.kb


def _writer(request: Request) -> Writer:
    return request.app.state.writer


def require_scope(scope: str) -> Any:
    """A dependency: the caller's valid token with ``scope`` (401 without or invalid, 403 without the scope, 429)."""

    def check(request: Request,
              creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> ApiToken:
        if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
            raise ApiError(401, "this request needs an Authorization: Bearer TOKEN header",
                           {"WWW-Authenticate": "Bearer"})
        token = verify_token(_kb(request), creds.credentials.strip())
        if token is None:
            raise ApiError(401, "invalid or revoked token", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if scope not in token.scopes:
            raise ApiError(403, f"this token lacks the {scope!r} scope",
                           {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'})
        wait = request.app.state.limiter.take(token.id)
        if wait:
            raise ApiError(429, f"rate limit exceeded for this token; retry in {wait} s", {"Retry-After": str(wait)})
        return token

    return check


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api", "/static", "/openapi"))


def add_error_handlers(app: FastAPI, html: HtmlErrorPage | None = None) -> None:
    """Answer every error of ``app`` as ``{"detail": ...}`` with its status (503 for a store failure).

    Args:
        app: the web app.
        html: renders the errors of the paths that are not ``/api``, ``/static`` or
            ``/openapi`` (the dashboard's pages) as HTML; ``None``: JSON everywhere.
    """

    def answer(request: Request, status: int, detail: str, headers: dict[str, str] | None = None,
               errors: list[dict[str, str]] | None = None) -> Any:
        if html is not None and _wants_html(request):
            return html(request, status, detail, headers)
        detail = detail.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate as \\ud83d
        body: dict[str, Any] = {"detail": detail}
        if errors is not None:
            body["errors"] = errors
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Any:
        return answer(request, exc.status, exc.detail, exc.headers)

    @app.exception_handler(views.NotFoundError)
    async def _not_found(request: Request, exc: views.NotFoundError) -> Any:
        return answer(request, 404, str(exc.args[0]) if exc.args else "not found")

    @app.exception_handler(views.BadRequestError)
    async def _bad(request: Request, exc: views.BadRequestError) -> Any:
        return answer(request, 422, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
        return answer(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Any:
        errors = []
        for e in exc.errors():
            loc = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "path", "body"))
            errors.append({"loc": loc, "msg": str(e.get("msg", ""))})
        detail = "; ".join(f"{e['loc']}: {e['msg']}" if e["loc"] else e["msg"] for e in errors) or "invalid input"
        return answer(request, 422, detail, errors=errors)

    @app.exception_handler(DiplowatchError)
    async def _diplowatch(request: Request, exc: DiplowatchError) -> Any:
        log.error("store error: %s", exc)
        return answer(request, 503, f"the knowledge base cannot answer: {exc}")


Limit = Annotated[int, Query(ge=1, le=queries.MAX_LIMIT, description="Page size (at most 500).")]
Code = Annotated[str, Path(min_length=1, max_length=255, pattern=_TEXT,
                           description="ISO 3166-1 alpha-3 code, actor id (AFG:taliban) or state name.")]
AsOf = Annotated[IsoDate | None, Query(description="Relation state as of this day (YYYY-MM-DD).")]


@router.get("/api/events", response_model=EventPageOut, tags=["events"], responses=_errors(422))
def list_events(
    request: Request,
    actor: Annotated[str | None, Query(max_length=255, pattern=_TEXT,
                                       description="ISO3 code or actor id, as source or target.")] = None,
    event: Annotated[EventType | None, Query(description="Event type.")] = None,
    polarity: Literal["asserted", "negated", "hypothetical"] | None = None,
    since: Annotated[IsoDate | None, Query(description="Effective date on or after (YYYY-MM-DD).")] = None,
    until: Annotated[IsoDate | None, Query(description="Effective date on or before (YYYY-MM-DD).")] = None,
    q: Annotated[str | None, Query(max_length=200, pattern=_TEXT,
                                   description="Text the evidence contains (case-insensitive).")] = None,
    cursor: Annotated[str | None, Query(max_length=1024, pattern=_TEXT,
                                        description="next_cursor of the previous page.")] = None,
    limit: Limit = 50,
) -> EventPageOut:
    """Stored events matching every filter, newest first, with cursor pagination."""
    flt = queries.EventFilter(actor=actor or None, event=event, polarity=polarity, since=since, until=until,
                              q=q or None)
    return views.events_page(_kb(request), flt, limit, cursor)


@router.get("/api/events/{event_id}", response_model=EventDetailOut, tags=["events"], responses=_errors(404, 422))
def get_event(request: Request, event_id: Annotated[str, Path(max_length=255, pattern=_TEXT)]) -> EventDetailOut:
    """One event with its evidence in context, its article and every source reporting it."""
    return views.event_detail(_kb(request), event_id)


@router.get("/api/actors/{actor_id}", response_model=ActorDetailOut, tags=["actors"], responses=_errors(404, 422))
def get_actor(request: Request, actor_id: Annotated[str, Path(max_length=255, pattern=_TEXT)]) -> ActorDetailOut:
    """An actor of the gazetteer with the relations of others towards it and its own."""
    return views.actor_detail(_kb(request), actor_id)


@router.get("/api/relations/{target}", response_model=TargetStatus, tags=["relations"], responses=_errors(404, 422))
def get_relations(request: Request, target: Code, as_of: AsOf = None) -> TargetStatus:
    """Relation state of every observer towards the target as of a date (DESIGN §5)."""
    return views.relations_view(_kb(request), target, as_of)


@router.get("/api/recognitions/{target}", response_model=RecognitionsOut, tags=["relations"],
            responses=_errors(404, 422))
def get_recognitions(request: Request, target: Code, as_of: AsOf = None) -> RecognitionsOut:
    """Who formally recognises the target as of a date, earliest first."""
    return views.recognitions_view(_kb(request), target, as_of)


@router.get("/api/changes", response_model=ChangesOut, tags=["relations"], responses=_errors(404, 422))
def get_changes(
    request: Request,
    since: Annotated[IsoDate | None, Query(description="First day (YYYY-MM-DD).")] = None,
    until: Annotated[IsoDate | None, Query(description="Last day (YYYY-MM-DD).")] = None,
    target: Annotated[str | None, Query(max_length=255, pattern=_TEXT,
                                        description="Only changes towards this state.")] = None,
) -> ChangesOut:
    """Every state transition between two dates: recognitions, ambassadors, missions, relations, listings."""
    return views.changes_view(_kb(request), since, until, target or None)


@router.get("/api/timeline/{actor}", response_model=TimelineOut, tags=["events"], responses=_errors(404, 422))
def get_timeline(
    request: Request, actor: Code,
    other: Annotated[str | None, Query(alias="with", max_length=255, pattern=_TEXT,
                                       description="Only events with this other party (a dyad).")] = None,
) -> TimelineOut:
    """Every stored event of an actor (or a dyad), in date order."""
    return views.timeline_view(_kb(request), actor, other or None)


@router.get("/api/timeline/{actor}/counts", response_model=TimelineCountsOut, tags=["events"],
            responses=_errors(404, 422))
def get_timeline_counts(
    request: Request, actor: Code,
    other: Annotated[str | None, Query(alias="with", max_length=255, pattern=_TEXT,
                                       description="Only events with this other party (a dyad).")] = None,
    by: Annotated[Literal["month", "year"], Query(description="Bin size.")] = "month",
    span: Annotated[Literal["busy", "all"], Query(description="busy: from the start of the busy span of dates "
                                                              "(the earlier events counted apart); all: every period.")
                    ] = "busy",
) -> TimelineCountsOut:
    """Asserted real-world events of an actor (or a dyad) per month or year, by event family: the timeline chart."""
    return views.timeline_counts(_kb(request), actor, other or None, by, span)


@router.get("/api/map", response_model=MapOut, tags=["dashboard"], responses=_errors(404, 422))
def get_map(
    request: Request,
    target: Annotated[str | None, Query(max_length=255, pattern=_TEXT,
                                        description="Target; default: that of the latest recognition.")] = None,
    as_of: AsOf = None,
) -> MapOut:
    """Each state's relation to the target as of a date: the map page's data."""
    return views.map_view(_kb(request), target or None, as_of)


ingest_body = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {
                "type": "object",
                "properties": {name: {"type": ["string", "null"]} for name in ingest_mod._FIELDS},
                "description": "One article (text), or a URL to fetch (url, no text)."}},
            "text/plain": {"schema": {"type": "string", "description": "The article text."}},
            "application/x-ndjson": {"schema": {"type": "string",
                                                "description": "JSON Lines: one article object per line."}},
        },
    },
}


@router.post("/api/ingest", response_model=IngestOut, status_code=201, tags=["write"], openapi_extra=ingest_body,
             responses={200: {"model": IngestOut, "description": "Everything was already stored"},
                        **_errors(400, 401, 403, 413, 415, 422, 429, 503)})
async def post_ingest(
    request: Request,
    token: Annotated[ApiToken, Depends(require_scope("ingest"))],
    id: Annotated[str | None, Query(max_length=255, pattern=_TEXT, description="Article id (text bodies).")] = None,
    title: Annotated[str | None, Query(max_length=2000, description="Headline (text bodies).")] = None,
    url: Annotated[str | None, Query(max_length=2000, pattern=_TEXT, description="Source URL (text bodies).")] = None,
    published: Annotated[str | None, Query(max_length=40, description="Publication date YYYY-MM-DD.")] = None,
) -> Any:
    """Extract events from an article (text, a URL to fetch, or JSON Lines) and store both (idempotent).

    201 with the article and event ids when something new was stored; 200
    with the stored ids when everything was already stored; 503 when the
    analysis did not finish within the server's time limit
    (``ApiSettings.ingest_time_limit``), and then nothing of the request is
    written. The analysis runs off the event loop in a bounded pool of
    extractors (``ApiSettings.ingest_workers``) and is abandoned when the
    limit passes or the client disconnects.
    """
    body = await request.body()
    settings: ApiSettings = request.app.state.settings
    params = {"id": id, "title": title, "url": url, "published": published}
    limit = settings.ingest_time_limit
    deadline = None if limit is None else time.monotonic() + limit
    gone = threading.Event()

    def cancelled() -> bool:
        return gone.is_set() or (deadline is not None and time.monotonic() > deadline)

    watcher = asyncio.create_task(_watch_disconnect(request, gone))
    try:
        parsed = ingest_mod.parse_body(request.headers.get("content-type", ""), body, params, settings)
        if parsed.url is not None:
            parsed.articles = [(None, a) for a in await run_in_threadpool(
                ingest_mod.fetch_articles, parsed.url, parsed.published, settings.max_batch)]
        out, created = await run_in_threadpool(ingest_mod.store_articles, _writer(request),
                                               request.app.state.pipeline, parsed, f"api:{token.id}", cancelled)
    except ingest_mod.UnsupportedMediaError as exc:
        raise ApiError(415, str(exc)) from None
    except (ingest_mod.IngestRequestError, JsonShapeError) as exc:
        raise ApiError(422, str(exc)) from None
    except Cancelled as exc:
        if gone.is_set():
            log.warning("ingest by token %s abandoned, nothing stored: the client went away (%s)", token.id, exc)
            raise ApiError(503, f"the client went away; nothing was stored ({exc})") from None
        log.warning("ingest by token %s abandoned, nothing stored: time limit of %g s passed (%s)",
                    token.id, limit, exc)
        raise ApiError(503, f"the analysis did not finish within this server's time limit of {limit:g} s "
                            f"({exc}); nothing was stored. Send long articles one by one, or in pieces") from None
    finally:
        gone.set()  # also stops the watcher
        watcher.cancel()
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if created else 200)


async def _watch_disconnect(request: Request, gone: threading.Event, every: float = 0.2) -> None:
    """Set ``gone`` when the client of ``request`` disconnects (polled every ``every`` seconds) or it is set."""
    while not gone.is_set():
        if await request.is_disconnected():
            gone.set()
            return
        await asyncio.sleep(every)
