"""What the knowledge base returns, and the rows it is read from.

Records: :class:`StoredEvent` (an :class:`~diplowatch.model.Event` with its
article's date and URL), :class:`RealEvent`, :class:`TimelineEntry`,
:class:`Quarantined`. Rows become records through :func:`article_of`,
:func:`stored_event_of` and :func:`real_event_of`; :func:`event_select` is the
one query shape that :func:`stored_event_of` reads (events with their
article's date and URL and both actors), shared by
:meth:`KnowledgeBase.events <diplowatch.store.KnowledgeBase.events>` and
:mod:`diplowatch.store.queries`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from diplowatch.model import Actor, Article, Event, Evidence
from diplowatch.store.schema import ACTORS, ARTICLES, EVENTS

__all__ = ["Quarantined", "RealEvent", "StoredEvent", "TimelineEntry", "article_of", "event_select",
           "real_event_of", "stored_event_of"]


@dataclass(frozen=True, slots=True)
class StoredEvent(Event):
    """An :class:`Event` read back from the store, with its article's metadata.

    It *is* an ``Event`` (``to_dict()`` is the DESIGN §2 object, unchanged), and
    adds what the relation-state fold needs to order and cite it.

    Attributes:
        published: publication date of the article that reports it, or ``None``.
        url: URL of that article, or ``None``.
    """

    published: dt.date | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class RealEvent:
    """One real-world event: the reports (stored events) that corroborate each other.

    Attributes:
        id: its id in the store.
        event, polarity: event type and polarity shared by its reports.
        source, target: parties (``actor.state``, else ``actor.id``; ``None``
            without an actor); for mutual events the pair in sorted order.
        first_date, last_date: earliest and latest report dates (ISO
            ``YYYY-MM-DD``; a report's date is its event date, else its
            article's publication date); ``None`` for undated reports.
        n_reports: number of reports (stored events) linked to it.
        n_sources: independent sources: distinct articles, near-duplicates of
            one another counted once.
        event_ids: ids of its reports, by report date then id.
    """

    id: int
    event: str
    source: str | None
    target: str | None
    polarity: str
    first_date: str | None
    last_date: str | None
    n_reports: int
    n_sources: int
    event_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {f: getattr(self, f) if f != "event_ids" else list(self.event_ids)
                for f in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One stored event in an actor's timeline.

    Attributes:
        date: effective date (ISO; the event's date, else its article's
            publication date), ``None`` when neither is known.
        event: the stored event (with its article's ``published`` and ``url``).
        real_event: the real-world event it reports, or ``None`` (not linked).
    """

    date: str | None
    event: StoredEvent
    real_event: RealEvent | None


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A record that could not be stored (see :meth:`KnowledgeBase.quarantine`).

    Attributes:
        id: its id in the store.
        source: file, URL or doc id it came from.
        line: 1-based line in ``source``, or ``None``.
        reason: why it was quarantined.
        raw: the record as ASCII JSON text (lone surrogates escaped as
            ``\\udXXX``), or ``None`` when it was not available.
        created_at: ISO 8601 UTC time stamp.
    """

    id: int
    source: str
    line: int | None
    reason: str
    raw: str | None
    created_at: str


def event_select(*extra: Any) -> tuple[Select[Any], Any, Any]:
    """The query of stored events that :func:`stored_event_of` reads, with ``extra`` columns.

    Args:
        extra: more columns or labelled expressions to select.

    Returns:
        ``(query, src, tgt)``: events joined to their article
        (``a_published``, ``a_url``) and, outer-joined, to their source and
        target actors (``s_name``, ``s_kind``, ``s_state``, ``t_…``); ``src``
        and ``tgt`` are the two aliases of ``actors``, to filter on.
    """
    src, tgt = ACTORS.alias("src"), ACTORS.alias("tgt")
    q = (select(EVENTS, ARTICLES.c.published.label("a_published"), ARTICLES.c.url.label("a_url"),
                src.c.name.label("s_name"), src.c.kind.label("s_kind"), src.c.state.label("s_state"),
                tgt.c.name.label("t_name"), tgt.c.kind.label("t_kind"), tgt.c.state.label("t_state"), *extra)
         .join(ARTICLES, ARTICLES.c.id == EVENTS.c.doc)
         .outerjoin(src, src.c.id == EVENTS.c.source_id)
         .outerjoin(tgt, tgt.c.id == EVENTS.c.target_id))
    return q, src, tgt


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def article_of(row: Any) -> Article:
    """An ``articles`` row (a mapping) as an :class:`Article`; an unusable stored date is ``None``."""
    return Article(id=row["id"], text=row["text"], title=row["title"], url=row["url"],
                   published=_date(row["published"]), lang=row["lang"])


def stored_event_of(r: Any, cache: dict[Any, Any] | None = None) -> StoredEvent:
    """A row of :func:`event_select` (a mapping) as a :class:`StoredEvent`.

    Args:
        r: the row.
        cache: one dict per query (or ``None``): the rows share their
            :class:`Actor` objects and parsed publication dates through it.
    """
    c: dict[Any, Any] = {} if cache is None else cache
    sid, tid, pub = r["source_id"], r["target_id"], r["a_published"]
    source = target = None
    if sid and (source := c.get(sid)) is None:
        source = c[sid] = Actor(sid, r["s_name"], r["s_kind"], r["s_state"])
    if tid and (target := c.get(tid)) is None:
        target = c[tid] = Actor(tid, r["t_name"], r["t_kind"], r["t_state"])
    published = c.get(("published", pub))
    if published is None:
        published = c[("published", pub)] = _date(pub)
    return StoredEvent(
        id=r["id"], doc=r["doc"], event=r["event"], source=source, target=target,
        polarity=r["polarity"], date=r["date"], date_precision=r["date_precision"],
        cameo=r["cameo"], plover=r["plover"],
        evidence=Evidence(r["evidence_text"], r["evidence_start"], r["evidence_end"]),
        attribution=r["attribution"], confidence=r["confidence"], extractor=r["extractor"],
        issues=tuple(r["issues"].split(";")) if r["issues"] else (), published=published, url=r["a_url"])


def real_event_of(r: Any, event_ids: tuple[str, ...]) -> RealEvent:
    """A ``real_events`` row (a mapping) and the ids of its reports as a :class:`RealEvent`."""
    return RealEvent(id=r["id"], event=r["event"], source=r["source_party"], target=r["target_party"],
                     polarity=r["polarity"], first_date=r["first_date"], last_date=r["last_date"],
                     n_reports=r["n_reports"], n_sources=r["n_sources"], event_ids=event_ids)
