"""The reads of the knowledge base: articles, events, the state-row fast path, real-world events.

Every read runs on a pooled connection (:meth:`Database.connect
<diplowatch.store.opening.Database.connect>`), or inside a caller's open
transaction where a method takes ``connection=`` (the watch-rule evaluation of
:mod:`diplowatch.write` reads the events it has just written that way).
:meth:`Reads.state_rows` is the fast path of ``status`` and
``who-recognizes``: the fold's columns straight from the rows, no ``Event``
objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, func, literal, or_, select, union_all

from diplowatch.errors import StoreError
from diplowatch.model import Article
from diplowatch.ontology import EVENT_TYPES
from diplowatch.store.opening import Database
from diplowatch.store.records import (
    Quarantined, RealEvent, StoredEvent, TimelineEntry, article_of, event_select, real_event_of, stored_event_of,
)
from diplowatch.store.schema import ACTORS, ARTICLES, EVENTS, NEAR_DUPLICATES, QUARANTINE, REAL_EVENTS, REPORTS

if TYPE_CHECKING:
    from diplowatch.state import EventRow, TargetStatus

__all__ = ["Reads", "check_id_free"]

_CHUNK = 500  # bound parameters per IN (...) list
_STATELESS_TYPES = tuple(sorted(name for name, t in EVENT_TYPES.items() if not t.facet))  # praise, criticize


class Reads(Database):
    """The reads of :class:`~diplowatch.store.KnowledgeBase` (a mixin over :class:`Database`)."""

    def has_article(self, id: str) -> bool:
        """Whether an article with this id is stored."""
        with self.connect() as conn:
            return conn.execute(select(ARTICLES.c.id).where(ARTICLES.c.id == id)).first() is not None

    def article(self, id: str) -> Article | None:
        """The stored article with this id, or ``None``."""
        with self.connect() as conn:
            row = conn.execute(select(ARTICLES).where(ARTICLES.c.id == id)).mappings().first()
        return article_of(row) if row else None

    def events(self, *, target_state: str | None = None, source_state: str | None = None,
               event: str | None = None, polarity: str | None = None,
               doc: str | None = None, actor: str | None = None,
               state_only: bool = False, connection: Connection | None = None) -> list[StoredEvent]:
        """Stored events matching every given filter.

        Args:
            target_state: ISO3 ``state`` of the target actor (``"AFG"`` matches
                ``AFG``, ``AFG:taliban`` and ``ORG:taliban``).
            source_state: ISO3 ``state`` of the source actor.
            event: event type (``recognize_government``).
            polarity: ``asserted``, ``negated`` or ``hypothetical``.
            doc: article id.
            actor: ISO3 code or actor id that is the source or the target
                (``state`` or ``id`` of either actor equals it).
            state_only: leave out the events that
                :func:`diplowatch.state.relation_state` passes over: asserted
                events with a source, in an article with a publication date,
                of a type that changes no state (praise, criticism). The fold
                of what is left is the same; ``status`` and ``who-recognizes``
                read a third fewer rows.
            connection: read through this connection (inside its open
                transaction, as the watch-rule evaluation of
                :mod:`diplowatch.write` does); ``None``: a connection of the pool.

        Returns:
            :class:`StoredEvent` objects (Events plus the article's ``published``
            and ``url``), ordered by event date (ISO string; undated last), then
            article published date (unknown last), then id.
        """
        q, src, tgt = event_select()
        if target_state is not None:
            q = q.where(_of_state(EVENTS.c.target_id, target_state))
        if source_state is not None:
            q = q.where(_of_state(EVENTS.c.source_id, source_state))
        if event is not None:
            q = q.where(EVENTS.c.event == event)
        if polarity is not None:
            q = q.where(EVENTS.c.polarity == polarity)
        if doc is not None:
            q = q.where(EVENTS.c.doc == doc)
        if state_only:
            q = q.where(_STATE_ONLY)
        if actor is not None:
            q = q.where((src.c.state == actor) | (tgt.c.state == actor)
                        | (EVENTS.c.source_id == actor) | (EVENTS.c.target_id == actor))
        q = q.order_by(*_event_order(EVENTS.c.date, ARTICLES.c.published, EVENTS.c.id))
        if connection is not None:
            return [stored_event_of(r, {}) for r in connection.execute(q).mappings().all()]
        with self.connect() as conn:
            cache: dict[Any, Any] = {}
            return [stored_event_of(r, cache) for r in conn.execute(q).mappings().all()]

    def state_rows(self, target_state: str, *, facets: Iterable[str] | None = None, limit: int | None = None,
                   connection: Connection | None = None) -> list[EventRow]:
        """The stored events that make a state's relation status, as the flat tuples that the fold reads.

        The events towards the state that ``events(target_state=target_state,
        state_only=True)`` returns, and the mutual events (relations
        established, broken, restored) of which the state is the source,
        whichever way round the report named the dyad. Contacts (talks) count
        towards the state only. Built straight from the
        columns the fold needs, as :class:`~diplowatch.state.EventRow` tuples
        (no ``Event`` objects).

        Args:
            target_state: ISO3 ``state`` of the target actor (``"AFG"`` matches
                ``AFG``, ``AFG:taliban`` and ``ORG:taliban``).
            facets: only the asserted events with a source of the event types
                that change these facets (``{"recognition"}``: recognitions and
                withdrawals; see ``EVENT_TYPES``). Their fold gives each observer
                the same value, periods and events of these facets as the fold
                of every event, and nothing else (no other facet, contacts,
                intentions, unattributed or undated events). ``None``: every
                event the fold reads.
            limit: at most this many rows, the first in that order; ``None``: all.
            connection: read through this connection (inside its transaction);
                ``None``: a connection of the pool.

        Returns:
            A list of :class:`~diplowatch.state.EventRow`, ordered by event date
            (ISO string; undated last), then article published date (unknown
            last), then id.

        Raises:
            ValueError: ``facets`` names no facet of the ontology.
        """
        from diplowatch.ontology import MUTUAL_EVENTS
        from diplowatch.state import EventRow

        e, src, tgt = EVENTS.c, ACTORS.alias("src"), ACTORS.alias("tgt")

        def rows(side: Any, other: Any, other_id: Any, source_state: Any, state_of_target: Any) -> Any:
            """The fold's columns of the events on ``side``, the other party's actor ``other`` joined."""
            return (select(e.id.label("id"), e.doc.label("doc"), e.event.label("event"),
                           e.polarity.label("polarity"), e.date.label("date"),
                           ARTICLES.c.published.label("published"), ARTICLES.c.url.label("url"),
                           e.evidence_text.label("evidence_text"), e.attribution.label("attribution"),
                           e.confidence.label("confidence"), func.nullif(e.source_id, "").label("source_id"),
                           source_state.label("source_state"), func.nullif(e.target_id, "").label("target_id"),
                           state_of_target.label("target_state"))
                    .join(ARTICLES, ARTICLES.c.id == e.doc)
                    .outerjoin(other, other.c.id == other_id)
                    .where(side))

        # events towards the state, and the mutual events it is the source of ("Uzbekistan and
        # Afghanistan established relations" stored UZB -> AFG is also AFG's); contacts are read
        # towards the state only: talks are most of a busy state's history, and reading them both
        # ways doubled the rows of a status
        towards = rows(_of_state(e.target_id, target_state), src, e.source_id, src.c.state, literal(target_state))
        mutual = rows(_of_state(e.source_id, target_state), tgt, e.target_id, literal(target_state), tgt.c.state)
        mutual = mutual.where(e.target_id.is_not(None), e.target_id != "",
                              e.target_id.not_in(select(ACTORS.c.id).where(ACTORS.c.state == target_state)))
        kinds = sorted(MUTUAL_EVENTS)
        if facets is None:
            towards = towards.where(_STATE_ONLY)
        else:
            wanted = set(facets)
            facet_kinds = sorted(name for name, t in EVENT_TYPES.items() if t.facet and t.facet in wanted)
            if not facet_kinds:
                raise ValueError(f"no event type changes the facets {sorted(wanted)}")
            towards = towards.where(e.event.in_(facet_kinds), e.polarity == "asserted", e.source_id.is_not(None),
                                    e.source_id != "")
            mutual = mutual.where(e.polarity == "asserted")
            kinds = [k for k in kinds if k in facet_kinds]
        u = (union_all(towards, mutual.where(e.event.in_(kinds))) if kinds else towards).subquery()
        q = select(u).order_by(*_event_order(u.c.date, u.c.published, u.c.id)).limit(limit)
        if connection is not None:
            rows = connection.execute(q).all()
        else:
            with self.connect() as conn:
                rows = conn.execute(q).all()
        return list(map(EventRow._make, rows))

    def status(self, target_state: str, as_of: dt.date | str | None = None, *,
               facets: Iterable[str] | None = None) -> TargetStatus:
        """Relation state of every observer towards a state, as of a date (DESIGN §5).

        What ``diplowatch status`` and ``who-recognizes`` answer:
        ``relation_state(self.state_rows(target_state, facets=facets), target_state, as_of)``.

        Args:
            target_state: ISO3 code of the target state.
            as_of: ``datetime.date`` or ISO ``YYYY-MM-DD``; ``None``: everything known.
            facets: fold only the events of these facets (see :meth:`state_rows`);
                ``("recognition",)`` is all that ``recognizers()`` reads.

        Returns:
            A :class:`~diplowatch.state.TargetStatus`.

        Raises:
            ValueError: ``as_of`` is not an ISO date, ``target_state`` is empty,
                or ``facets`` names no facet.
        """
        from diplowatch.state import relation_state

        return relation_state(self.state_rows(target_state, facets=facets), target_state, as_of)

    def articles_for(self, event_ids: Iterable[str]) -> dict[str, Article]:
        """The article of each stored event: ``{event id: Article}`` (unknown ids are left out)."""
        ids = list(dict.fromkeys(event_ids))
        out: dict[str, Article] = {}
        with self.connect() as conn:
            for i in range(0, len(ids), _CHUNK):
                q = (select(EVENTS.c.id.label("event_id"), ARTICLES)
                     .join(ARTICLES, ARTICLES.c.id == EVENTS.c.doc)
                     .where(EVENTS.c.id.in_(ids[i:i + _CHUNK])))
                for row in conn.execute(q).mappings():
                    out[row["event_id"]] = article_of(row)
        return out

    def counts(self) -> dict[str, int]:
        """``{"articles": n, "events": n, "actors": n}``."""
        with self.connect() as conn:
            return {name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for name, t in (("articles", ARTICLES), ("events", EVENTS), ("actors", ACTORS))}

    def is_stored(self, article: Article) -> bool:
        """Whether this article is stored: same id, or same content key (canonical URL or text).

        Raises:
            StoreError: a different article (other content key) is stored
                under this id; :meth:`add` would refuse it the same way.
        """
        from diplowatch.store.corroborate import content_key

        key = content_key(article)
        with self.connect() as conn:
            check_id_free(conn, article.id, key)
            q = select(ARTICLES.c.id).where((ARTICLES.c.id == article.id) | (ARTICLES.c.content_key == key))
            return conn.execute(q.limit(1)).first() is not None

    def stored_article_id(self, article: Article) -> str | None:
        """Id of the stored article that ``article`` is: the same id, else the same content key; or ``None``.

        Raises:
            StoreError: a different article (other content key) is stored under ``article.id``.
        """
        from diplowatch.store.corroborate import content_key

        key = content_key(article)
        with self.connect() as conn:
            check_id_free(conn, article.id, key)
            found = conn.execute(select(ARTICLES.c.id).where(ARTICLES.c.id == article.id)).scalar()
            if found is None:
                q = select(ARTICLES.c.id).where(ARTICLES.c.content_key == key)
                found = conn.execute(q.limit(1)).scalar()
        return found

    def near_duplicate_of(self, article_id: str) -> tuple[str, float] | None:
        """``(root article id, estimated similarity)`` when the article is a near-duplicate, else ``None``."""
        with self.connect() as conn:
            row = conn.execute(select(NEAR_DUPLICATES.c.duplicate_of, NEAR_DUPLICATES.c.similarity)
                               .where(NEAR_DUPLICATES.c.article_id == article_id)).first()
        return (row.duplicate_of, row.similarity) if row else None

    def events_for_actor(self, code: str) -> list[StoredEvent]:
        """Every stored event whose source or target is ``code``.

        Args:
            code: an ISO3 state code (matches actors whose ``state`` is it:
                ``AFG``, ``AFG:taliban``, ``ORG:taliban``) or an actor id.

        Returns:
            :class:`StoredEvent` objects in date order: effective date (the
            event's date, its first day at month or year precision, else the
            publication date; undated last), then publication date, then id.
        """
        from diplowatch.state import effective_date

        evs = self.events(actor=code)

        def key(e: StoredEvent) -> tuple[Any, ...]:
            eff = effective_date(e, e.published)
            return (eff is None, eff or dt.date.min, e.published is None, e.published or dt.date.min, e.id)
        return sorted(evs, key=key)

    def timeline(self, code: str) -> list[TimelineEntry]:
        """:meth:`events_for_actor` with each event's effective date and real-world event."""
        from diplowatch.state import effective_date

        evs = self.events_for_actor(code)
        linked = self.real_events_for(e.id for e in evs)
        out = []
        for e in evs:
            eff = effective_date(e, e.published)
            out.append(TimelineEntry(eff.isoformat() if eff else None, e, linked.get(e.id)))
        return out

    def real_events(self, *, event: str | None = None, party: str | None = None,
                    polarity: str | None = None, since: dt.date | str | None = None,
                    until: dt.date | str | None = None) -> list[RealEvent]:
        """Real-world events matching every given filter.

        Args:
            event: event type.
            party: a party (ISO3 code or actor id) as source or target.
            polarity: ``asserted``, ``negated`` or ``hypothetical``.
            since, until: ISO dates or ``date``: real-world events whose
                ``last_date`` is on or after ``since`` / whose ``first_date``
                is on or before ``until`` (undated ones are left out when
                either is given).

        Returns:
            :class:`RealEvent` list by first date (undated last), then id.

        Raises:
            ValueError: ``since`` or ``until`` is not an ISO date.
        """
        t = REAL_EVENTS.c
        q = select(REAL_EVENTS)
        if event is not None:
            q = q.where(t.event == event)
        if party is not None:
            q = q.where((t.source_party == party) | (t.target_party == party))
        if polarity is not None:
            q = q.where(t.polarity == polarity)
        if since is not None:
            q = q.where(t.last_date >= _iso(since))
        if until is not None:
            q = q.where(t.first_date <= _iso(until))
        q = q.order_by(t.first_date.is_(None), t.first_date, t.id)
        with self.connect() as conn:
            rows = conn.execute(q).mappings().all()
            reports = self._reports_of(conn, [r["id"] for r in rows])
        return [real_event_of(r, reports.get(r["id"], ())) for r in rows]

    def real_events_for(self, event_ids: Iterable[str]) -> dict[str, RealEvent]:
        """The real-world event of each stored event: ``{event id: RealEvent}`` (unlinked ids left out)."""
        ids = list(dict.fromkeys(event_ids))
        link: dict[str, int] = {}
        with self.connect() as conn:
            for i in range(0, len(ids), _CHUNK):
                q = select(REPORTS.c.event_id, REPORTS.c.real_event_id).where(
                    REPORTS.c.event_id.in_(ids[i:i + _CHUNK]))
                link.update({r.event_id: r.real_event_id for r in conn.execute(q)})
            rids = sorted(set(link.values()))
            rows: dict[int, Any] = {}
            for i in range(0, len(rids), _CHUNK):
                for r in conn.execute(select(REAL_EVENTS).where(REAL_EVENTS.c.id.in_(rids[i:i + _CHUNK])))\
                        .mappings():
                    rows[r["id"]] = r
            reports = self._reports_of(conn, rids)
        built = {rid: real_event_of(r, reports.get(rid, ())) for rid, r in rows.items()}
        return {ev: built[rid] for ev, rid in link.items() if rid in built}

    @staticmethod
    def _reports_of(conn: Connection, rids: list[int]) -> dict[int, tuple[str, ...]]:
        out: dict[int, list[str]] = {}
        for i in range(0, len(rids), _CHUNK):
            q = (select(REPORTS.c.real_event_id, REPORTS.c.event_id)
                 .where(REPORTS.c.real_event_id.in_(rids[i:i + _CHUNK]))
                 .order_by(REPORTS.c.real_event_id, REPORTS.c.report_date.is_(None), REPORTS.c.report_date,
                           REPORTS.c.event_id))
            for r in conn.execute(q):
                out.setdefault(r.real_event_id, []).append(r.event_id)
        return {k: tuple(v) for k, v in out.items()}

    def quarantined(self) -> list[Quarantined]:
        """Every quarantined record, oldest first."""
        with self.connect() as conn:
            rows = conn.execute(select(QUARANTINE).order_by(QUARANTINE.c.id)).mappings().all()
        return [Quarantined(r["id"], r["source"], r["line"], r["reason"], r["raw"], r["created_at"])
                for r in rows]


