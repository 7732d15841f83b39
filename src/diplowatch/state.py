"""Relation state towards a target, as of a date: a pure fold of events (DESIGN §5).

No database access: give it events (``diplowatch.store.StoredEvent`` from
``KnowledgeBase.events()``, or plain :class:`~diplowatch.model.Event` objects,
which then have no publication date), or the flat :class:`EventRow` tuples
that ``KnowledgeBase.state_rows()`` reads without building any object, and it
returns plain frozen dataclasses. Events and rows go through the same fold.

Rules:

- The facet an event changes and the value it sets come from
  :data:`diplowatch.ontology.EVENT_TYPES` (columns ``facet``/``effect``).
  ``contacts`` is a log (every talk is kept); ``designation`` is kept per
  organisation; every other facet holds one value at a time, as a sequence of
  periods (a withdrawal after a recognition ends it, a later re-recognition
  starts a new period).
- Only ``asserted`` events change state; ``negated`` and ``hypothetical`` ones
  are reported intentions, listed apart.
- The observer of an event is the ``state`` of its source (or the source's id
  for bodies of no single state: ``UN``, ``EU``). Events of
  :data:`~diplowatch.ontology.MUTUAL_EVENTS` and talks (facet ``contacts``)
  count for both directions of the dyad: "AFG and UZB established relations"
  coded AFG → UZB also gives UZB an established relation towards AFG.
- Ordering and ``as_of``: an event's *effective date* is its own date (a year-
  or month-precision date counts as its first day), else the publication date
  of its article. Events are folded by effective date, then publication date,
  then id. Events with neither date are folded last, and only when ``as_of``
  is ``None``; they are always listed in :attr:`TargetStatus.undated`.

All dates in the output are ISO 8601 strings (``YYYY-MM-DD``; an event's own
``date`` keeps its precision, ``YYYY`` or ``YYYY-MM``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Any, NamedTuple

from diplowatch.model import Actor, Event, shown_date
from diplowatch.ontology import EVENT_TYPES, MUTUAL_EVENTS

__all__ = ["EventRow", "FacetState", "ObserverStatus", "Period", "Recognizer", "Support", "TargetStatus",
           "Transition", "effective_date", "shown_since", "event_row", "recognizers", "relation_state", "transitions"]

LOG_FACETS: frozenset[str] = frozenset({"contacts"})
"""Facets that keep every event instead of a current value."""
PER_TARGET_FACETS: frozenset[str] = frozenset({"designation"})
"""Facets kept per target actor (the listed organisation)."""
STATE_FACETS: tuple[str, ...] = tuple(dict.fromkeys(
    t.facet for t in EVENT_TYPES.values()
    if t.facet and t.facet not in LOG_FACETS and t.facet not in PER_TARGET_FACETS))
"""Single-valued facets, in ontology order (recognition, relations, ambassador, …)."""
NONE = "none"
"""Value of a facet that no asserted event has set."""

_ISO3 = re.compile(r"^[A-Z]{3}$")
_EMPTY_FACETS: dict[str, FacetState] = {}  # one shared empty FacetState per facet name (frozen: safe to share)
_MUTUAL_FACETS: frozenset[str] = frozenset(EVENT_TYPES[e].facet for e in MUTUAL_EVENTS if e in EVENT_TYPES)


@dataclass(frozen=True, slots=True)
class Support:
    """One event that supports a state value or is a reported intention.

    Attributes:
        event_id, event, polarity: of the event.
        observer: the observer state it was counted for (``None`` without a source).
        source_id, target_id: actor ids as coded (a mutual event may be coded
            target → observer).
        date: the event's own date as reported (ISO, its precision) or ``None``.
        effective: ISO day used for ordering and ``as_of`` (``None`` if unknown).
        published: ISO publication date of its article, or ``None``.
        doc, url: article id and URL.
        evidence: the sentence; attribution, confidence: as extracted.
    """

    event_id: str
    event: str
    polarity: str
    observer: str | None
    source_id: str | None
    target_id: str | None
    date: str | None
    effective: str | None
    published: str | None
    doc: str
    url: str | None
    evidence: str
    attribution: str | None
    confidence: float


_SUPPORT_SLOTS = tuple(getattr(Support, f.name).__set__ for f in fields(Support))


def _support(*values: Any) -> Support:
    """``Support(*values)`` (every field, in order), set slot by slot.

    The same object (``Support`` has no ``__post_init__``), without the frozen
    ``__init__``'s ``object.__setattr__`` per field: about a third faster, for
    the one ``Support`` per event of a fold.

    Raises:
        ValueError: not exactly one value per field.
    """
    sup = object.__new__(Support)
    for set_slot, value in zip(_SUPPORT_SLOTS, values, strict=True):
        set_slot(sup, value)
    return sup


class EventRow(NamedTuple):
    """The fields of one event that :func:`relation_state` reads, as one flat tuple.

    ``KnowledgeBase.state_rows()`` reads these straight from the store, so that
    a status of a thousand events builds no ``Event`` object; :func:`event_row`
    makes one of an ``Event``. Both fold the same.

    Attributes:
        id, doc, event, polarity: of the event.
        date: the event's own date as reported (ISO at its precision) or ``None``.
        published: publication date of its article (ISO ``YYYY-MM-DD``, as
            stored), or ``None``; a value that is not an ISO date counts as ``None``.
        url: URL of its article, or ``None``.
        evidence: the evidence sentence.
        attribution, confidence: as extracted.
        source_id, source_state: id and ``state`` of the source actor;
            ``source_id`` is ``None`` when the event has no source.
        target_id, target_state: the same of the target actor.
    """

    id: str
    doc: str
    event: str
    polarity: str
    date: str | None
    published: str | None
    url: str | None
    evidence: str
    attribution: str | None
    confidence: float
    source_id: str | None
    source_state: str | None
    target_id: str | None
    target_state: str | None


@dataclass(frozen=True, slots=True)
class Period:
    """A span during which a facet held one value.

    Attributes:
        value: the effect (``recognized``, ``withdrawn``, ``listed`` …).
        since: effective date of the first event of the period.
        until: effective date of the event that ended it; ``None`` while current.
        first_reported: earliest publication date among its events.
        events: the asserted events that support it, in fold order.
    """

    value: str
    since: str | None
    until: str | None
    first_reported: str | None
    events: tuple[Support, ...]


@dataclass(frozen=True, slots=True)
class FacetState:
    """One facet of one dyad: its current value and its history.

    ``value`` is :data:`NONE` (and ``since``/``first_reported`` ``None``,
    ``events`` empty) when no asserted event set it; otherwise the fields
    repeat those of the last period.
    """

    facet: str
    value: str = NONE
    since: str | None = None
    first_reported: str | None = None
    events: tuple[Support, ...] = ()
    periods: tuple[Period, ...] = ()


@dataclass(frozen=True, slots=True)
class ObserverStatus:
    """Everything one observer state does towards the target.

    Attributes:
        observer: ISO3 code (or the id of a body of no single state).
        facets: every single-valued facet of :data:`STATE_FACETS`, by name.
        contacts: asserted talks and visits, in date order.
        designations: per listed organisation id (``ORG:taliban``), its
            ``designation`` facet (``listed`` / ``delisted``).
        intentions: negated and hypothetical events of this observer.
    """

    observer: str
    facets: dict[str, FacetState]
    contacts: tuple[Support, ...] = ()
    designations: dict[str, FacetState] = field(default_factory=dict)
    intentions: tuple[Support, ...] = ()

    def facet(self, name: str) -> FacetState:
        """The facet ``name``; an empty one when the ontology has no such facet."""
        return self.facets.get(name) or FacetState(name)

    @property
    def recognition(self) -> FacetState:
        """``recognized`` / ``withdrawn`` / ``none``."""
        return self.facet("recognition")

    @property
    def relations(self) -> FacetState:
        """``established`` / ``broken`` / ``none``."""
        return self.facet("relations")

    @property
    def ambassador(self) -> FacetState:
        """Target's ambassador ``accredited`` by / diplomats ``expelled`` by the observer."""
        return self.facet("ambassador")

    @property
    def own_ambassador(self) -> FacetState:
        """Observer's own ambassador ``recalled`` from the target."""
        return self.facet("own_ambassador")

    @property
    def mission(self) -> FacetState:
        """Observer's mission in the target ``open`` / ``closed``."""
        return self.facet("mission")


