"""Read queries for the HTTP API and the dashboard (one function feeds a page and its JSON twin).

Built on the tables of :mod:`diplowatch.store.schema`, the event query and
records of :mod:`diplowatch.store.records`, and the connections of an open
:class:`~diplowatch.store.KnowledgeBase`; no writes. Every function returns
plain data (dataclasses of the store, dicts, lists).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Text, and_, case, cast, distinct, func, literal, or_, select

from diplowatch.model import Article
from diplowatch.store.records import StoredEvent, article_of, event_select, stored_event_of
from diplowatch.store.schema import ACTORS, ARTICLES, EVENTS, NEAR_DUPLICATES

if TYPE_CHECKING:
    from diplowatch.store.db import KnowledgeBase

__all__ = ["EventFilter", "EventPage", "InvalidCursorError", "articles", "date_counts", "decode_cursor",
           "encode_cursor", "event_ids_of", "event_targets", "get_event", "latest_recognition", "list_events",
           "near_duplicates_of"]

RECOGNITION_EVENTS: tuple[str, ...] = ("recognize_government", "recognize_state")
MAX_LIMIT = 500


class InvalidCursorError(ValueError):
    """A pagination cursor that this server did not make (or made for another order)."""


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Filters of :func:`list_events`; ``None`` = no filter.

    Attributes:
        actor: ISO3 code or actor id that is the source or the target.
        event: event type.
        polarity: ``asserted``, ``negated`` or ``hypothetical``.
        since, until: effective date bounds (inclusive; the event's date, its
            first day at month or year precision, else the publication date).
        q: case-insensitive text that the evidence sentence contains.
        doc: article id.
    """

    actor: str | None = None
    event: str | None = None
    polarity: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    q: str | None = None
    doc: str | None = None


@dataclass(frozen=True, slots=True)
class EventPage:
    """One page of :func:`list_events`.

    Attributes:
        items: stored events, newest effective date first (then id, descending).
        effective: effective ISO date of each item (``None`` when undated).
        next_cursor: opaque cursor of the next page, or ``None`` on the last one.
    """

    items: list[StoredEvent]
    effective: list[str | None]
    next_cursor: str | None


def _effective_expr() -> Any:
    """SQL for the effective date: event date padded to a day, else the article's publication date."""
    d = EVENTS.c.date
    padded = case((func.length(d) == 4, d + literal("-01-01")),
                  (func.length(d) == 7, d + literal("-01")),
                  (func.length(d) == 10, d), else_=None)
    return func.coalesce(padded, ARTICLES.c.published, literal(""))