def check_id_free(conn: Connection, article_id: str, key: str) -> None:
    """Raise :class:`StoreError` when another article (other content key) is stored under ``article_id``.

    The same id with the same content key is the same article (a re-ingest);
    a stored key of ``NULL`` (before migration 0002's backfill) is not compared.
    """
    stored = conn.execute(select(ARTICLES.c.content_key).where(ARTICLES.c.id == article_id)).first()
    if stored is not None and stored.content_key is not None and stored.content_key != key:
        raise StoreError(f"article {article_id}: a different article (other text or URL) is already stored "
                         f"under this id; give the inputs distinct file names or ids")


def _of_state(column: Any, state: str) -> Any:
    """``column`` (an actor id of ``events``) is an actor of ``state``.

    By the ids of the actors of that state, so that the indexes on
    ``target_id``/``source_id`` are used (filtering on the joined actor's state
    made SQLite scan every event).
    """
    return column.in_(select(ACTORS.c.id).where(ACTORS.c.state == state))


_STATE_ONLY = or_(~and_(EVENTS.c.polarity == "asserted", EVENTS.c.source_id.is_not(None),
                         EVENTS.c.event.in_(_STATELESS_TYPES)),
                  EVENTS.c.doc.in_(select(ARTICLES.c.id).where(ARTICLES.c.published.is_(None))))
"""Rows that the fold may read: not asserted praise or criticism with a source in an article with a
publication date. Written so that it is decided from the columns of ``ix_events_target`` and the few
undated articles (``ix_articles_published``), before any event row or article is read."""


def _event_order(date: Any, published: Any, event_id: Any) -> tuple[Any, ...]:
    """Order of :meth:`KnowledgeBase.events` and :meth:`KnowledgeBase.state_rows`: event date
    (undated last), then publication date (unknown last), then id."""
    return date.is_(None), date, published.is_(None), published, event_id


def _iso(value: dt.date | str) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValueError(f"not an ISO date YYYY-MM-DD: {value!r}") from None

