"""Article identity, near-duplicates and corroboration, inside a write transaction.

Used by :meth:`diplowatch.store.KnowledgeBase.storing` (and by migration 0002 to
backfill databases made by 0001). Every function takes an open
:class:`~sqlalchemy.engine.Connection` in a transaction and writes nothing
outside it.

Rules (DESIGN §5, RELIABILITY.md "Store"):

- **Identity**: an article's ``content_key`` is :func:`diplowatch.model.article_id`
  of its canonical URL (:func:`canonical_url`), or of its normalised text when
  it has no URL. A unique index on it makes the same article under another doc
  id, or ingested again, add nothing.
- **Near-duplicates**: see :mod:`diplowatch.store.neardup`. A near-duplicate is
  linked to the *root* of its group (the earliest stored article of it), so
  ``coalesce(near_duplicates.duplicate_of, article id)`` names one independent
  source.
- **Corroboration**: reports (stored events) of the same key — (event type,
  source party, target party, polarity), party = ``actor.state`` or
  ``actor.id``, the pair sorted for :data:`~diplowatch.ontology.MUTUAL_EVENTS`
  — are grouped into real-world events by windows anchored on their sorted
  dates (report date = the event's effective date: its own date, else its
  article's publication date): the earliest report opens a window, every
  report at most ``window_days`` days after it joins it, the first report
  beyond opens the next (ties broken by event id). The grouping is a function
  of the stored reports alone, so the same articles give the same real-world
  events whatever the order or the number of writers (RELIABILITY.md: forwards,
  reverse, shuffled, three concurrent writers). Each write regroups, in its
  transaction, the keys of its new reports from the window before the
  earliest new date onwards (:func:`link_reports`); :func:`regroup` redoes
  whole keys. Undated reports of one key share one undated real-world event.
  ``n_reports``, ``n_sources`` (distinct independent sources), ``first_date``
  and ``last_date`` are always recomputed from the ``reports`` rows
  (:func:`refresh_real_events`), never incremented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Connection, bindparam, delete, distinct, func, insert, select, update

from diplowatch.model import Actor, Article, Event, article_id
from diplowatch.ontology import MUTUAL_EVENTS
from diplowatch.store import neardup
from diplowatch.store.schema import (
    ARTICLE_MINHASH, EVENTS, NEAR_DUPLICATES, REAL_EVENTS, REPORTS,
)

__all__ = ["DEFAULT_WINDOW_DAYS", "Report", "canonical_url", "content_key", "link_reports",
           "mark_near_duplicate", "party", "refresh_real_event", "refresh_real_events", "regroup", "report_of",
           "windows"]

DEFAULT_WINDOW_DAYS = 7
"""Longest span, in days, of the reports of one real-world event."""

_CHUNK = 500
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid")


def canonical_url(url: str | None) -> str | None:
    """A URL reduced to what names the article; ``None`` for an empty one.

    Lower-cases scheme and host, drops the fragment, a default port, a
    trailing ``/`` of the path and tracking parameters (``utm_*``, ``fbclid``,
    ``gclid`` …); keeps the other query parameters in their order.
    """
    url = (url or "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not k.lower().startswith(_TRACKING)])
    return urlunsplit((scheme, netloc, path, query, ""))


def content_key(article: Article) -> str:
    """The identity of an article's content: ``article_id(canonical URL, text)`` (``a_`` + 16 hex)."""
    return article_id(canonical_url(article.url), article.text)


def party(actor: Actor | None) -> str | None:
    """The party an actor stands for: its ``state``, else its ``id``; ``None`` without an actor."""
    if actor is None:
        return None
    return actor.state or actor.id


@dataclass(frozen=True, slots=True)
class Report:
    """What corroboration needs of one stored event.

    Attributes:
        event_id: the stored event's id.
        event, polarity: its type and polarity.
        source, target: parties (sorted pair for mutual events).
        date: effective date (ISO ``YYYY-MM-DD``) or ``None``.
    """

    event_id: str
    event: str
    source: str | None
    target: str | None
    polarity: str
    date: str | None


def report_of(event: Event, published: dt.date | str | None) -> Report:
    """The :class:`Report` of an event whose article was published on ``published``."""
    from diplowatch.state import effective_date

    src, tgt = party(event.source), party(event.target)
    return _report(event.id, event.event, src, tgt, event.polarity,
                   effective_date(event, published))


