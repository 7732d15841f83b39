"""The embedded knowledge base: articles, actors and events (SQLAlchemy 2 Core).

One SQLite file by default (see :func:`default_db_url`); any SQLAlchemy URL
(PostgreSQL) is accepted. The schema is created and upgraded with the Alembic
migrations in ``diplowatch/store/migrations`` when a :class:`KnowledgeBase` is
opened; the current revision is in the ``alembic_version`` table.

SQLite connections run in WAL mode with ``synchronous=FULL``, foreign keys on
and a busy timeout, and every transaction is an explicit ``BEGIN`` (writers use
``BEGIN IMMEDIATE``), so an article and its events are committed together or
not at all (RELIABILITY.md, "Store").
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    CheckConstraint, Column, Connection, Engine, Float, ForeignKey, Index, Integer, LargeBinary, MetaData,
    String, Table, Text, create_engine, func, select,
)
from sqlalchemy import event as sa_event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from diplowatch.errors import StoreError
from diplowatch.model import Actor, Article, Event, Evidence

__all__ = ["KnowledgeBase", "StoredEvent", "default_db_url", "metadata", "migrate"]

_MIGRATIONS = Path(__file__).with_name("migrations")
_CHUNK = 500  # bound parameters per IN (...) list

metadata = MetaData()
"""The schema as SQLAlchemy Core tables (kept equal to the Alembic head; a test checks it)."""

ARTICLES = Table(
    "articles", metadata,
    Column("id", String(255), primary_key=True),
    Column("url", Text, nullable=True),
    Column("title", Text, nullable=True),
    Column("published", String(32), nullable=True),
    Column("text", Text, nullable=False),
    Column("lang", String(16), nullable=True),
    Column("ingested_at", String(32), nullable=False),
    Column("content_key", String(64), nullable=True),  # always written; NULL only before 0002's backfill
    Index("ux_articles_content_key", "content_key", unique=True),
)

ACTORS = Table(
    "actors", metadata,
    Column("id", String(255), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("state", String(16), nullable=True),
)

EVENTS = Table(
    "events", metadata,
    Column("id", String(255), primary_key=True),
    Column("doc", String(255), ForeignKey("articles.id", name="fk_events_doc"), nullable=False),
    Column("event", String(64), nullable=False),
    Column("source_id", String(255), ForeignKey("actors.id", name="fk_events_source"), nullable=True),
    Column("target_id", String(255), ForeignKey("actors.id", name="fk_events_target"), nullable=True),
    Column("polarity", String(16), nullable=False),
    Column("date", String(32), nullable=True),
    Column("date_precision", String(8), nullable=True),
    Column("cameo", String(8), nullable=False),
    Column("plover", String(32), nullable=False),
    Column("evidence_text", Text, nullable=False),
    Column("evidence_start", Integer, nullable=False),
    Column("evidence_end", Integer, nullable=False),
    Column("attribution", Text, nullable=True),
    Column("confidence", Float, nullable=False),
    Column("extractor", String(64), nullable=False),
    CheckConstraint("polarity IN ('asserted', 'negated', 'hypothetical')", name="ck_events_polarity"),
    Index("ix_events_target_event", "target_id", "event"),
    Index("ix_events_source", "source_id"),
    Index("ix_events_event_date", "event", "date"),
    Index("ix_events_doc", "doc"),
)

# -- migration 0002: corroboration, near-duplicates, quarantine (see store/corroborate.py) --

REAL_EVENTS = Table(
    "real_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("event", String(64), nullable=False),
    Column("source_party", String(255), nullable=True),  # actor.state or actor.id; sorted pair if mutual
    Column("target_party", String(255), nullable=True),
    Column("polarity", String(16), nullable=False),
    Column("first_date", String(10), nullable=True),  # earliest report date (ISO), NULL: undated
    Column("last_date", String(10), nullable=True),
    Column("n_reports", Integer, nullable=False),
    Column("n_sources", Integer, nullable=False),
    Index("ix_real_events_key", "event", "source_party", "target_party", "polarity", "first_date"),
    Index("ix_real_events_target", "target_party"),
    Index("ix_real_events_source", "source_party"),
)

REPORTS = Table(
    "reports", metadata,
    Column("event_id", String(255), ForeignKey("events.id", name="fk_reports_event"), primary_key=True),
    Column("real_event_id", Integer, ForeignKey("real_events.id", name="fk_reports_real_event"),
           nullable=False),
    Column("report_date", String(10), nullable=True),  # effective date of the event (ISO)
    Index("ix_reports_real_event", "real_event_id"),
)

NEAR_DUPLICATES = Table(
    "near_duplicates", metadata,
    Column("article_id", String(255), ForeignKey("articles.id", name="fk_near_dup_article"),
           primary_key=True),
    Column("duplicate_of", String(255), ForeignKey("articles.id", name="fk_near_dup_of"), nullable=False),
    Column("similarity", Float, nullable=False),
    Index("ix_near_duplicates_of", "duplicate_of"),
)

ARTICLE_MINHASH = Table(
    "article_minhash", metadata,
    Column("seq", Integer, primary_key=True),
    Column("article_id", String(255), ForeignKey("articles.id", name="fk_minhash_article"), nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Index("ux_article_minhash_article", "article_id", unique=True),
)

QUARANTINE = Table(
    "quarantine", metadata,
    Column("id", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("line", Integer, nullable=True),
    Column("reason", Text, nullable=False),
    Column("raw", Text, nullable=True),  # JSON, ensure_ascii: always storable
    Column("created_at", String(32), nullable=False),
)


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


def default_db_url() -> str:
    """Return the URL of the default knowledge base and create its directory.

    The file is ``$DIPLOWATCH_DB`` when that variable is set (a path, or a full
    SQLAlchemy URL when it contains ``://``), otherwise
    ``~/.local/share/diplowatch/diplowatch.db``. Parent directories of a file
    path are created.

    Raises:
        StoreError: the parent directory cannot be created.
    """
    env = os.environ.get("DIPLOWATCH_DB", "").strip()
    if "://" in env:
        return env
    path = Path(env).expanduser() if env else Path.home() / ".local" / "share" / "diplowatch" / "diplowatch.db"
    path = path.resolve()
    _make_parent(path)
    return f"sqlite:///{path}"


def _make_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create directory {path.parent}: {exc.strerror or exc}") from exc


def _configure_sqlite(engine: Engine) -> None:
    """Pragmas on every new connection and explicit BEGIN (SQLAlchemy's pysqlite recipe)."""

    @sa_event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cur = dbapi_conn.cursor()
        try:
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
        finally:
            cur.close()

    @sa_event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


def migrate(engine: Engine) -> None:
    """Bring the schema of ``engine`` to the Alembic head (idempotent).

    Raises:
        StoreError: the migration fails.
    """
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    try:
        with engine.connect() as conn:  # cheap check: most opens find the schema current
            if MigrationContext.configure(conn).get_current_revision() == head:
                return
        with engine.execution_options(sqlite_begin="BEGIN IMMEDIATE").begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")  # re-checks the revision under the write lock
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot create or upgrade the schema: {_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return f"{type(orig or exc).__name__}: {orig or exc}".splitlines()[0]


class _AlreadyStored(Exception):
    """Raised inside :meth:`KnowledgeBase.add` to roll back when the article exists."""


def _lone_surrogate(value: str | None) -> int | None:
    """Offset of the first lone surrogate in ``value`` (not storable as UTF-8), else ``None``."""
    if not value:
        return None
    try:
        value.encode("utf-8")
        return None
    except UnicodeEncodeError as exc:
        return exc.start


class KnowledgeBase:
    """Articles, actors and events in one database.

    Args:
        url: any SQLAlchemy URL; ``None`` for :func:`default_db_url`. For a
            SQLite file URL the parent directory is created.

    Use as a context manager, or call :meth:`close`.

    Raises:
        StoreError: the database cannot be opened or its schema created.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_db_url()
        try:
            parsed = make_url(self.url)
        except Exception as exc:  # ArgumentError, ValueError
            raise StoreError(f"invalid database URL {self.url!r}: {exc}") from exc
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, whatever SQLAlchemy's default
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:") \
                and not parsed.database.startswith("file:"):
            _make_parent(Path(parsed.database).expanduser())
        try:
            kwargs: dict[str, Any] = {}
            if self.dialect == "sqlite":
                kwargs["connect_args"] = {"timeout": 30}
            self._engine = create_engine(parsed, **kwargs)
        except Exception as exc:  # missing driver, bad arguments
            raise StoreError(f"cannot open {parsed.render_as_string(hide_password=True)}: {exc}") from exc
        if self.dialect == "sqlite":
            _configure_sqlite(self._engine)
        migrate(self._engine)

    # -- lifecycle -----------------------------------------------------------

    def close(self) -> None:
        """Release every pooled connection. The object is unusable afterwards."""
        self._engine.dispose()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _writer(self) -> Iterator[Connection]:
        eng = self._engine.execution_options(sqlite_begin="BEGIN IMMEDIATE")
        with eng.begin() as conn:
            yield conn

    def _insert_ignore(self, table: Table) -> Any:
        """``INSERT … ON CONFLICT DO NOTHING`` for the dialect (sqlite, postgresql)."""
        if self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        elif self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            raise StoreError(f"unsupported database dialect {self.dialect!r} (use sqlite or postgresql)")
        return insert(table).on_conflict_do_nothing()

    # -- writing -------------------------------------------------------------

    def add(self, article: Article, events: list[Event]) -> bool:
        """Store an article, its actors and its events in one transaction.

        Existing actors (same id) are kept as they are; existing events (same
        id) are skipped.

        Args:
            article: the article; its ``id`` is the key.
            events: its events; each ``event.doc`` must equal ``article.id``.

        Returns:
            ``True`` when the article was new and was stored with its events;
            ``False`` when an article with that id was already stored (then
            nothing changes, whatever ``events`` holds).

        Raises:
            StoreError: naming the article id and the reason (an event of
                another article, a text that is not valid Unicode, a constraint
                or database failure). Nothing of the article is written.
        """
        self._check_unicode(article, events)
        try:
            with self._writer() as conn:
                row = {
                    "id": article.id, "url": article.url, "title": article.title,
                    "published": article.published.isoformat() if article.published else None,
                    "text": article.text, "lang": article.lang,
                    "ingested_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                }
                # RETURNING, not rowcount: psycopg reports -1 for a skipped single-row insert
                if conn.execute(self._insert_ignore(ARTICLES).returning(ARTICLES.c.id), row).first() is None:
                    raise _AlreadyStored
                seen: dict[str, Actor] = {}
                for ev in events:
                    if ev.doc != article.id:
                        raise StoreError(f"article {article.id}: event {ev.id} belongs to article "
                                         f"{ev.doc!r}, not to this one")
                    for actor in (ev.source, ev.target):
                        if actor is not None:
                            seen.setdefault(actor.id, actor)
                if seen:
                    conn.execute(self._insert_ignore(ACTORS), [a.to_dict() for a in seen.values()])
                if events:
                    conn.execute(self._insert_ignore(EVENTS), [_event_row(ev) for ev in events])
        except _AlreadyStored:
            return False
        except StoreError:
            raise
        except Exception as exc:  # DBAPI errors, encoding errors, bad field types
            raise StoreError(f"article {article.id}: cannot store: {_reason(exc)}") from exc
        return True

    @staticmethod
    def _check_unicode(article: Article, events: list[Event]) -> None:
        fields: list[tuple[str, str | None]] = [
            ("id", article.id), ("url", article.url), ("title", article.title),
            ("text", article.text), ("lang", article.lang)]
        for ev in events:
            fields += [(f"event {ev.id!r} evidence", ev.evidence.text),
                       (f"event {ev.id!r} attribution", ev.attribution)]
            fields += [(f"event {ev.id!r} actor name", a.name) for a in (ev.source, ev.target) if a]
        for name, value in fields:
            pos = _lone_surrogate(value)
            if pos is not None:
                raise StoreError(f"article {article.id}: {name} holds a lone surrogate "
                                 f"U+{ord(value[pos]):04X} at offset {pos}; not valid Unicode")

    # -- reading -------------------------------------------------------------

    def has_article(self, id: str) -> bool:
        """Whether an article with this id is stored."""
        with self._engine.connect() as conn:
            return conn.execute(select(ARTICLES.c.id).where(ARTICLES.c.id == id)).first() is not None

    def article(self, id: str) -> Article | None:
        """The stored article with this id, or ``None``."""
        with self._engine.connect() as conn:
            row = conn.execute(select(ARTICLES).where(ARTICLES.c.id == id)).mappings().first()
        return _article(row) if row else None

    def events(self, *, target_state: str | None = None, source_state: str | None = None,
               event: str | None = None, polarity: str | None = None,
               doc: str | None = None) -> list[StoredEvent]:
        """Stored events matching every given filter.

        Args:
            target_state: ISO3 ``state`` of the target actor (``"AFG"`` matches
                ``AFG``, ``AFG:taliban`` and ``ORG:taliban``).
            source_state: ISO3 ``state`` of the source actor.
            event: event type (``recognize_government``).
            polarity: ``asserted``, ``negated`` or ``hypothetical``.
            doc: article id.

        Returns:
            :class:`StoredEvent` objects (Events plus the article's ``published``
            and ``url``), ordered by event date (ISO string; undated last), then
            article published date (unknown last), then id.
        """
        src, tgt = ACTORS.alias("src"), ACTORS.alias("tgt")
        q = (select(EVENTS, ARTICLES.c.published.label("a_published"), ARTICLES.c.url.label("a_url"),
                    src.c.name.label("s_name"), src.c.kind.label("s_kind"), src.c.state.label("s_state"),
                    tgt.c.name.label("t_name"), tgt.c.kind.label("t_kind"), tgt.c.state.label("t_state"))
             .join(ARTICLES, ARTICLES.c.id == EVENTS.c.doc)
             .outerjoin(src, src.c.id == EVENTS.c.source_id)
             .outerjoin(tgt, tgt.c.id == EVENTS.c.target_id))
        if target_state is not None:
            q = q.where(tgt.c.state == target_state)
        if source_state is not None:
            q = q.where(src.c.state == source_state)
        if event is not None:
            q = q.where(EVENTS.c.event == event)
        if polarity is not None:
            q = q.where(EVENTS.c.polarity == polarity)
        if doc is not None:
            q = q.where(EVENTS.c.doc == doc)
        q = q.order_by(EVENTS.c.date.is_(None), EVENTS.c.date,
                       ARTICLES.c.published.is_(None), ARTICLES.c.published, EVENTS.c.id)
        with self._engine.connect() as conn:
            return [_stored_event(r) for r in conn.execute(q).mappings()]

    def articles_for(self, event_ids: Iterable[str]) -> dict[str, Article]:
        """The article of each stored event: ``{event id: Article}`` (unknown ids are left out)."""
        ids = list(dict.fromkeys(event_ids))
        out: dict[str, Article] = {}
        with self._engine.connect() as conn:
            for i in range(0, len(ids), _CHUNK):
                q = (select(EVENTS.c.id.label("event_id"), ARTICLES)
                     .join(ARTICLES, ARTICLES.c.id == EVENTS.c.doc)
                     .where(EVENTS.c.id.in_(ids[i:i + _CHUNK])))
                for row in conn.execute(q).mappings():
                    out[row["event_id"]] = _article(row)
        return out

    def counts(self) -> dict[str, int]:
        """``{"articles": n, "events": n, "actors": n}``."""
        with self._engine.connect() as conn:
            return {name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for name, t in (("articles", ARTICLES), ("events", EVENTS), ("actors", ACTORS))}


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
    }


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _article(row: Any) -> Article:
    return Article(id=row["id"], text=row["text"], title=row["title"], url=row["url"],
                   published=_date(row["published"]), lang=row["lang"])


def _stored_event(r: Any) -> StoredEvent:
    source = Actor(r["source_id"], r["s_name"], r["s_kind"], r["s_state"]) if r["source_id"] else None
    target = Actor(r["target_id"], r["t_name"], r["t_kind"], r["t_state"]) if r["target_id"] else None
    return StoredEvent(
        id=r["id"], doc=r["doc"], event=r["event"], source=source, target=target,
        polarity=r["polarity"], date=r["date"], date_precision=r["date_precision"],
        cameo=r["cameo"], plover=r["plover"],
        evidence=Evidence(r["evidence_text"], r["evidence_start"], r["evidence_end"]),
        attribution=r["attribution"], confidence=r["confidence"], extractor=r["extractor"],
        published=_date(r["a_published"]), url=r["a_url"])