@dataclass(frozen=True, slots=True)
class TargetStatus:
    """Relation state of every observer towards one target, as of a date.

    Attributes:
        target: the ISO3 code (or actor id) asked for.
        as_of: ISO date, or ``None`` for "everything known".
        observers: :class:`ObserverStatus` by observer code, sorted by code.
        intentions: every negated or hypothetical event towards the target,
            including those with no source ("no country has recognised").
        unattributed: asserted events with no source actor (change no state).
        undated: events with neither an event date nor a publication date.
    """

    target: str
    as_of: str | None
    observers: dict[str, ObserverStatus]
    intentions: tuple[Support, ...] = ()
    unattributed: tuple[Support, ...] = ()
    undated: tuple[Support, ...] = ()

    def observer(self, code: str) -> ObserverStatus:
        """The status of observer ``code``; an empty one when it has no events."""
        return self.observers.get(code) or ObserverStatus(code, {f: FacetState(f) for f in STATE_FACETS})

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict of the whole status (dates are ISO strings)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Recognizer:
    """One observer that recognised the target (see :func:`recognizers`).

    Attributes:
        observer: ISO3 code.
        value: current recognition value (``recognized``, or ``withdrawn``
            when withdrawn ones are asked for).
        first: the earliest asserted recognition event of this observer.
        since: start of the current recognition period (effective ISO date).
        first_reported: earliest publication date among its recognition events.
        events: every asserted recognition-facet event of this observer.
    """

    observer: str
    value: str
    first: Support
    since: str | None
    first_reported: str | None
    events: tuple[Support, ...]


