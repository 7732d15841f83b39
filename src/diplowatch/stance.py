"""Stance of each observer towards a target: engage or isolate, over time (issue 17). A pure fold.

No database access: give it :class:`StanceRow` tuples (``diplowatch.store.stance.stance_rows``
reads them from the knowledge base; :func:`stance_row` makes one of an
:class:`~diplowatch.model.Event`) and it returns plain frozen dataclasses.

Weights (data, see :mod:`diplowatch.ontology`): each event weighs the
Goldstein value of its CAMEO code (``data/goldstein.tsv``: the published
Goldstein 1992 table as distributed with CAMEO/GDELT) and falls in the PLOVER
quad category of its PLOVER type (``data/plover.csv``: 1 verbal cooperation,
2 material cooperation, 3 verbal conflict, 4 material conflict). The GDELT
export carries the same two values.

Rules:

- **Who and towards whom.** As in :func:`diplowatch.state.relation_state`: the
  observer of an event is the ``state`` of its source (the source's id for
  bodies of no single state: ``UN``, ``EU``); a target given as an ISO3 code
  takes every actor of that state (``AFG``, ``AFG:taliban``, ``ORG:taliban``),
  any other string one actor id. Mutual events (relations established, broken,
  restored) and talks count for both parties: "Uzbekistan held talks with
  Afghanistan" is also Afghanistan's towards Uzbekistan. A mirrored report of
  an event already counted the other way round in the same article (talks are
  coded both ways) is not counted again.
- **What counts.** Only asserted events weigh. Negated and hypothetical ones
  (planned, denied, urged: "may recognise", "ruled out talks") are listed
  apart as :attr:`ObserverStance.intentions`. Events with no source count for
  nobody (:attr:`Stance.unattributed`).
- **Once per real-world event.** Reports corroborated into one real-world
  event (``real_event``, the store's corroboration) weigh once; every report
  is still listed with it. A report not linked to a real-world event is its
  own.
- **Periods.** Each real-world event falls in the period (``YYYY-MM`` with
  ``by="month"``, ``YYYY`` with ``by="year"``) of its effective date: the
  event's own date (first day of its month or year at that precision), else
  its article's publication date; its first report's date when corroborated.
  Undated ones fall in the period ``"undated"``. Events after ``as_of`` are
  left out; undated ones then too.
- **Balance.** Per period and for the stance: ``cooperation`` = sum of the
  positive weights, ``conflict`` = sum of the magnitudes of the negative ones,
  ``balance`` = cooperation − conflict (weights of zero count in ``n`` only).
- **Stance class** (:data:`STANCE_RULE`), over the real-world events of the
  last :data:`WINDOW_DAYS` days up to ``as_of`` (with ``as_of`` ``None``: up to
  the latest effective date of any event towards the target, undated events
  included): ``no record`` when none of them weighs; ``engaging`` when
  cooperation is at least twice conflict; ``isolating`` when conflict is at
  least twice cooperation; ``mixed`` otherwise.
- **Issues.** Each observer lists how many of its events in the window (asserted
  and intentions) carry each issue (``data/issues.yaml``).

Every value links to its events: each :class:`Cell` lists the real-world events
it sums, each with its weight and its reports (:class:`StanceEvent`), so that
folding them again gives the same numbers (a test does).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from diplowatch.model import Event
from diplowatch.ontology import EVENT_TYPES, MUTUAL_EVENTS, QUAD_CLASSES, goldstein
from diplowatch.state import _as_date, _parse_partial  # noqa: PLC2701 - one date reading for both folds

__all__ = ["CLASSES", "STANCE_RULE", "WINDOW_DAYS", "Cell", "ObserverStance", "RealWeight", "Stance",
           "StanceEvent", "StanceRow", "classify", "effective_day", "stance", "stance_row"]

WINDOW_DAYS = 365
"""Days up to ``as_of`` whose real-world events decide an observer's stance class."""
CLASSES: tuple[str, ...] = ("engaging", "mixed", "isolating", "no record")
"""Stance classes, from cooperative to conflictual, then none."""
STANCE_RULE = ("over the real-world events of the last 365 days up to the date: 'no record' when none weighs; "
               "'engaging' when cooperation (sum of positive Goldstein weights) is at least twice conflict "
               "(sum of the magnitudes of negative ones); 'isolating' when conflict is at least twice "
               "cooperation; 'mixed' otherwise")
