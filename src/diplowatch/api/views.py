"""The data behind every page: one function per view, feeding both an HTML page and its JSON twin.

Each function takes an open :class:`~diplowatch.store.KnowledgeBase` and plain
arguments, and returns a response model of :mod:`diplowatch.api.models`.
Unknown targets and ids raise :class:`NotFoundError`; malformed arguments
raise :class:`BadRequestError` (the app turns them into 404 and 422).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import re
from importlib import resources
from typing import Any

import pycountry

from diplowatch.api.models import (
    ActorDetailOut, ActorOut, ChangesOut, ContextOut, DyadOut, EventDetailOut, EventOut, EventPageOut,
    FamilyOut, MapCategoryOut, MapOut, MapStateOut, RealEventOut, RecognitionsOut, SourceOut, SourceRefOut, TargetOut,
    TimelineBinOut, TimelineCountsOut, TimelineEntryOut, TimelineOut,
)
from diplowatch.model import Actor, shown_date
from diplowatch.ontology import FAMILIES, event_family
from diplowatch.state import (
    NONE, ObserverStatus, Support, TargetStatus, effective_date, recognizers, relation_state, transitions,
)
from diplowatch.store import KnowledgeBase, queries
from diplowatch.store.records import RealEvent, StoredEvent, TimelineEntry

__all__ = ["CATEGORIES", "FEATURE_NAMES", "MAP_GEOMETRY", "BadRequestError", "NotFoundError", "actor_detail",
           "categorize", "changes_view", "event_detail", "event_out", "events_page", "focus_start", "map_view",
           "recognitions_view", "relations_view", "resolve_actor", "resolve_target", "target_name", "timeline_counts",
           "timeline_view"]

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("recognized", "recognises"),
    ("accredited", "accredited its ambassador"),
    ("contacts", "contacts: holds talks or hosts its mission"),
    ("withdrawn", "withdrawn: recognition withdrawn or relations broken"),
    ("none", "none on record"),
)
"""Map categories, strongest tie first, with their legend labels."""

MAP_GEOMETRY = "static/vendor/countries-110m.json"
"""The world map's geometry (world-atlas TopoJSON), package data of :mod:`diplowatch.data`; the web app
serves it at ``/static/vendor/countries-110m.json`` (see :func:`diplowatch.web.create_app`)."""

FEATURE_NAMES: dict[str, str] = {"Kosovo": "XKX", "Somaliland": "ENT:somaliland", "N. Cyprus": "ENT:trnc"}
"""world-atlas features without an ISO numeric id, by name -> state code."""

_CONTEXT = 240
_ID = re.compile(r"^[A-Za-z0-9:_.\-]{1,255}$")


class NotFoundError(LookupError):
    """An unknown id or target (HTTP 404)."""


class BadRequestError(ValueError):
    """A malformed argument (HTTP 422)."""


# -- actors and targets --------------------------------------------------------


def _gazetteer() -> Any:
    from diplowatch.actors import Gazetteer

    return Gazetteer.default()


def resolve_target(text: str) -> str:
    """The code relation state is kept under for ``text``: an ISO3 code, an actor id, or a name.

    ``"AFG"`` stays ``"AFG"``; a known actor id (``"AFG:taliban"``, ``"ENT:somaliland"``)
    gives its state (or itself when it has none); a name, capital or
    government name ("Afghanistan", "Kabul", "Taliban") gives its state.

    Raises:
        NotFoundError: nothing of that name is known.
    """
    text = (text or "").strip()
    gaz = _gazetteer()
    if not text or len(text) > 255:
        raise NotFoundError("give a target: an ISO 3166-1 alpha-3 code, an actor id or a state name")
    if re.fullmatch(r"[A-Z]{3}", text) and gaz.is_state(text):
        return text
    if _ID.match(text) and ":" in text:
        try:
            actor = gaz.actor(text)
        except KeyError:
            actor = None
        if actor is not None:
            return actor.state or actor.id
    found = gaz.lookup(text)
    if found is not None and (found.actor.state or found.actor.kind == "state"):
        return found.actor.state or found.actor.id
    raise NotFoundError(f"unknown target {text!r}: give an ISO 3166-1 alpha-3 code, an actor id or a state name")


def resolve_actor(text: str) -> Actor:
    """The gazetteer actor for an ISO3 code or a canonical actor id (today's version).

    Raises:
        NotFoundError: no such actor.
    """
    text = (text or "").strip()
    if not _ID.match(text):
        raise NotFoundError(f"unknown actor {text[:80]!r}")
    try:
        return _gazetteer().actor(text)
    except KeyError:
        raise NotFoundError(f"unknown actor {text!r}: give an ISO3 code or an actor id such as AFG:taliban") from None


def target_name(code: str, status: TargetStatus | None = None) -> str:
    """Display name of a target code, following what its recognitions are about.

    The actor of the latest recognition event towards the target in ``status``
    (by effective date, then publication date): the state for
    ``recognize_state`` ("Palestine"), the government for
    ``recognize_government`` ("Taliban-led government of Afghanistan"). Without
    any recognition event: the state's (or actor's) own name; the code itself
    when the gazetteer does not know it.
    """
    supports = [s for o in status.observers.values() for s in o.recognition.events if s.target_id] if status else []
    if supports:
        latest = max(supports, key=lambda s: (s.effective or "", s.published or "", s.event_id))
        return _name(latest.target_id or code)
    return _name(code)


def _name(code: str) -> str:
    try:
        return _gazetteer().actor(code).name
    except KeyError:
        return code


# -- events --------------------------------------------------------------------


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def event_out(e: StoredEvent, effective: str | None = None) -> EventOut:
    """The JSON of a stored event (DESIGN §2 plus effective date, article date and URL)."""
    if effective is None:
        eff = effective_date(e, e.published)
        effective = eff.isoformat() if eff else None
    return EventOut(**e.to_dict(), effective=effective, date_shown=shown_date(e.date, e.published),
                    published=_iso(e.published), url=e.url)


def events_page(kb: KnowledgeBase, flt: queries.EventFilter, limit: int, cursor: str | None) -> EventPageOut:
    """One page of events matching ``flt`` (see :func:`diplowatch.store.queries.list_events`).

    Raises:
        BadRequestError: a malformed cursor.
    """
    try:
        page = queries.list_events(kb, flt, limit=limit, cursor=cursor)
    except queries.InvalidCursorError as exc:
        raise BadRequestError(str(exc)) from None
    arts = queries.articles(kb, [e.doc for e in page.items])
    items = []
    for e, eff in zip(page.items, page.effective):
        out = event_out(e, eff)
        art = arts.get(e.doc)
        if art is not None:
            out.context = context_of(art.content, e.evidence.start, e.evidence.end, e.evidence.text, 160)
        items.append(out)
    return EventPageOut(items=items, next_cursor=page.next_cursor, limit=limit)


def _real_event_out(r: RealEvent | None) -> RealEventOut | None:
    return RealEventOut(**r.to_dict()) if r is not None else None


def context_of(content: str, start: int, end: int, evidence: str, width: int = _CONTEXT) -> ContextOut:
    """The evidence with up to ``width`` characters of article content on each side (evidence alone if offsets are off)."""
    if 0 <= start <= end <= len(content) and content[start:end] == evidence:
        lo, hi = max(0, start - width), min(len(content), end + width)
        before, after = content[lo:start], content[end:hi]
        return ContextOut(before=("…" if lo else "") + before, evidence=evidence,
                          after=after + ("…" if hi < len(content) else ""))
    return ContextOut(before="", evidence=evidence, after="")


def event_detail(kb: KnowledgeBase, event_id: str) -> EventDetailOut:
    """One event with its evidence in context, its article and every source of its real-world event.

    Raises:
        NotFoundError: no such event.
    """
    found = queries.get_event(kb, event_id) if _ID.match(event_id or "") else None
    if found is None:
        raise NotFoundError(f"no event {event_id[:80]!r}")
    ev, art = found
    real = kb.real_events_for([ev.id]).get(ev.id)
    docs = [art.id]
    if real is not None:
        arts = kb.articles_for(real.event_ids)
        docs += [a.id for a in arts.values()]
    by_id = queries.articles(kb, docs)
    sources = []
    for doc in dict.fromkeys(docs):
        a = by_id.get(doc)
        if a is not None:
            dup = kb.near_duplicate_of(doc)
            sources.append(SourceOut(doc=a.id, url=a.url, title=a.title, published=_iso(a.published),
                                     near_duplicate_of=dup[0] if dup else None))
    return EventDetailOut(
        event=event_out(ev), context=context_of(art.content, ev.evidence.start, ev.evidence.end, ev.evidence.text),
        article=SourceOut(doc=art.id, url=art.url, title=art.title, published=_iso(art.published)),
        sources=sources, real_event=_real_event_out(real))


# -- relation state -------------------------------------------------------------


def _first(supports: list[Support]) -> Support | None:
    dated = sorted(supports, key=lambda s: (s.effective is None, s.effective or "", s.published or "", s.event_id))
    return dated[0] if dated else None


def categorize(obs: ObserverStatus) -> tuple[str, str | None, Support | None, list[str]]:
    """The map category of one observer's status: ``(category, since, first source, detail lines)``.

    Strongest tie first: ``recognized``; ``withdrawn`` (recognition withdrawn
    or relations broken); ``accredited`` (the target's ambassador accredited);
    ``contacts`` (talks held, or a mission hosted or opened); ``none``.
    """
    detail: list[str] = []
    for name, f in obs.facets.items():
        if f.value != NONE:
            detail.append(f"{name.replace('_', ' ')}: {f.value}" + (f" since {f.since}" if f.since else ""))
    if obs.contacts:
        dates = sorted({s.effective for s in obs.contacts if s.effective})
        detail.append(f"talks: {len(obs.contacts)}" + (f", last {dates[-1]}" if dates else ""))
    rec, rel, amb, mission = obs.recognition, obs.relations, obs.ambassador, obs.mission
    if rec.value == "recognized":
        return "recognized", rec.since, rec.events[0] if rec.events else None, detail
    if rec.value == "withdrawn":
        return "withdrawn", rec.since, rec.events[0] if rec.events else None, detail
    if rel.value == "broken":
        return "withdrawn", rel.since, rel.events[0] if rel.events else None, detail
    if amb.value == "accredited":
        return "accredited", amb.since, amb.events[0] if amb.events else None, detail
    semi = list(obs.contacts) + (list(mission.events) if mission.value == "open" else [])
    if semi:
        first = _first(semi)
        return "contacts", first.effective if first else None, first, detail
    return "none", None, None, detail


def _label(category: str) -> str:
    return dict(CATEGORIES)[category]


def _dyad(obs: ObserverStatus, target: str) -> DyadOut:
    cat, _since, _first_src, _detail = categorize(obs)
    dates = sorted(s.effective for s in obs.contacts if s.effective)
    return DyadOut(observer=obs.observer, target=target, category=cat, label=_label(cat),
                   recognition=obs.recognition.value, relations=obs.relations.value,
                   ambassador=obs.ambassador.value, own_ambassador=obs.own_ambassador.value,
                   mission=obs.mission.value, contacts=len(obs.contacts), last_contact=dates[-1] if dates else None)


def _status(kb: KnowledgeBase, code: str, as_of: dt.date | None) -> TargetStatus:
    return kb.status(code, as_of)  # what `diplowatch status` answers


def relations_view(kb: KnowledgeBase, target: str, as_of: dt.date | None) -> TargetStatus:
    """Relation state of every observer towards ``target`` as of a date (DESIGN §5).

    Raises:
        NotFoundError: unknown target.
    """
    return _status(kb, resolve_target(target), as_of)


def recognitions_view(kb: KnowledgeBase, target: str, as_of: dt.date | None) -> RecognitionsOut:
    """Who recognises ``target`` as of a date, earliest first.

    Raises:
        NotFoundError: unknown target.
    """
    code = resolve_target(target)
    return RecognitionsOut(target=code, as_of=_iso(as_of), recognizers=recognizers(_status(kb, code, as_of)))


def changes_view(kb: KnowledgeBase, since: dt.date | None, until: dt.date | None, target: str | None) -> ChangesOut:
    """Every state transition between two dates (:func:`diplowatch.state.transitions`).

    Raises:
        NotFoundError: unknown target.
        BadRequestError: ``since`` after ``until``.
    """
    if since and until and since > until:
        raise BadRequestError(f"since {since} is after until {until}")
    code = resolve_target(target) if target else None
    events = kb.events_for_actor(code) if code else kb.events()
    return ChangesOut(since=_iso(since), until=_iso(until), target=code,
                      changes=transitions(events, since, until, target=code))


def actor_detail(kb: KnowledgeBase, actor_id: str) -> ActorDetailOut:
    """An actor of the gazetteer with the relations of others towards it and its own towards others.

    Raises:
        NotFoundError: no such actor.
    """
    actor = resolve_actor(actor_id)
    code = actor.state or actor.id
    gaz = _gazetteer()
    gov = gaz.government(code) if actor.kind == "state" and actor.state else None
    events = kb.events_for_actor(code)
    towards = [_dyad(o, code) for o in relation_state(events, code).observers.values()]
    targets: set[str] = set()
    for e in events:
        for mine, other in ((e.source, e.target), (e.target, e.source)):
            if mine is not None and other is not None and (mine.state or mine.id) == code:
                targets.add(other.state or other.id)
    by = []
    for t in sorted(targets - {code}):
        obs = relation_state(events, t).observers.get(code)
        if obs is not None:
            by.append(_dyad(obs, t))
    return ActorDetailOut(actor=ActorOut(**actor.to_dict()), code=code,
                          government=ActorOut(**gov.to_dict()) if gov else None, events=len(events),
                          towards=towards, by=by)


def _timeline(kb: KnowledgeBase, actor: str, other: str | None) -> tuple[str, str | None, list[TimelineEntry]]:
    """``(code, other code, entries)``: the timeline of ``actor``, only the events with ``other`` when given."""
    code = resolve_target(actor)
    with_code = resolve_target(other) if other else None
    entries = []
    for t in kb.timeline(code):
        e = t.event
        if with_code is not None:
            parties = {a.state or a.id for a in (e.source, e.target) if a is not None} | \
                      {a.id for a in (e.source, e.target) if a is not None}
            if with_code not in parties:
                continue
        entries.append(t)
    return code, with_code, entries


def timeline_view(kb: KnowledgeBase, actor: str, other: str | None = None) -> TimelineOut:
    """Every stored event of ``actor`` (or of the dyad ``actor``–``other``), in date order.

    Raises:
        NotFoundError: unknown actor or other party.
    """
    code, with_code, entries = _timeline(kb, actor, other)
    return TimelineOut(actor=code, other=with_code, entries=[
        TimelineEntryOut(date=t.date, event=event_out(t.event, t.date), real_event=_real_event_out(t.real_event))
        for t in entries])


# -- time -------------------------------------------------------------------------

BUSY_SKIP = 0.05
"""Share of the earliest events the busy span leaves out (the 5th percentile of event dates)."""


ISOLATED_GAP_DAYS = 366
"""An earliest date is isolated only when more than this many days lie between it and the next one."""


def focus_start(days: list[tuple[str, int]]) -> str | None:
    """Start of the busy span of dated events: where the date slider and the timeline chart begin by default.

    The date of the event at the 5th percentile (:data:`BUSY_SKIP`, nearest
    rank); then, while fewer than half of the events are left out, an earliest
    date that lies further from the next one than the next one lies from the
    last, and more than :data:`ISOLATED_GAP_DAYS` from it (an isolated date:
    one article recalling 1777 among reports of 2020–2025), is left out too.
    The full range stays reachable: callers offer ``days[0]`` as well.

    Args:
        days: ``(ISO date YYYY-MM-DD, number of events)`` pairs, earliest first
            (:func:`diplowatch.store.queries.date_counts`).

    Returns:
        An ISO date of ``days``, ``None`` when ``days`` is empty.
    """
    if not days:
        return None
    total = sum(n for _, n in days)
    i, before = 0, 0
    while i < len(days) - 1 and before + days[i][1] <= BUSY_SKIP * total:
        before += days[i][1]
        i += 1
    last = dt.date.fromisoformat(days[-1][0])
    while i < len(days) - 1 and before + days[i][1] < total / 2:
        this, nxt = dt.date.fromisoformat(days[i][0]), dt.date.fromisoformat(days[i + 1][0])
        if (nxt - this).days <= max((last - nxt).days, ISOLATED_GAP_DAYS):
            break
        before += days[i][1]
        i += 1
    return days[i][0]


def _period(e: StoredEvent, by: str) -> str | None:
    """The period an event counts in: its own date (at its precision) else its article's date; ``None``
    when neither is known or the date is coarser than ``by``."""
    date = e.date or (e.published.isoformat() if e.published else None)
    if not date or len(date) < 4:
        return None
    if by == "year":
        return date[:4]
    return date[:7] if len(date) >= 7 else None


def _periods(first: str, last: str, by: str) -> list[str]:
    """Every period from ``first`` to ``last`` (``YYYY`` or ``YYYY-MM``), in order."""
    if by == "year":
        return [f"{y:04d}" for y in range(int(first), int(last) + 1)]
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def timeline_counts(kb: KnowledgeBase, actor: str, other: str | None = None, by: str = "month",
                    span: str = "busy") -> TimelineCountsOut:
    """Asserted events of ``actor`` (or of the dyad ``actor``–``other``) per month or year, by event family.

    The events are those of :func:`timeline_view` with polarity ``asserted``;
    the reports of one real-world event count once, in the period of the
    earliest. Families are :data:`diplowatch.ontology.FAMILIES`.

    Args:
        kb: the knowledge base.
        actor, other: as for :func:`timeline_view`.
        by: ``"month"`` or ``"year"``.
        span: ``"busy"``: bins from the period of :func:`focus_start` of the
            events' dates (earlier events are counted in ``earlier``);
            ``"all"``: from the earliest event.

    Returns:
        A :class:`TimelineCountsOut` whose bins run without gaps from the first
        period to the last.

    Raises:
        NotFoundError: unknown actor or other party.
        BadRequestError: ``by`` or ``span`` is not one of the values above.
    """
    if by not in ("month", "year"):
        raise BadRequestError(f"by must be 'month' or 'year', not {by!r}")
    if span not in ("busy", "all"):
        raise BadRequestError(f"span must be 'busy' or 'all', not {span!r}")
    code, with_code, entries = _timeline(kb, actor, other)
    seen: set[int | str] = set()
    placed: list[tuple[str, str, str | None]] = []  # (period, family, effective day)
    unplaced = 0
    for t in entries:
        e = t.event
        key: int | str = t.real_event.id if t.real_event is not None else e.id
        if e.polarity != "asserted" or key in seen:
            continue
        seen.add(key)
        period = _period(e, by)
        if period is None:
            unplaced += 1
        else:
            placed.append((period, event_family(e.event), t.date))
    placed.sort(key=lambda p: p[0])
    first = placed[0][0] if placed else None
    start = first
    if span == "busy" and placed:
        days: dict[str, int] = {}
        for _p, _f, day in placed:
            if day:
                days[day] = days.get(day, 0) + 1
        busy = focus_start(sorted(days.items()))
        if busy:
            start = busy[:4] if by == "year" else busy[:7]
    keys = [k for k, _ in FAMILIES]
    bins = {p: dict.fromkeys(keys, 0) for p in (_periods(start, placed[-1][0], by) if start else [])}
    earlier = 0
    for period, family, _day in placed:
        if period in bins:
            bins[period][family] += 1
        else:
            earlier += 1
    out = [TimelineBinOut(period=p, counts=c, total=sum(c.values())) for p, c in bins.items()]
    return TimelineCountsOut(actor=code, other=with_code, by=by, span=span,
                             families=[FamilyOut(key=k, label=v) for k, v in FAMILIES], bins=out,
                             total=sum(b.total for b in out), earlier=earlier, unplaced=unplaced, first=first)


# -- the map --------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def feature_codes() -> dict[str, str]:
    """world-atlas feature key (ISO numeric id, or name when it has none) -> state code."""
    raw = resources.files("diplowatch.data").joinpath(MAP_GEOMETRY).read_text("utf-8")
    topo = json.loads(raw)
    out: dict[str, str] = {}
    for g in topo["objects"]["countries"]["geometries"]:
        fid = g.get("id")
        name = (g.get("properties") or {}).get("name", "")
        if fid:
            c = pycountry.countries.get(numeric=str(fid))
            if c is not None:
                out[str(fid)] = c.alpha_3
        elif name in FEATURE_NAMES:
            out[name] = FEATURE_NAMES[name]
    return out


@functools.lru_cache(maxsize=1)
def map_points() -> dict[str, tuple[float, float]]:
    """State code -> ``(longitude, latitude)`` of the marker of each state too small for the map's shapes.

    From ``data/map_points.csv``, written by ``scripts/map_points.py`` from the
    world-atlas 1:10m countries (the centroid of the state's largest polygon).
    """
    raw = resources.files("diplowatch.data").joinpath("map_points.csv").read_text("utf-8")
    return {r["code"]: (float(r["lon"]), float(r["lat"])) for r in csv.DictReader(io.StringIO(raw))}


def default_target(kb: KnowledgeBase) -> str | None:
    """The state (or actor) whose government the most recent asserted recognition event is about."""
    ev = queries.latest_recognition(kb)
    if ev is None or ev.target is None:
        return None
    return ev.target.state or ev.target.id


def map_view(kb: KnowledgeBase, target: str | None, as_of: dt.date | None) -> MapOut:
    """Each state's relation to ``target`` as of a date, for the map and its legend.

    Args:
        kb: the knowledge base.
        target: ISO3 code, actor id or name; ``None``: :func:`default_target`.
        as_of: the date; ``None``: everything known.

    Raises:
        NotFoundError: unknown target.
    """
    code = resolve_target(target) if target else default_target(kb)
    days = queries.date_counts(kb)
    lo, hi = (days[0][0], days[-1][0]) if days else (None, None)
    targets = [TargetOut(code=t["code"], name=target_name(t["code"])) for t in queries.event_targets(kb)]
    states: dict[str, MapStateOut] = {}
    tgt = None
    if code is not None:
        status = _status(kb, code, as_of)
        tgt = TargetOut(code=code, name=target_name(code, status))
        if all(t.code != code for t in targets):
            targets.insert(0, tgt)
        for obs_code, obs in status.observers.items():
            cat, since, first, detail = categorize(obs)
            ref = None
            if first is not None:
                ref = SourceRefOut(event_id=first.event_id, event=first.event, date=first.effective,
                                   doc=first.doc, url=first.url, evidence=first.evidence)
            states[obs_code] = MapStateOut(code=obs_code, name=_name(obs_code), category=cat, label=_label(cat),
                                           since=since, detail=detail, first_source=ref)
    return MapOut(target=tgt, as_of=_iso(as_of), date_min=lo, date_max=hi,
                  date_focus=focus_start(days), targets=targets,
                  categories=[MapCategoryOut(key=k, label=v) for k, v in CATEGORIES],
                  states=states, features=feature_codes(), points=map_points())