def report_of_row(event_id: str, event: str, src: str | None, tgt: str | None, polarity: str,
                  date: str | None, published: str | None) -> Report:
    """The :class:`Report` of a stored event row (parties already resolved)."""
    from diplowatch.state import effective_date

    return _report(event_id, event, src, tgt, polarity,
                   effective_date(SimpleNamespace(date=date), published))  # type: ignore[arg-type]


def _report(event_id: str, event: str, src: str | None, tgt: str | None, polarity: str,
            eff: dt.date | None) -> Report:
    if event in MUTUAL_EVENTS and src is not None and tgt is not None and tgt < src:
        src, tgt = tgt, src
    return Report(event_id, event, src, tgt, polarity, eff.isoformat() if eff else None)


# -- near-duplicates ---------------------------------------------------------


def mark_near_duplicate(conn: Connection, index: neardup.NearDuplicateIndex, article: str,
                        sig: bytes | None) -> tuple[str, float] | None:
    """Store the signature of a new article and link it to the root of its near-duplicates.

    Args:
        conn: a connection in the write transaction that stores ``article``.
        index: the in-memory LSH index of group roots; roots stored since its
            ``last_seq`` are added to it first.
        article: id of the (just inserted) article.
        sig: its signature (:func:`neardup.signature`), ``None`` for a text without words.

    Returns:
        ``(root article id, estimated similarity)`` when it is a near-duplicate, else ``None``.
    """
    rows = conn.execute(select(ARTICLE_MINHASH.c.seq, ARTICLE_MINHASH.c.article_id,
                               ARTICLE_MINHASH.c.signature, NEAR_DUPLICATES.c.duplicate_of)
                        .outerjoin_from(ARTICLE_MINHASH, NEAR_DUPLICATES,
                                        NEAR_DUPLICATES.c.article_id == ARTICLE_MINHASH.c.article_id)
                        .where(ARTICLE_MINHASH.c.seq > index.last_seq)
                        .order_by(ARTICLE_MINHASH.c.seq))
    # only roots go into the index: a group of copies is one entry, however many copies it has
    index.add((r.seq, r.article_id, None if r.duplicate_of else bytes(r.signature)) for r in rows)
    if sig is None:
        return None
    found: tuple[str, float] | None = None
    cands = [c for c in index.candidates(sig) if c != article]
    if cands:
        sims: dict[str, float] = {}
        for chunk in _chunks(cands):
            for r in conn.execute(select(ARTICLE_MINHASH.c.article_id, ARTICLE_MINHASH.c.signature)
                                  .where(ARTICLE_MINHASH.c.article_id.in_(chunk))):
                s = neardup.similarity(sig, bytes(r.signature))
                if s >= index.threshold:
                    sims[r.article_id] = s
        if sims:
            roots = {c: c for c in sims}
            for chunk in _chunks(list(sims)):
                for r in conn.execute(select(NEAR_DUPLICATES.c.article_id, NEAR_DUPLICATES.c.duplicate_of)
                                      .where(NEAR_DUPLICATES.c.article_id.in_(chunk))):
                    roots[r.article_id] = r.duplicate_of
            seqs = {r.article_id: r.seq for r in conn.execute(
                select(ARTICLE_MINHASH.c.article_id, ARTICLE_MINHASH.c.seq)
                .where(ARTICLE_MINHASH.c.article_id.in_(sorted(set(roots.values())))))}
            best = min(roots.values(), key=lambda a: (seqs.get(a, 0), a))
            sim = max(s for c, s in sims.items() if roots[c] == best)
            conn.execute(insert(NEAR_DUPLICATES).values(article_id=article, duplicate_of=best,
                                                        similarity=round(sim, 4)))
            found = (best, sim)
    conn.execute(insert(ARTICLE_MINHASH).values(article_id=article, signature=sig))
    return found


# -- corroboration -----------------------------------------------------------


Key = tuple[str, str | None, str | None, str]


def _key(rep: Report) -> Key:
    return (rep.event, rep.source, rep.target, rep.polarity)


def _key_order(key: Key) -> tuple[str, ...]:
    return tuple("" if k is None else k for k in key)