"""The rule of :func:`classify`, in words (shown by the CLI and the API)."""
UNDATED = "undated"

_ISO3 = re.compile(r"^[A-Z]{3}$")
_BOTH_WAYS = frozenset(MUTUAL_EVENTS | {n for n, t in EVENT_TYPES.items() if t.facet == "contacts"})


class StanceRow(NamedTuple):
    """The fields of one event that :func:`stance` reads, as one flat tuple.

    Attributes:
        id, doc, event, polarity, cameo, plover: of the event.
        date: its own date (ISO at its precision) or ``None``.
        published: its article's publication date (ISO ``YYYY-MM-DD``) or ``None``.
        url: its article's URL or ``None``.
        evidence: the evidence sentence.
        source_id, source_state, target_id, target_state: the two actors (``None`` when absent).
        real_event: id of its real-world event in the store, or ``None`` when not linked.
        issues: issue ids joined by ``;``, or ``None``.
    """

    id: str
    doc: str
    event: str
    polarity: str
    cameo: str
    plover: str
    date: str | None
    published: str | None
    url: str | None
    evidence: str
    source_id: str | None
    source_state: str | None
    target_id: str | None
    target_state: str | None
    real_event: int | None
    issues: str | None


@dataclass(frozen=True, slots=True)
class StanceEvent:
    """One report (stored event) behind a stance value.

    Attributes:
        event_id, event, polarity, date, doc, url, evidence: of the event.
        effective: its effective date (ISO day) or ``None``.
        issues: its issue ids.
    """

    event_id: str
    event: str
    polarity: str
    date: str | None
    effective: str | None
    doc: str
    url: str | None
    evidence: str
    issues: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RealWeight:
    """One real-world event as it weighs: its weight once, and every report of it.

    Attributes:
        key: ``"r<real event id>"``, or ``"e<event id>"`` for a report not linked to one.
        event: event type; cameo, plover: of its first report.
        weight: Goldstein weight of ``cameo``.
        quad: PLOVER quad category (1–4) of ``plover``, ``0`` when unknown.
        effective: effective ISO day of its first report, or ``None``.
        reports: its reports, in fold order.
    """

    key: str
    event: str
    cameo: str
    plover: str
    weight: float
    quad: int
    effective: str | None
    reports: tuple[StanceEvent, ...]


@dataclass(frozen=True, slots=True)
class Cell:
    """The weighed events of one observer in one period (or in the stance window).

    Attributes:
        period: ``YYYY-MM``, ``YYYY``, ``"undated"``, or ``"window"`` for the stance.
        cooperation: sum of positive weights; conflict: sum of magnitudes of negative ones.
        balance: ``cooperation - conflict``.
        n: number of real-world events; quads: number per quad category (``{1: n, …}``).
        events: the real-world events summed, in date order.
    """

    period: str
    cooperation: float
    conflict: float
    balance: float
    n: int
    quads: dict[int, int]
    events: tuple[RealWeight, ...]