@dataclass(frozen=True, slots=True)
class Transition:
    """One change of a facet's value for one dyad (see :func:`transitions`).

    Attributes:
        date: effective date of the change (ISO ``YYYY-MM-DD``); ``None`` when
            undated (listed only when no date bounds are given).
        observer: the observer state (ISO3, or the id of a body of no single state).
        target: the target state code; for ``designation``, the listed actor's id
            (``ORG:taliban``).
        facet: ``recognition``, ``relations``, ``ambassador``, ``own_ambassador``,
            ``mission`` or ``designation``.
        old, new: values before and after (``none`` when no value was set).
        events: the asserted events that support the new value and are dated
            within :data:`SUPPORT_WINDOW_DAYS` days of the change, in fold order.
        date_shown: the date as people read it (:func:`shown_since`): ``2005`` for a
            year-only date, ``undated (reported 2025-07-04)`` when only the report
            date is known.
    """

    date: str | None
    observer: str
    target: str
    facet: str
    old: str
    new: str
    events: tuple[Support, ...]
    date_shown: str = "undated"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return asdict(self)


SUPPORT_WINDOW_DAYS = 7
"""Events of a new period dated this many days or fewer after its start support its transition."""


def shown_since(since: str | None, supports: Iterable[Support]) -> str:
    """The start of a period as people read it, at the precision its event reported it.

    Args:
        since: an effective ISO day (``Period.since``, ``Transition.date``), or ``None``.
        supports: the events of the period; the first whose effective day is ``since`` dates it.

    Returns:
        :func:`diplowatch.model.shown_date` of that event's own date and its report date:
        ``2005`` (not the ``2005-01-01`` used for ordering), ``2025-07-03``, or
        ``undated (reported 2025-07-04)`` when the day came from the article's publication;
        ``since`` itself when no event matches, ``undated`` when it is ``None``.
    """
    for s in supports:
        if s.effective == since:
            return shown_date(s.date, s.published)
    return since or "undated"


def effective_date(event: Event, published: dt.date | str | None = None) -> dt.date | None:
    """The date an event counts at: its own date (first day of its year or month
    at year/month precision), else ``published``; ``None`` when neither is known
    or parseable."""
    d = _parse_partial(event.date)[0]
    return d if d is not None else _as_date(published)


def event_row(event: Event) -> EventRow:
    """The :class:`EventRow` of an event: ``published`` and ``url`` from the
    attributes of that name when present (as on ``StoredEvent``), else ``None``."""
    src, tgt = event.source, event.target
    published = _as_date(getattr(event, "published", None))
    return EventRow(event.id, event.doc, event.event, event.polarity, event.date,
                    published.isoformat() if published else None, getattr(event, "url", None),
                    event.evidence.text, event.attribution, event.confidence,
                    src.id if src is not None else None, src.state if src is not None else None,
                    tgt.id if tgt is not None else None, tgt.state if tgt is not None else None)


