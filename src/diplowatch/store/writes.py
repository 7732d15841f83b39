"""The writes of the knowledge base: an article with its events, quarantined records, recounts.

Every write is one transaction (:meth:`Database.transaction
<diplowatch.store.opening.Database.transaction>`). :meth:`Writes.storing`
writes an article, its actors and its events, its content key and MinHash
signature, its near-duplicate link and the corroboration links of its events,
then hands the open transaction to the caller, who may write more in it before
it commits: the write path of :mod:`diplowatch.write` evaluates the watch rules
there. The store itself knows nothing of what the caller writes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from diplowatch.errors import StoreError
from diplowatch.model import Actor, Article, Event, surrogate_reason
from diplowatch.store.opening import Database, failure_reason
from diplowatch.store.reads import check_id_free
from diplowatch.store.schema import ACTORS, ARTICLES, EVENTS, QUARANTINE, REAL_EVENTS

__all__ = ["Writes", "Written"]


@dataclass(frozen=True, slots=True)
class Written:
    """What :meth:`Writes.storing` wrote, in a transaction still open.

    Attributes:
        connection: the transaction's connection: read and write through it to
            stay in the transaction.
        article: the article stored.
        events: its events, one per id, as given.
        touched: ids of the real-world events whose reports changed.
    """

    connection: Connection
    article: Article
    events: list[Event]
    touched: set[int]


class Writes(Database):
    """The writes of :class:`~diplowatch.store.KnowledgeBase` (a mixin over :class:`Database`)."""

    window_days: int
    _near_index: Any  # neardup.NearDuplicateIndex, built on the first write

    @contextmanager
    def storing(self, article: Article, events: list[Event]) -> Iterator[Written | None]:
        """Store an article, its actors and its events, and keep the transaction open for the ``with`` block.

        Existing actors (same id) are kept as they are; existing events (same
        id) are skipped. In the same transaction the article's content key
        (canonical URL or normalised text) and MinHash signature are stored,
        it is linked to the earlier article it near-duplicates (if any), and
        each new event is linked to a real-world event whose aggregates are
        recomputed (:mod:`diplowatch.store.corroborate`). The block may write
        more through ``written.connection``; all of it commits when the block
        ends, or none of it when the block (or the store) raises.

        Args:
            article: the article; its ``id`` is the key.
            events: its events; each ``event.doc`` must equal ``article.id``.

        Yields:
            A :class:`Written`, or ``None`` when the same article was already
            stored: same id and same content key, or another id with the same
            content key (same canonical URL, or same normalised text without
            URL). Then nothing was written, whatever ``events`` holds.

        Raises:
            StoreError: naming the article id and the reason (a *different*
                article already stored under this id — other canonical URL or
                other text, e.g. two files ``x/news.txt`` and ``y/news.txt`` —,
                an event of another article, a text that is not valid Unicode,
                a constraint or database failure, or any exception raised in
                the block). Nothing of the article is written.
        """
        from diplowatch.store import corroborate, neardup  # lazily: numpy and datasketch load for writes only

        self._check_unicode(article, events)
        sig = neardup.signature(article.text)
        try:
            with self.transaction(lock=True) as conn:
                row = {
                    "id": article.id, "url": article.url, "title": article.title,
                    "published": article.published.isoformat() if article.published else None,
                    "text": article.text, "lang": article.lang,
                    "ingested_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    "content_key": corroborate.content_key(article),
                }
                # RETURNING, not rowcount: psycopg reports -1 for a skipped single-row insert
                if conn.execute(self.insert_ignore(ARTICLES).returning(ARTICLES.c.id), row).first() is None:
                    check_id_free(conn, article.id, row["content_key"])
                    yield None  # the same article: nothing written
                    return
                seen: dict[str, Actor] = {}
                for ev in events:
                    if ev.doc != article.id:
                        raise StoreError(f"article {article.id}: event {ev.id} belongs to article "
                                         f"{ev.doc!r}, not to this one")
                    for actor in (ev.source, ev.target):
                        if actor is not None:
                            seen.setdefault(actor.id, actor)
                if seen:
                    conn.execute(self.insert_ignore(ACTORS), [a.to_dict() for a in seen.values()])
                if events:
                    conn.execute(self.insert_ignore(EVENTS), [_event_row(ev) for ev in events])
                if self._near_index is None:
                    self._near_index = neardup.NearDuplicateIndex()
                corroborate.mark_near_duplicate(conn, self._near_index, article.id, sig)
                unique = list({ev.id: ev for ev in events}.values())
                touched = corroborate.link_reports(conn, [corroborate.report_of(ev, article.published)
                                                          for ev in unique], self.window_days)
                yield Written(conn, article, unique, touched)
        except StoreError:
            raise
        except Exception as exc:  # DBAPI errors, encoding errors, bad field types, the block's own
            raise StoreError(f"article {article.id}: cannot store: {failure_reason(exc)}") from exc

    def add(self, article: Article, events: list[Event]) -> bool:
        """Store an article, its actors and its events in one transaction (:meth:`storing`, nothing more).

        Watch rules are not evaluated here: the ingest paths store through
        :class:`diplowatch.write.Writer`, which does.

        Returns:
            ``True`` when the article was new and was stored with its events;
            ``False`` when the same article was already stored (nothing changes).

        Raises:
            StoreError: as :meth:`storing`.
        """
        with self.storing(article, events) as written:
            return written is not None

    def recount_real_events(self) -> int:
        """Recompute every real-world event's aggregates from its reports, in one transaction.

        Returns:
            How many real-world events had stored aggregates that differed
            (0 on a sound store).
        """
        from diplowatch.store.corroborate import refresh_real_events

        with self.transaction(lock=True) as conn:
            ids = conn.execute(select(REAL_EVENTS.c.id).order_by(REAL_EVENTS.c.id)).scalars().all()
            return refresh_real_events(conn, ids)

    def quarantine(self, source: str, reason: str, raw: Any = None, line: int | None = None) -> int:
        """Keep a record that cannot be stored, with the reason, in its own transaction.

        Args:
            source: the file, URL or doc id it came from.
            reason: why it is quarantined.
            raw: the record: an :class:`Article` (kept as its fields), a
                ``str`` or any JSON-serialisable value (others via ``str``);
                stored as JSON with ``ensure_ascii`` so lone surrogates and
                any other code point can always be stored. ``None``: not kept.
            line: 1-based line in ``source``, or ``None``.

        Returns:
            The quarantine record's id. Quarantining is idempotent: the same
            record (same source, line, reason and raw record) quarantined again,
            e.g. when the same file is ingested twice, returns the id of the
            row already stored and adds none.

        Raises:
            StoreError: the database cannot be written.
        """
        if isinstance(raw, Article):
            raw = {"id": raw.id, "url": raw.url, "title": raw.title,
                   "published": raw.published.isoformat() if raw.published else None,
                   "lang": raw.lang, "text": raw.text}
        row = {"source": _escape(str(source)), "line": line, "reason": _escape(str(reason)),
               "raw": None if raw is None else json.dumps(raw, ensure_ascii=True, default=str),
               "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        q = QUARANTINE.c
        same = select(q.id).where(q.source == row["source"], q.reason == row["reason"],
                                  q.line.is_(None) if line is None else q.line == line,
                                  q.raw.is_(None) if row["raw"] is None else q.raw == row["raw"])
        try:
            # locked: the check and the insert as one step, as BEGIN IMMEDIATE on SQLite
            with self.transaction(lock=True) as conn:
                found = conn.execute(same.order_by(q.id).limit(1)).scalar()
                if found is not None:  # the same record again (the same input ingested twice): kept once
                    return found
                return conn.execute(QUARANTINE.insert().values(**row)).inserted_primary_key[0]
        except Exception as exc:
            why = exc if isinstance(exc, StoreError) else failure_reason(exc)
            raise StoreError(f"cannot quarantine a record of {row['source']}: {why}") from exc

    @staticmethod
    def _check_unicode(article: Article, events: list[Event]) -> None:
        """Raise :class:`StoreError` when a text field of the article or its events holds a lone surrogate."""
        fields: list[tuple[str, str | None]] = [
            ("id", article.id), ("url", article.url), ("title", article.title),
            ("text", article.text), ("lang", article.lang)]
        for ev in events:
            fields += [(f"event {ev.id!r} evidence", ev.evidence.text),
                       (f"event {ev.id!r} attribution", ev.attribution)]
            fields += [(f"event {ev.id!r} actor name", a.name) for a in (ev.source, ev.target) if a]
        bad = surrogate_reason(fields)
        if bad is not None:
            raise StoreError(f"article {_escape(article.id)}: {bad}")


def _event_row(ev: Event) -> dict[str, Any]:
    return {
        "id": ev.id, "doc": ev.doc, "event": ev.event,
        "source_id": ev.source.id if ev.source else None,
        "target_id": ev.target.id if ev.target else None,
        "polarity": ev.polarity, "date": ev.date, "date_precision": ev.date_precision,
        "cameo": ev.cameo, "plover": ev.plover,
        "evidence_text": ev.evidence.text, "evidence_start": ev.evidence.start,
        "evidence_end": ev.evidence.end, "attribution": ev.attribution,
        "confidence": ev.confidence, "extractor": ev.extractor,
        "issues": ";".join(ev.issues) or None,
    }


def _escape(value: str) -> str:
    """``value`` with lone surrogates written as ``\\udXXX`` (always valid UTF-8)."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")