@dataclass(frozen=True, slots=True)
class ObserverStance:
    """One observer's stance towards the target.

    Attributes:
        observer: ISO3 code (or the id of a body of no single state).
        stance: one of :data:`CLASSES`, by :data:`STANCE_RULE` over ``window``.
        window: the cell of the stance window (``since`` … ``until``).
        since, until: bounds of the window (ISO days; ``None`` when undated events only).
        series: one cell per period with events, in period order (``undated`` last).
        intentions: negated and hypothetical events (planned, denied, urged), in date order.
        issues: issue id → number of the observer's events in the window that carry it.
    """

    observer: str
    stance: str
    window: Cell
    since: str | None
    until: str | None
    series: tuple[Cell, ...]
    intentions: tuple[StanceEvent, ...] = ()
    issues: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Stance:
    """Every observer's stance towards one target.

    Attributes:
        target: the ISO3 code or actor id asked for.
        as_of: ISO date, or ``None`` for everything known.
        by: ``month`` or ``year``.
        rule: :data:`STANCE_RULE`.
        observers: :class:`ObserverStance` by observer code, sorted by code.
        unattributed: events with no source, of any polarity (weigh for nobody): "no country
            has recognised", "Western powers remain divided on whether to engage".
        issues: issue id → number of events towards the target in the window (every
            observer's, intentions and unattributed ones included) that carry it.
    """

    target: str
    as_of: str | None
    by: str
    rule: str
    observers: dict[str, ObserverStance]
    unattributed: tuple[StanceEvent, ...] = ()
    issues: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (dates ISO strings, quad keys as numbers)."""
        return asdict(self)


def classify(cooperation: float, conflict: float) -> str:
    """The stance class of a balance (:data:`STANCE_RULE`); both arguments are non-negative sums."""
    if cooperation <= 0 and conflict <= 0:
        return "no record"
    if cooperation >= 2 * conflict:
        return "engaging"
    if conflict >= 2 * cooperation:
        return "isolating"
    return "mixed"


def stance_row(event: Event, real_event: int | None = None) -> StanceRow:
    """The :class:`StanceRow` of an event (``published`` and ``url`` from attributes of that name when present)."""
    src, tgt = event.source, event.target
    pub = getattr(event, "published", None)
    return StanceRow(event.id, event.doc, event.event, event.polarity, event.cameo, event.plover, event.date,
                     pub.isoformat() if isinstance(pub, dt.date) else pub, getattr(event, "url", None),
                     event.evidence.text, src.id if src else None, src.state if src else None,
                     tgt.id if tgt else None, tgt.state if tgt else None, real_event,
                     ";".join(event.issues) or None)


def stance(rows: Iterable[StanceRow | Event], target: str, as_of: dt.date | str | None = None, *,
           by: str = "month", observer: str | None = None, window_days: int = WINDOW_DAYS) -> Stance:
    """Fold events into every observer's stance towards ``target`` (see the module rules).

    Args:
        rows: :class:`StanceRow` tuples or events, in any order; rows of other
            targets are ignored.
        target: ISO3 code of a state, or an actor id.
        as_of: ``datetime.date`` or ISO ``YYYY-MM-DD``; ``None``: everything known.
        by: ``"month"`` or ``"year"``: the periods of :attr:`ObserverStance.series`.
        observer: only this observer (ISO3 code or body id); ``None``: all.
        window_days: days of the stance window (default :data:`WINDOW_DAYS`).

    Returns:
        A :class:`Stance`.

    Raises:
        ValueError: empty ``target``, ``as_of`` not an ISO date, ``by`` not month or year,
            ``window_days`` below 1.
    """
    if not target or not target.strip():
        raise ValueError("target must be an ISO3 state code or an actor id")
    if by not in ("month", "year"):
        raise ValueError(f"by must be 'month' or 'year', not {by!r}")
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    target = target.strip()
    cutoff = _as_date(as_of, strict=True)
    cut_iso = cutoff.isoformat() if cutoff is not None else None
    by_state = bool(_ISO3.match(target))
    cut = 7 if by == "month" else 4

    # observer -> key -> [cameo, plover, effective, [reports]]; observer -> intentions
    weighed: dict[str, dict[str, list[Any]]] = {}
    intentions: dict[str, list[StanceEvent]] = {}
    forward: set[tuple[str, str, str]] = set()  # (observer, doc, event) counted as the observer's own
    mirrored: list[tuple[str, StanceRow, str | None]] = []
    unattributed: list[StanceEvent] = []
    latest: str | None = None
    for raw in rows:
        r = raw if isinstance(raw, tuple) else stance_row(raw)
        if r.target_id is not None and (r.target_state == target if by_state else r.target_id == target):
            obs = (r.source_state or r.source_id) if r.source_id is not None else None
            reverse = False
        elif r.event in _BOTH_WAYS and r.source_id is not None and r.target_id is not None \
                and (r.source_state == target if by_state else r.source_id == target):
            obs, reverse = r.target_state or r.target_id, True
        else:
            continue
        if obs is not None and obs == target:
            continue
        eff = effective_day(r.date, r.published)
        if eff is not None and cut_iso is not None and eff > cut_iso:
            continue
        if eff is None and cutoff is not None:
            continue
        if eff is not None and (latest is None or eff > latest):
            latest = eff
        if obs is None:
            unattributed.append(_report(r, eff))
            continue
        if observer is not None and obs != observer:
            continue
        if r.polarity != "asserted":
            intentions.setdefault(obs, []).append(_report(r, eff))
            continue
        if reverse:
            mirrored.append((obs, r, eff))
            continue
        forward.add((obs, r.doc, r.event))
        _weigh(weighed.setdefault(obs, {}), r, eff)
    for obs, r, eff in mirrored:
        if (obs, r.doc, r.event) not in forward:  # talks coded both ways are one act
            _weigh(weighed.setdefault(obs, {}), r, eff)

    until = cutoff.isoformat() if cutoff is not None else latest
    since = (dt.date.fromisoformat(until) - dt.timedelta(days=window_days - 1)).isoformat() if until else None
    out: dict[str, ObserverStance] = {}
    for obs in sorted(set(weighed) | set(intentions)):
        reals = sorted((_real(k, v) for k, v in weighed.get(obs, {}).items()),
                       key=lambda w: (w.effective is None, w.effective or "", w.key))
        periods: dict[str, list[RealWeight]] = {}
        for w in reals:
            periods.setdefault(w.effective[:cut] if w.effective else UNDATED, []).append(w)
        series = tuple(_cell(p, ws) for p, ws in periods.items())
        in_window = [w for w in reals if _within(w.effective, since, until, cutoff is None)]
        win = _cell("window", in_window)
        intents = sorted(intentions.get(obs, []), key=lambda s: (s.effective is None, s.effective or "", s.event_id))
        counts: dict[str, int] = {}
        for s in [rep for w in in_window for rep in w.reports] + [
                s for s in intents if _within(s.effective, since, until, cutoff is None)]:
            for issue in s.issues:
                counts[issue] = counts.get(issue, 0) + 1
        out[obs] = ObserverStance(observer=obs, stance=classify(win.cooperation, win.conflict), window=win,
                                  since=since, until=until, series=series, intentions=tuple(intents),
                                  issues=dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))
    unattributed.sort(key=lambda s: (s.effective is None, s.effective or "", s.event_id))
    total: dict[str, int] = {}
    for o in out.values():
        for issue, n in o.issues.items():
            total[issue] = total.get(issue, 0) + n
    for s in unattributed:
        if _within(s.effective, since, until, cutoff is None):
            for issue in s.issues:
                total[issue] = total.get(issue, 0) + 1
    return Stance(target=target, as_of=cutoff.isoformat() if cutoff else None, by=by, rule=STANCE_RULE,
                  observers=out, unattributed=tuple(unattributed),
                  issues=dict(sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))))


# -- internals ---------------------------------------------------------------


def _within(effective: str | None, since: str | None, until: str | None, undated: bool) -> bool:
    """Whether an effective date falls in the window; an undated event does when ``undated``."""
    if effective is None:
        return undated
    return since is not None and until is not None and since <= effective <= until


def _weigh(into: dict[str, list[Any]], r: StanceRow, eff: str | None) -> None:
    key = f"r{r.real_event}" if r.real_event is not None else f"e{r.id}"
    slot = into.get(key)
    if slot is None:
        into[key] = [r.cameo, r.plover, eff, [_report(r, eff)], r.event]
    else:
        slot[3].append(_report(r, eff))
        if eff is not None and (slot[2] is None or eff < slot[2]):
            slot[2] = eff


def _real(key: str, slot: list[Any]) -> RealWeight:
    cameo, plover, eff, reports, event = slot
    try:
        weight = goldstein(cameo)
    except KeyError:
        weight = 0.0
    reports.sort(key=lambda s: (s.effective is None, s.effective or "", s.event_id))
    return RealWeight(key, event, cameo, plover, weight, QUAD_CLASSES.get(plover, 0), eff, tuple(reports))


def _cell(period: str, ws: list[RealWeight]) -> Cell:
    coop = round(sum(w.weight for w in ws if w.weight > 0), 3)
    conf = round(sum(-w.weight for w in ws if w.weight < 0), 3)
    quads: dict[int, int] = {}
    for w in ws:
        quads[w.quad] = quads.get(w.quad, 0) + 1
    return Cell(period, coop, conf, round(coop - conf, 3), len(ws), dict(sorted(quads.items())), tuple(ws))


def _report(r: StanceRow, eff: str | None) -> StanceEvent:
    return StanceEvent(r.id, r.event, r.polarity, r.date, eff, r.doc, r.url, r.evidence,
                       tuple(r.issues.split(";")) if r.issues else ())


@functools.lru_cache(maxsize=65536)  # a store repeats the same dates many times
def effective_day(date: str | None, published: str | None) -> str | None:
    """Effective ISO day of an event: its own date (the first day at month or year precision), else the
    publication date of its article; ``None`` when neither is an ISO date."""
    return _parse_partial(date)[1] or _parse_partial(published[:10] if published else None)[1]