def windows(dates: Sequence[tuple[str, str]], window_days: int) -> list[list[str]]:
    """Group dated reports into windows anchored on their sorted dates.

    Args:
        dates: ``(ISO date YYYY-MM-DD, event id)`` pairs of one key, any order.
        window_days: the longest span of a window, in days (>= 0).

    Returns:
        The event ids of each window, windows in date order, ids in (date, id)
        order: the earliest report opens a window, every report at most
        ``window_days`` days after that one joins it, the first beyond opens
        the next. The same pairs always give the same windows.
    """
    out: list[list[str]] = []
    end: dt.date | None = None
    for day, event_id in sorted(dates):
        d = dt.date.fromisoformat(day)
        if end is None or d > end:
            out.append([])
            end = d + dt.timedelta(days=window_days)
        out[-1].append(event_id)
    return out


def link_reports(conn: Connection, reports: Iterable[Report], window_days: int = DEFAULT_WINDOW_DAYS
                 ) -> set[int]:
    """Link new reports (stored events with no link yet) to real-world events, regrouping their keys.

    For each key of the new reports, in key order: undated reports join the
    key's undated real-world event; dated ones are inserted and the key's
    dated reports from the start of the window holding (or preceding) the
    earliest new date onwards are regrouped by :func:`windows` (the windows
    before it cannot change). A window keeps the lowest id among the
    real-world events its reports were linked to, else gets a new one;
    real-world events left without reports are deleted; aggregates are
    recomputed (:func:`refresh_real_events`).

    Returns:
        The ids of the real-world events of the regrouped ranges (those that
        may have gained, lost or changed reports); none of them is deleted.
    """
    by_key: dict[Key, list[Report]] = {}
    for rep in reports:
        by_key.setdefault(_key(rep), []).append(rep)
    touched: set[int] = set()
    for key in sorted(by_key, key=_key_order):
        touched |= _regroup(conn, key, by_key[key], window_days, full=False)
    refresh_real_events(conn, touched)
    return touched


def regroup(conn: Connection, window_days: int = DEFAULT_WINDOW_DAYS) -> set[int]:
    """Regroup every key's dated reports from the first (as :func:`link_reports` does for new ones).

    Brings a store grouped by an earlier, order-dependent rule (or with another
    window) to the grouping the stored reports give now.

    Real-world events that no report is linked to are deleted.

    Returns:
        The ids of the real-world events that remain.
    """
    t = REAL_EVENTS.c
    keys = [tuple(r) for r in conn.execute(select(t.event, t.source_party, t.target_party, t.polarity).distinct())]
    touched: set[int] = set()
    for key in sorted(keys, key=_key_order):  # type: ignore[arg-type]
        touched |= _regroup(conn, key, [], window_days, full=True)  # type: ignore[arg-type]
    linked = select(REPORTS.c.real_event_id).distinct()
    conn.execute(delete(REAL_EVENTS).where(t.id.not_in(linked)))  # real-world events no report is linked to
    touched = set(conn.execute(select(t.id).where(t.id.in_(linked))).scalars())
    refresh_real_events(conn, touched)
    return touched


def _of_key(key: Key) -> list[Any]:
    t = REAL_EVENTS.c
    event, src, tgt, polarity = key
    return [t.event == event, t.polarity == polarity,
            t.source_party.is_(None) if src is None else t.source_party == src,
            t.target_party.is_(None) if tgt is None else t.target_party == tgt]


def _new_real_event(conn: Connection, key: Key) -> int:
    event, src, tgt, polarity = key
    return conn.execute(insert(REAL_EVENTS).values(
        event=event, source_party=src, target_party=tgt, polarity=polarity,
        first_date=None, last_date=None, n_reports=0, n_sources=0)).inserted_primary_key[0]