def relation_state(events: Iterable[Event | EventRow], target: str,
                   as_of: dt.date | str | None = None) -> TargetStatus:
    """Fold events into the relation state of every observer towards ``target``.

    Args:
        events: stored events (anything with the ``Event`` fields; an optional
            ``published`` (date or ISO string) and ``url`` attribute are used
            when present, as on ``StoredEvent``), or :class:`EventRow` tuples
            (``KnowledgeBase.state_rows()``), in any mix. Events of other
            targets are ignored, so ``kb.events()`` may be passed unfiltered.
            The order matters only for :attr:`TargetStatus.undated` (kept in
            input order); everything else is folded in date order.
        target: ISO3 code of a state (``"AFG"``): every target actor whose
            ``state`` is that code counts (``AFG``, ``AFG:taliban``,
            ``ORG:taliban``). Any other string is matched against actor ids
            exactly (``"AFG:taliban"``).
        as_of: a ``datetime.date`` or ISO ``YYYY-MM-DD`` string; events whose
            effective date is later are ignored. ``None``: all events.

    Returns:
        A :class:`TargetStatus`.

    Raises:
        ValueError: ``target`` is empty or ``as_of`` is not an ISO date.
    """
    if not target or not target.strip():
        raise ValueError("target must be an ISO3 state code or an actor id")
    target = target.strip()
    cutoff = _as_date(as_of, strict=True)
    by_state = bool(_ISO3.match(target))

    items: list[Support] = []
    undated: list[Support] = []
    for ev in events:
        (eid, doc, kind, polarity, date, pub, url, evidence, attribution, confidence,
         source_id, source_state, target_id, target_state) = ev if isinstance(ev, tuple) else event_row(ev)
        etype = EVENT_TYPES.get(kind)
        facet = etype.facet if etype else ""
        if target_id is not None and (target_state == target if by_state else target_id == target):
            observer = (source_state or source_id) if source_id is not None else None
        elif (kind in MUTUAL_EVENTS or facet in LOG_FACETS) and source_id is not None \
                and target_id is not None and (source_state == target if by_state else source_id == target):
            observer = target_state or target_id
        else:
            continue
        if observer is not None and observer == target:
            continue  # a dyad of the target with itself
        published, pub_iso = _iso_day(pub)
        eff, eff_iso = _parse_partial(date)
        if eff is None:
            eff, eff_iso = published, pub_iso
        if eff is not None and not facet and observer is not None and polarity == "asserted":
            continue  # dated asserted praise, criticism, unknown types: in no list of the status
        if eff is not None and cutoff is not None and eff > cutoff:
            continue
        sup = _support(eid, kind, polarity, observer, source_id, target_id, date, eff_iso, pub_iso, doc, url,
                       evidence, attribution, confidence)  # one per event, the fold's main cost
        if eff is None:
            undated.append(sup)
            if cutoff is not None:
                continue
        items.append(sup)
    items.sort(key=_fold_order)

    folds: dict[str, _ObserverFold] = {}
    intentions: list[Support] = []
    unattributed: list[Support] = []
    for sup in items:
        observer = sup.observer
        if sup.polarity != "asserted":
            intentions.append(sup)
            if observer is not None:
                (folds.get(observer) or folds.setdefault(observer, _ObserverFold())).intentions.append(sup)
            continue
        if observer is None:
            unattributed.append(sup)
            continue
        etype = EVENT_TYPES.get(sup.event)
        if etype is None or not etype.facet:
            continue  # praise, criticism, unknown types: no state
        fold = folds.get(observer) or folds.setdefault(observer, _ObserverFold())  # one object per observer
        if etype.facet in LOG_FACETS:
            fold.contacts.append(sup)
        elif etype.facet in PER_TARGET_FACETS:
            _apply(fold.designations.setdefault(sup.target_id if sup.target_id is not None else "", []),
                   etype.effect, sup)
        else:
            _apply(fold.facets.setdefault(etype.facet, []), etype.effect, sup)

    observers = {code: folds[code].freeze(code) for code in sorted(folds)}
    return TargetStatus(target=target, as_of=cutoff.isoformat() if cutoff else None,
                        observers=observers, intentions=tuple(intentions),
                        unattributed=tuple(unattributed), undated=tuple(undated))