def encode_cursor(key: str, event_id: str) -> str:
    """Opaque cursor for the position after ``(effective key, event id)``."""
    raw = json.dumps(["e1", key, event_id], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """Inverse of :func:`encode_cursor`.

    Raises:
        InvalidCursorError: the cursor is malformed.
    """
    try:
        if len(cursor) > 1024:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        tag, key, event_id = json.loads(raw.decode("utf-8"))
        if tag != "e1" or not isinstance(key, str) or not isinstance(event_id, str):
            raise ValueError("wrong shape")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursorError(f"invalid cursor {cursor[:40]!r}: give the next_cursor of a previous page") \
            from exc
    return key, event_id


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _event_select() -> tuple[Any, Any, Any]:
    """:func:`~diplowatch.store.records.event_select` with the effective date as ``eff``."""
    return event_select(_effective_expr().label("eff"))


def list_events(kb: KnowledgeBase, flt: EventFilter, *, limit: int = 50, cursor: str | None = None) -> EventPage:
    """Stored events matching ``flt``, newest first, one page at a time (keyset pagination).

    Args:
        kb: an open :class:`~diplowatch.store.KnowledgeBase`.
        flt: the filters.
        limit: page size, 1 to :data:`MAX_LIMIT`.
        cursor: ``next_cursor`` of the previous page, or ``None`` for the first.

    Returns:
        An :class:`EventPage`.

    Raises:
        ValueError: ``limit`` out of range.
        InvalidCursorError: a malformed cursor.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    q, src, tgt = _event_select()
    eff = _effective_expr()
    if flt.actor is not None:
        q = q.where(or_(src.c.state == flt.actor, tgt.c.state == flt.actor,
                        EVENTS.c.source_id == flt.actor, EVENTS.c.target_id == flt.actor))
    if flt.event is not None:
        q = q.where(EVENTS.c.event == flt.event)
    if flt.polarity is not None:
        q = q.where(EVENTS.c.polarity == flt.polarity)
    if flt.doc is not None:
        q = q.where(EVENTS.c.doc == flt.doc)
    if flt.since is not None:
        q = q.where(and_(eff != "", eff >= flt.since.isoformat()))
    if flt.until is not None:
        q = q.where(and_(eff != "", eff <= flt.until.isoformat()))
    if flt.q:
        pattern = f"%{_like_escape(flt.q.lower())}%"
        q = q.where(func.lower(cast(EVENTS.c.evidence_text, Text)).like(pattern, escape="\\"))
    if cursor:
        key, last = decode_cursor(cursor)
        q = q.where(or_(eff < key, and_(eff == key, EVENTS.c.id < last)))
    q = q.order_by(eff.desc(), EVENTS.c.id.desc()).limit(limit + 1)
    with kb.connect() as conn:
        rows = conn.execute(q).mappings().all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [stored_event_of(r) for r in rows]
    effective = [r["eff"] or None for r in rows]
    nxt = encode_cursor(rows[-1]["eff"] or "", rows[-1]["id"]) if more and rows else None
    return EventPage(items, effective, nxt)


def get_event(kb: KnowledgeBase, event_id: str) -> tuple[StoredEvent, Article] | None:
    """The stored event with this id and its article, or ``None``."""
    q, _src, _tgt = _event_select()
    with kb.connect() as conn:
        row = conn.execute(q.where(EVENTS.c.id == event_id)).mappings().first()
        if row is None:
            return None
        art = conn.execute(select(ARTICLES).where(ARTICLES.c.id == row["doc"])).mappings().first()
    return stored_event_of(row), article_of(art)


def articles(kb: KnowledgeBase, ids: Sequence[str]) -> dict[str, Article]:
    """Stored articles by id (unknown ids left out)."""
    out: dict[str, Article] = {}
    unique = list(dict.fromkeys(ids))
    with kb.connect() as conn:
        for i in range(0, len(unique), 500):
            for r in conn.execute(select(ARTICLES).where(ARTICLES.c.id.in_(unique[i:i + 500]))).mappings():
                out[r["id"]] = article_of(r)
    return out


def near_duplicates_of(kb: KnowledgeBase, article_id: str) -> list[str]:
    """Ids of stored articles recorded as near-duplicates of ``article_id``."""
    with kb.connect() as conn:
        q = select(NEAR_DUPLICATES.c.article_id).where(NEAR_DUPLICATES.c.duplicate_of == article_id)
        return list(conn.execute(q.order_by(NEAR_DUPLICATES.c.article_id)).scalars())


def event_ids_of(kb: KnowledgeBase, article_id: str) -> list[str]:
    """Ids of the stored events of one article, sorted."""
    with kb.connect() as conn:
        return list(conn.execute(select(EVENTS.c.id).where(EVENTS.c.doc == article_id)
                                 .order_by(EVENTS.c.evidence_start, EVENTS.c.id)).scalars())


def latest_recognition(kb: KnowledgeBase) -> StoredEvent | None:
    """The asserted recognition event with the latest effective date (then publication date, id), or ``None``."""
    q, _src, _tgt = _event_select()
    eff = _effective_expr()
    q = (q.where(EVENTS.c.event.in_(RECOGNITION_EVENTS), EVENTS.c.polarity == "asserted",
                 EVENTS.c.target_id.is_not(None))
         .order_by(eff.desc(), ARTICLES.c.published.desc(), EVENTS.c.id.desc()).limit(1))
    with kb.connect() as conn:
        row = conn.execute(q).mappings().first()
    return stored_event_of(row) if row else None


def event_targets(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Every state (ISO3) that is the target of a stored event, with its number of events, most first."""
    tgt = ACTORS.alias("tgt")
    n = func.count(distinct(EVENTS.c.id)).label("n")
    q = (select(tgt.c.state, n).select_from(EVENTS).join(tgt, tgt.c.id == EVENTS.c.target_id)
         .where(tgt.c.state.is_not(None)).group_by(tgt.c.state).order_by(n.desc(), tgt.c.state))
    with kb.connect() as conn:
        return [{"code": r.state, "events": r.n} for r in conn.execute(q)]


def date_counts(kb: KnowledgeBase) -> list[tuple[str, int]]:
    """Number of stored events per effective date (ISO ``YYYY-MM-DD``; year or month dates count at their
    first day), earliest first; undated events are left out."""
    eff = _effective_expr().label("eff")
    q = (select(eff, func.count()).select_from(EVENTS).join(ARTICLES, ARTICLES.c.id == EVENTS.c.doc)
         .where(eff != "").group_by(eff).order_by(eff))
    with kb.connect() as conn:
        return [(d, n) for d, n in conn.execute(q)]
