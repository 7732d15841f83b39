"""Read queries for the HTTP API and the dashboard (one function feeds a page and its JSON twin).

Built on the tables of :mod:`diplowatch.store.db` and the engine of an open
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
from typing import Any

from sqlalchemy import Text, and_, case, cast, distinct, func, literal, or_, select

from diplowatch.model import Article
from diplowatch.store.db import (
    ACTORS, ARTICLES, EVENTS, NEAR_DUPLICATES, StoredEvent, _article, _check_id_free, _stored_event,
)

__all__ = ["EventFilter", "EventPage", "InvalidCursorError", "date_bounds", "decode_cursor", "encode_cursor",
           "event_targets", "get_event", "latest_recognition", "list_events", "stored_article_id"]

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


def _engine(kb: Any) -> Any:
    return kb._engine  # noqa: SLF001 - the store's own package


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
    src, tgt = ACTORS.alias("src"), ACTORS.alias("tgt")
    eff = _effective_expr().label("eff")
    q = (select(EVENTS, ARTICLES.c.published.label("a_published"), ARTICLES.c.url.label("a_url"),
                src.c.name.label("s_name"), src.c.kind.label("s_kind"), src.c.state.label("s_state"),
                tgt.c.name.label("t_name"), tgt.c.kind.label("t_kind"), tgt.c.state.label("t_state"), eff)
         .join(ARTICLES, ARTICLES.c.id == EVENTS.c.doc)
         .outerjoin(src, src.c.id == EVENTS.c.source_id)
         .outerjoin(tgt, tgt.c.id == EVENTS.c.target_id))
    return q, src, tgt


def list_events(kb: Any, flt: EventFilter, *, limit: int = 50, cursor: str | None = None) -> EventPage:
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
    with _engine(kb).connect() as conn:
        rows = conn.execute(q).mappings().all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [_stored_event(r) for r in rows]
    effective = [r["eff"] or None for r in rows]
    nxt = encode_cursor(rows[-1]["eff"] or "", rows[-1]["id"]) if more and rows else None
    return EventPage(items, effective, nxt)


def get_event(kb: Any, event_id: str) -> tuple[StoredEvent, Article] | None:
    """The stored event with this id and its article, or ``None``."""
    q, _src, _tgt = _event_select()
    with _engine(kb).connect() as conn:
        row = conn.execute(q.where(EVENTS.c.id == event_id)).mappings().first()
        if row is None:
            return None
        art = conn.execute(select(ARTICLES).where(ARTICLES.c.id == row["doc"])).mappings().first()
    return _stored_event(row), _article(art)


def articles(kb: Any, ids: Sequence[str]) -> dict[str, Article]:
    """Stored articles by id (unknown ids left out)."""
    out: dict[str, Article] = {}
    unique = list(dict.fromkeys(ids))
    with _engine(kb).connect() as conn:
        for i in range(0, len(unique), 500):
            for r in conn.execute(select(ARTICLES).where(ARTICLES.c.id.in_(unique[i:i + 500]))).mappings():
                out[r["id"]] = _article(r)
    return out


def near_duplicates_of(kb: Any, article_id: str) -> list[str]:
    """Ids of stored articles recorded as near-duplicates of ``article_id``."""
    with _engine(kb).connect() as conn:
        q = select(NEAR_DUPLICATES.c.article_id).where(NEAR_DUPLICATES.c.duplicate_of == article_id)
        return list(conn.execute(q.order_by(NEAR_DUPLICATES.c.article_id)).scalars())


def stored_article_id(kb: Any, article: Article) -> str | None:
    """Id of the stored article that ``article`` is (same id, or same content key), or ``None``.

    Raises:
        StoreError: a different article (other content key) is stored under ``article.id``.
    """
    from diplowatch.store.corroborate import content_key

    key = content_key(article)
    with _engine(kb).connect() as conn:
        _check_id_free(conn, article.id, key)
        q = select(ARTICLES.c.id).where(ARTICLES.c.id == article.id)
        found = conn.execute(q).scalar()
        if found is None:
            q = select(ARTICLES.c.id).where(ARTICLES.c.content_key == key)
            found = conn.execute(q.limit(1)).scalar()
    return found


def event_ids_of(kb: Any, article_id: str) -> list[str]:
    """Ids of the stored events of one article, sorted."""
    with _engine(kb).connect() as conn:
        return list(conn.execute(select(EVENTS.c.id).where(EVENTS.c.doc == article_id)
                                 .order_by(EVENTS.c.evidence_start, EVENTS.c.id)).scalars())


def latest_recognition(kb: Any) -> StoredEvent | None:
    """The asserted recognition event with the latest effective date (then publication date, id), or ``None``."""
    q, _src, _tgt = _event_select()
    eff = _effective_expr()
    q = (q.where(EVENTS.c.event.in_(RECOGNITION_EVENTS), EVENTS.c.polarity == "asserted",
                 EVENTS.c.target_id.is_not(None))
         .order_by(eff.desc(), ARTICLES.c.published.desc(), EVENTS.c.id.desc()).limit(1))
    with _engine(kb).connect() as conn:
        row = conn.execute(q).mappings().first()
    return _stored_event(row) if row else None


def event_targets(kb: Any) -> list[dict[str, Any]]:
    """Every state (ISO3) that is the target of a stored event, with its number of events, most first."""
    tgt = ACTORS.alias("tgt")
    n = func.count(distinct(EVENTS.c.id)).label("n")
    q = (select(tgt.c.state, n).select_from(EVENTS).join(tgt, tgt.c.id == EVENTS.c.target_id)
         .where(tgt.c.state.is_not(None)).group_by(tgt.c.state).order_by(n.desc(), tgt.c.state))
    with _engine(kb).connect() as conn:
        return [{"code": r.state, "events": r.n} for r in conn.execute(q)]


def date_bounds(kb: Any) -> tuple[str | None, str | None]:
    """Earliest and latest effective dates of stored events (ISO), ``(None, None)`` when none is dated."""
    eff = _effective_expr()
    q = (select(func.min(eff), func.max(eff)).select_from(EVENTS).join(ARTICLES, ARTICLES.c.id == EVENTS.c.doc)
         .where(eff != ""))
    with _engine(kb).connect() as conn:
        lo, hi = conn.execute(q).one()
    return lo or None, hi or None