def recognizers(status: TargetStatus, *, include_withdrawn: bool = False) -> list[Recognizer]:
    """Observers that recognise the target, earliest first.

    Ordered by their earliest asserted recognition: effective date, then
    publication date (undated last), then observer code. "Who was first" is
    ``recognizers(status)[0]``.

    Args:
        status: from :func:`relation_state`.
        include_withdrawn: also list observers whose recognition is now
            ``withdrawn`` (value tells which).

    Returns:
        A list of :class:`Recognizer` (empty when nobody recognises the target).
    """
    out: list[Recognizer] = []
    for code, obs in status.observers.items():
        rec = obs.recognition
        if rec.value == NONE or (rec.value != "recognized" and not include_withdrawn):
            continue
        supporting = tuple(s for p in rec.periods for s in p.events)
        firsts = [p.events[0] for p in rec.periods if p.value == "recognized" and p.events]
        if not firsts:
            continue  # withdrawn without any recognition on record
        out.append(Recognizer(observer=code, value=rec.value, first=firsts[0], since=rec.since,
                              first_reported=_min_iso(s.published for s in supporting
                                                      if s.event != "withdraw_recognition"),
                              events=supporting))
    out.sort(key=lambda r: (r.first.effective is None, r.first.effective or "",
                            r.first.published is None, r.first.published or "", r.observer))
    return out


def transitions(events: Iterable[Event], since: dt.date | str | None = None,
                until: dt.date | str | None = None, *, target: str | None = None) -> list[Transition]:
    """Every state transition, from the same fold as :func:`relation_state`.

    A transition is the start of a new period of a facet (recognition
    first made, withdrawn, made again; accreditation; expulsion; mission
    opened or closed; relations established or broken; listing, delisting).
    A repeated report of the current value is not a transition; negated and
    hypothetical events never are; contacts (talks, visits) are a log, not a state.

    Args:
        events: stored events (as for :func:`relation_state`); the whole
            history is needed to know the value before ``since``.
        since, until: ISO dates or ``date``: keep transitions dated on or
            after ``since`` and on or before ``until`` (events after
            ``until`` are not folded). Undated transitions are kept only when
            both are ``None``.
        target: only dyads with this target (ISO3 code, or an actor id);
            ``None``: every target that any event has.

    Returns:
        :class:`Transition` list ordered by date, observer, target, facet.

    Raises:
        ValueError: ``since`` or ``until`` is not an ISO date, or ``target`` is empty.
    """
    lo = _as_date(since, strict=True)
    hi = _as_date(until, strict=True)
    if target is not None and not target.strip():
        raise ValueError("target must be an ISO3 state code or an actor id")
    buckets: dict[str, list[Event]] = {}
    for ev in events:
        etype = EVENT_TYPES.get(ev.event)
        if etype is None or not etype.facet or etype.facet in LOG_FACETS:
            continue
        for actor in ((ev.target, ev.source) if ev.event in MUTUAL_EVENTS else (ev.target,)):
            code = _code(actor)
            if code and (target is None or code == target.strip() or (actor and actor.id == target.strip())):
                bucket = buckets.setdefault(target.strip() if target is not None else code, [])
                if not bucket or bucket[-1] is not ev:
                    bucket.append(ev)
    targets = sorted(buckets)
    out: list[Transition] = []
    for code in targets:
        status = relation_state(buckets[code], code, hi)
        for obs_code, obs in status.observers.items():
            facets = [(name, code, f) for name, f in obs.facets.items()]
            facets += [("designation", org, f) for org, f in obs.designations.items()]
            for name, tgt, facet in facets:
                old = NONE
                for p in facet.periods:
                    if p.value != old:
                        when = _as_date(p.since)
                        if (when is not None or (lo is None and hi is None)) and \
                                (lo is None or (when is not None and when >= lo)):
                            limit = when + dt.timedelta(days=SUPPORT_WINDOW_DAYS) if when else None
                            sup = tuple(s for s in p.events
                                        if limit is None or (s.effective is not None and s.effective <= limit.isoformat()))
                            out.append(Transition(date=p.since, observer=obs_code, target=tgt, facet=name,
                                                  old=old, new=p.value, events=sup or p.events[:1],
                                                  date_shown=shown_since(p.since, p.events)))
                    old = p.value
    out.sort(key=lambda t: (t.date is None, t.date or "", t.observer, t.target, t.facet))
    # a mutual change (relations) is one change, not one per direction
    seen: set[tuple[Any, ...]] = set()
    unique: list[Transition] = []
    for t in out:
        key = (t.date, t.facet, frozenset((t.observer, t.target)), t.old, t.new)
        if t.facet in _MUTUAL_FACETS and target is None:
            if key in seen:
                continue
            seen.add(key)
        unique.append(t)
    return unique