def _regroup(conn: Connection, key: Key, new: list[Report], window_days: int, *, full: bool) -> set[int]:
    t = REAL_EVENTS.c
    where = _of_key(key)
    touched: set[int] = set()
    undated = sorted(r.event_id for r in new if r.date is None)
    if undated:
        rid = conn.execute(select(t.id).where(*where, t.first_date.is_(None)).order_by(t.id).limit(1)).scalar()
        rid = rid if rid is not None else _new_real_event(conn, key)
        conn.execute(insert(REPORTS), [{"event_id": e, "real_event_id": rid, "report_date": None} for e in undated])
        touched.add(rid)
    dated = [r for r in new if r.date is not None]
    if not dated and not full:
        return touched
    anchor = None
    if not full:
        anchor = conn.execute(select(func.max(t.first_date)).where(
            *where, t.first_date <= min(r.date for r in dated))).scalar()  # type: ignore[type-var]
    q = (select(REPORTS.c.event_id, REPORTS.c.report_date, REPORTS.c.real_event_id)
         .join(REAL_EVENTS, REAL_EVENTS.c.id == REPORTS.c.real_event_id)
         .where(*where, REPORTS.c.report_date.is_not(None)))
    if anchor is not None:
        q = q.where(REPORTS.c.report_date >= anchor)
    old: dict[str, int] = {}
    days: list[tuple[str, str]] = []
    for r in conn.execute(q):
        old[r.event_id] = r.real_event_id
        days.append((r.report_date, r.event_id))
    days += [(r.date, r.event_id) for r in dated]  # type: ignore[misc]
    used: list[int] = []
    moved: list[dict[str, Any]] = []
    added: list[dict[str, Any]] = []
    day_of = {e: d for d, e in days}
    for group in windows(days, window_days):
        cands = sorted({old[e] for e in group if e in old} - set(used))
        rid = cands[0] if cands else _new_real_event(conn, key)
        used.append(rid)
        for e in group:
            if e not in old:
                added.append({"event_id": e, "real_event_id": rid, "report_date": day_of[e]})
            elif old[e] != rid:
                moved.append({"eid": e, "rid": rid})
    if added:
        conn.execute(insert(REPORTS), added)
    if moved:
        conn.execute(update(REPORTS).where(REPORTS.c.event_id == bindparam("eid"))
                     .values(real_event_id=bindparam("rid")), moved)
    emptied = sorted(set(old.values()) - set(used))
    if emptied:  # every report of these moved to another window of the same key
        left = set(conn.execute(select(REPORTS.c.real_event_id).where(
            REPORTS.c.real_event_id.in_(emptied)).distinct()).scalars())
        gone = [rid for rid in emptied if rid not in left]
        if gone:
            conn.execute(delete(REAL_EVENTS).where(t.id.in_(gone)))
        touched |= left
    return touched | set(used)


def refresh_real_event(conn: Connection, real_event_id: int) -> bool:
    """Recompute one real-world event's aggregates from its reports; ``True`` if they changed.

    See :func:`refresh_real_events`.
    """
    return refresh_real_events(conn, [real_event_id]) == 1


def refresh_real_events(conn: Connection, real_event_ids: Iterable[int]) -> int:
    """Recompute real-world events' aggregates from their reports, a few statements for them all.

    ``n_reports`` = linked events; ``n_sources`` = distinct independent
    sources (an article, or the root of its near-duplicate group);
    ``first_date``/``last_date`` = earliest and latest report dates (ISO);
    a real-world event without reports gets ``None``, ``None``, 0, 0.

    Args:
        conn: a connection in the write transaction.
        real_event_ids: ids of stored real-world events (unknown ids are passed over).

    Returns:
        How many of them had stored aggregates that differed (and were updated).
    """
    ids = sorted(set(real_event_ids))
    root = func.coalesce(NEAR_DUPLICATES.c.duplicate_of, EVENTS.c.doc)
    t = REAL_EVENTS.c
    changed: list[dict[str, object]] = []
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        fresh = {r[0]: tuple(r[1:]) for r in conn.execute(
            select(REPORTS.c.real_event_id, func.min(REPORTS.c.report_date), func.max(REPORTS.c.report_date),
                   func.count(), func.count(distinct(root)))
            .select_from(REPORTS.join(EVENTS, EVENTS.c.id == REPORTS.c.event_id)
                         .outerjoin(NEAR_DUPLICATES, NEAR_DUPLICATES.c.article_id == EVENTS.c.doc))
            .where(REPORTS.c.real_event_id.in_(chunk)).group_by(REPORTS.c.real_event_id))}
        for r in conn.execute(select(t.id, t.first_date, t.last_date, t.n_reports, t.n_sources)
                              .where(t.id.in_(chunk))):
            values = fresh.get(r.id, (None, None, 0, 0))
            if tuple(r[1:]) != values:
                changed.append(dict(zip(("rid", "first", "last", "reports", "sources"), (r.id, *values))))
    if changed:
        conn.execute(update(REAL_EVENTS).where(t.id == bindparam("rid")).values(
            first_date=bindparam("first"), last_date=bindparam("last"),
            n_reports=bindparam("reports"), n_sources=bindparam("sources")), changed)
    return len(changed)


def _chunks(items: Sequence[str]) -> Iterable[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield list(items[i:i + _CHUNK])