# -- internals ---------------------------------------------------------------


@dataclass
class _ObserverFold:
    facets: dict[str, list[list[Any]]] = field(default_factory=dict)
    designations: dict[str, list[list[Any]]] = field(default_factory=dict)
    contacts: list[Support] = field(default_factory=list)
    intentions: list[Support] = field(default_factory=list)

    def freeze(self, code: str) -> ObserverStatus:
        facets = dict(_EMPTY_STATE)  # every facet of STATE_FACETS, in that order; then the ones set
        for name, periods in self.facets.items():
            facets[name] = _freeze(name, periods)
        designations = {org: _freeze("designation", ps) for org, ps in sorted(self.designations.items())}
        return ObserverStatus(observer=code, facets=facets, contacts=tuple(self.contacts),
                              designations=designations, intentions=tuple(self.intentions))


def _apply(periods: list[list[Any]], value: str, sup: Support) -> None:
    """Extend the current period when ``value`` repeats it; else close it and open a new one.

    A period is the mutable list ``[value, since, until, supports]``.
    """
    if periods and periods[-1][0] == value:
        periods[-1][3].append(sup)
        return
    if periods:
        periods[-1][2] = sup.effective
    periods.append([value, sup.effective, None, [sup]])


def _freeze(name: str, periods: list[list[Any]]) -> FacetState:
    frozen = tuple(Period(v, since, until, min([s.published for s in sups if s.published], default=None),
                          tuple(sups))
                   for v, since, until, sups in periods)
    if not frozen:
        return _empty(name)
    cur = frozen[-1]
    return FacetState(facet=name, value=cur.value, since=cur.since, first_reported=cur.first_reported,
                      events=cur.events, periods=frozen)


def _empty(name: str) -> FacetState:
    """The facet ``name`` that no event set: one shared object per name (it is frozen)."""
    return _EMPTY_FACETS.get(name) or _EMPTY_FACETS.setdefault(name, FacetState(name))


_EMPTY_STATE: dict[str, FacetState] = {name: _empty(name) for name in STATE_FACETS}
"""Every facet of :data:`STATE_FACETS` as no event set it, in that order (copied per observer)."""


def _fold_order(sup: Support) -> tuple[str, str, str]:
    """Sort key of the fold: effective date, publication date (unknown ones last), event id.

    ISO days order as the dates do, and ``"~"`` sorts after every digit.
    """
    return sup.effective or "~", sup.published or "~", sup.event_id


def _code(actor: Actor | None) -> str | None:
    if actor is None:
        return None
    return actor.state or actor.id


def _min_iso(values: Iterable[str | None]) -> str | None:
    known = [v for v in values if v]
    return min(known) if known else None


@functools.lru_cache(maxsize=65536)  # a store repeats the same dates many times
def _parse_partial(value: str | None) -> tuple[dt.date | None, str | None]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` → (date of its first day, that day as ISO ``YYYY-MM-DD``);
    ``(None, None)`` if absent or not valid."""
    if not value:
        return None, None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
    if not m:
        return None, None
    try:
        day = dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:  # year 0, month 13, 0000-00-00
        return None, None
    return day, day.isoformat()


@functools.lru_cache(maxsize=65536)
def _iso_day(value: str | None) -> tuple[dt.date | None, str | None]:
    """An ISO date string → (date, as ISO ``YYYY-MM-DD``); ``(None, None)`` when absent or not an ISO date."""
    try:
        day = dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None, None
    return (day, day.isoformat()) if day is not None else (None, None)


def _as_date(value: dt.date | str | None, *, strict: bool = False) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            if strict:
                raise ValueError(f"as_of must be an ISO date YYYY-MM-DD, not {value!r}") from None
            return _parse_partial(value)[0]
    if strict:
        raise ValueError(f"as_of must be a date or an ISO date string, not {type(value).__name__}")
    return None
