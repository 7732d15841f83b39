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
import json
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint, Column, Connection, Engine, Float, ForeignKey, Index, Integer, LargeBinary, MetaData,
    String, Table, Text, and_, create_engine, func, literal, or_, select, union_all,
)
from sqlalchemy import event as sa_event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from diplowatch.errors import StoreError
from diplowatch.model import Actor, Article, Event, Evidence
from diplowatch.ontology import EVENT_TYPES

if TYPE_CHECKING:
    from diplowatch.state import EventRow, TargetStatus

__all__ = ["KnowledgeBase", "Quarantined", "RealEvent", "StoredEvent", "TimelineEntry", "default_db_url",
           "metadata", "migrate", "resolve_db_url"]

_MIGRATIONS = Path(__file__).with_name("migrations")
_CHUNK = 500  # bound parameters per IN (...) list
_STATELESS_TYPES = tuple(sorted(name for name, t in EVENT_TYPES.items() if not t.facet))  # praise, criticize
_MIGRATION_LOCK = 0x6469706C  # PostgreSQL advisory lock key held while migrating ("dipl")

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
    Index("ix_articles_published", "published"),  # 0005
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
    Index("ix_events_target", "target_id", "event", "polarity", "source_id", "doc"),  # 0005
    Index("ix_events_source", "source_id", "event"),  # 0006
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


def default_db_url(*, create: bool = True) -> str:
    """Return the URL of the default knowledge base and create its directory.

    The file is ``$DIPLOWATCH_DB`` when that variable is set (a path, or a full
    SQLAlchemy URL when it contains ``://``; see :func:`resolve_db_url`), otherwise
    ``~/.local/share/diplowatch/diplowatch.db``. Parent directories of a file
    path are created unless ``create`` is false.

    Raises:
        StoreError: the parent directory cannot be created.
    """
    return resolve_db_url(None, create=create)


def resolve_db_url(value: str | None, *, create: bool = False) -> str:
    """The SQLAlchemy URL of a knowledge base named as ``--db`` and ``$DIPLOWATCH_DB`` accept it.

    Args:
        value: a SQLAlchemy URL (it contains ``://``: ``sqlite:////tmp/kb.db``,
            ``postgresql://…``) or a file path (``~`` expanded, made absolute);
            ``None`` or blank: ``$DIPLOWATCH_DB`` in the same forms, else
            ``~/.local/share/diplowatch/diplowatch.db``.
        create: create the parent directories of a file path.

    Raises:
        StoreError: the parent directory cannot be created.
    """
    text = (value or "").strip() or os.environ.get("DIPLOWATCH_DB", "").strip()
    if "://" in text:
        return text
    path = Path(text).expanduser() if text else Path.home() / ".local" / "share" / "diplowatch" / "diplowatch.db"
    path = path.resolve()
    if create:
        _make_parent(path)
    return f"sqlite:///{path}"


def _make_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create directory {path.parent}: {exc.strerror or exc}") from exc


def _set_wal(cur: Any, seconds: float = 30.0) -> None:
    """Switch a SQLite database to WAL, retrying while another process holds it.

    Nothing is written when it is in WAL mode already (a reader of a current
    knowledge base writes nothing when it opens it).
    Changing the journal mode of a new database needs an exclusive lock, and
    SQLite answers "database is locked" at once rather than waiting for the
    busy timeout when two processes open a new file together; so wait here.
    """
    import sqlite3

    deadline = time.monotonic() + seconds
    delay = 0.01
    while True:
        try:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


_SQLITE_MMAP_BYTES = 1 << 30
"""Bytes of a SQLite file that a connection reads through a memory map (``PRAGMA mmap_size``)
rather than a ``read`` per page: a status reads a thousand scattered event and article
pages, about a quarter faster so. Address space only; the pages are the OS cache's."""


def _configure_sqlite(engine: Engine, *, read_only: bool = False) -> None:
    """Pragmas on every new connection and explicit BEGIN (SQLAlchemy's pysqlite recipe).
    ``read_only``: the file is opened read-only (no switch to WAL)."""

    @sa_event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cur = dbapi_conn.cursor()
        try:
            cur.execute("PRAGMA busy_timeout=30000")
            if not read_only:
                _set_wal(cur)
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA mmap_size={_SQLITE_MMAP_BYTES}")
        finally:
            cur.close()

    @sa_event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


@lru_cache(maxsize=1)
def _revisions() -> tuple[str, frozenset[str]]:
    """``(head revision, every revision)`` of the migrations shipped with this version."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    return script.get_current_head(), frozenset(r.revision for r in script.walk_revisions())


_CORE_TABLES = frozenset({"articles", "actors", "events"})
"""Tables that every diplowatch schema revision holds (with ``alembic_version``)."""


def _sqlite_uri(path: Path, **params: str) -> str:
    """``file:`` URI of ``path`` for ``sqlite3.connect(uri=True)``, with query ``params``."""
    from urllib.parse import quote

    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{quote(str(path.resolve()))}" + (f"?{query}" if query else "")


@dataclass(frozen=True, slots=True)
class _SqliteFile:
    """What an existing SQLite file holds (:func:`_inspect_sqlite`).

    Attributes:
        revision: its diplowatch schema revision; ``None`` when it holds no table
            at all (a 0-byte or blank file, to be initialised by a writer).
        immutable: it can be read only as an immutable file (it, or its directory, is
            not writable, so SQLite cannot create the WAL index a reader needs).
        writable: the file itself can be written.
    """

    revision: str | None
    immutable: bool = False
    writable: bool = True


def _inspect_sqlite(path: Path) -> _SqliteFile:
    """Look into the SQLite file at ``path`` without writing to it (opened ``mode=ro``).

    Raises:
        StoreError: ``PATH is not a diplowatch knowledge base`` (not an SQLite
            file, or it holds other tables: someone else's database), or it has
            a schema revision this version does not know, or it cannot be read.
    """
    import sqlite3

    writable = os.access(path, os.W_OK)
    if path.stat().st_size == 0:
        return _SqliteFile(None, writable=writable)
    read_only = not (writable and os.access(path.parent, os.W_OK))
    for immutable in (False, True):
        params = {"mode": "ro", "immutable": "1"} if immutable else {"mode": "ro"}
        try:
            conn = sqlite3.connect(_sqlite_uri(path, **params), uri=True, timeout=30)
            try:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                versions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")] \
                    if "alembic_version" in tables else []
            finally:
                conn.close()
            break
        except sqlite3.DatabaseError as exc:
            code = getattr(exc, "sqlite_errorname", "")
            if code == "SQLITE_NOTADB" or "not a database" in str(exc):
                raise StoreError(f"{path} is not a diplowatch knowledge base (not an SQLite database)") from None
            if not immutable and read_only and code.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
                continue  # a WAL file in a directory we cannot write: only an immutable reader can open it
            raise StoreError(f"cannot read {path}: {exc}") from exc
    if not tables:
        return _SqliteFile(None, immutable, writable)
    head, known = _revisions()
    if len(versions) != 1 or not _CORE_TABLES <= tables:
        shown = ", ".join(sorted(tables)[:6]) + (", …" if len(tables) > 6 else "")
        raise StoreError(f"{path} is not a diplowatch knowledge base (it holds other tables: {shown})")
    if versions[0] not in known:
        raise StoreError(f"{path} has schema revision {versions[0]!r}, unknown to this version of diplowatch "
                         f"(newest known: {head}): a newer diplowatch wrote it, or it is not a diplowatch "
                         f"knowledge base")
    return _SqliteFile(versions[0], immutable, writable)


def migrate(engine: Engine) -> None:
    """Bring the schema of ``engine`` to the Alembic head (idempotent).

    Raises:
        StoreError: the migration fails.
    """
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    head, _ = _revisions()
    try:
        with engine.connect() as conn:  # cheap check: most opens find the schema current
            if MigrationContext.configure(conn).get_current_revision() == head:
                return
        with engine.execution_options(sqlite_begin="BEGIN IMMEDIATE").begin() as conn:
            if conn.dialect.name == "postgresql":  # one migrator at a time, as BEGIN IMMEDIATE on SQLite
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")  # re-checks the revision under the write lock
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot create or upgrade the schema: {_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    # DBAPI errors by their portable class (IntegrityError, not psycopg's NotNullViolation)
    name = type(exc if isinstance(exc, DBAPIError) else orig or exc).__name__
    return f"{name}: {orig or exc}".splitlines()[0]


class _AlreadyStored(Exception):
    """Raised inside :meth:`KnowledgeBase.add` to roll back when the article exists."""


def _check_id_free(conn: Connection, article_id: str, key: str) -> None:
    """Raise :class:`StoreError` when another article (other content key) is stored under ``article_id``.

    The same id with the same content key is the same article (a re-ingest);
    a stored key of ``NULL`` (before migration 0002's backfill) is not compared.
    """
    stored = conn.execute(select(ARTICLES.c.content_key).where(ARTICLES.c.id == article_id)).first()
    if stored is not None and stored.content_key is not None and stored.content_key != key:
        raise StoreError(f"article {article_id}: a different article (other text or URL) is already stored "
                         f"under this id; give the inputs distinct file names or ids")


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
        create: create the database (a SQLite file and its directory) when
            it does not exist. ``False`` for readers: a SQLite file that does
            not exist is a :class:`StoreError` (a mistyped ``--db`` must not
            leave an empty database behind), nor is a 0-byte one. Other
            databases (PostgreSQL) are servers: their schema is created in
            either case. An existing SQLite file is looked into read-only
            first: one that holds other tables (someone else's database) is
            refused, with or without ``create``, and is left as it was. One
            whose schema is current is opened without any write (no
            migration, no journal-mode switch); when it or its directory is
            read-only it is read as an immutable file.
        window_days: reports of the same (event, source, target, polarity)
            whose dates span at most this many days are one real-world event
            (see :mod:`diplowatch.store.corroborate`).
        deliver_alerts: after :meth:`add` commits alerts (watch rules, see
            :mod:`diplowatch.alerts`), attempt their delivery at once; when
            ``False`` (or when an attempt fails) they wait in the outbox for
            ``diplowatch alerts deliver``.

    Use as a context manager, or call :meth:`close`.

    Raises:
        StoreError: the database cannot be opened or its schema created;
            with ``create=False``, ``no knowledge base at PATH`` for a
            SQLite file that does not exist or is empty; ``PATH is not a
            diplowatch knowledge base`` for a file that is something else.
    """

    def __init__(self, url: str | None = None, *, create: bool = True, window_days: int = 7,
                 deliver_alerts: bool = True) -> None:
        if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 0:
            raise StoreError(f"window_days must be a whole number of days >= 0, not {window_days!r}")
        self.window_days = window_days
        self.deliver_alerts = deliver_alerts
        self._near_index: Any = None  # neardup.NearDuplicateIndex, built on the first write
        self.url = url or default_db_url(create=create)
        try:
            parsed = make_url(self.url)
        except Exception as exc:  # ArgumentError, ValueError
            raise StoreError(f"invalid database URL {self.url!r}: {exc}") from exc
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, whatever SQLAlchemy's default
        self.dialect = parsed.get_backend_name()
        read_only = False
        self._read_only: Path | None = None  # the SQLite file, when it can only be read
        if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:") \
                and not parsed.database.startswith("file:"):
            path = Path(parsed.database).expanduser()
            found = _SqliteFile(None)
            if path.is_file():  # look before opening: never add tables to someone else's database
                try:
                    found = _inspect_sqlite(path)
                except OSError as exc:
                    raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from exc
            if not create and found.revision is None:
                raise StoreError(f"no knowledge base at {path} (run `diplowatch ingest` first)")
            if create and not found.writable:
                raise StoreError(f"cannot write to {path}: the file is read-only")
            if found.immutable:
                head, _ = _revisions()
                if create or found.revision != head:
                    raise StoreError(f"cannot write to {path}: the file or its directory is read-only"
                                     + ("" if create else f" (its schema {found.revision} needs an upgrade "
                                                          f"to {head})"))
                read_only = True  # a current schema, read as an immutable file: nothing is written
                self._read_only = path
                parsed = make_url(f"sqlite:///{_sqlite_uri(path, mode='ro', immutable='1')}&uri=true")
            else:
                _make_parent(path)
        try:
            kwargs: dict[str, Any] = {}
            if self.dialect == "sqlite":
                kwargs["connect_args"] = {"timeout": 30}
            self._engine = create_engine(parsed, **kwargs)
        except Exception as exc:  # missing driver, bad arguments
            raise StoreError(f"cannot open {parsed.render_as_string(hide_password=True)}: {exc}") from exc
        if self.dialect == "sqlite":
            _configure_sqlite(self._engine, read_only=read_only)
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
        if self._read_only is not None:
            raise StoreError(f"cannot write to {self._read_only}: the file or its directory is read-only")
        eng = self._engine.execution_options(sqlite_begin="BEGIN IMMEDIATE")
        with eng.begin() as conn:
            yield conn

    def _lock_writers(self, conn: Connection) -> None:
        """Serialise writers on PostgreSQL as ``BEGIN IMMEDIATE`` does on SQLite.

        Near-duplicate and corroboration links read what earlier writers
        stored; a transaction-scoped advisory lock keeps two writers from
        both creating the same real-world event.
        """
        if self.dialect == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")

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
        id) are skipped. In the same transaction the article's content key
        (canonical URL or normalised text) and MinHash signature are stored,
        it is linked to the earlier article it near-duplicates (if any), and
        each new event is linked to a real-world event whose aggregates are
        recomputed (:mod:`diplowatch.store.corroborate`). Still in the same
        transaction, the watch rules are evaluated on the state transitions
        these events make (:mod:`diplowatch.alerts`): each alert that fires is
        written with its outbox rows, or nothing is when the transaction rolls
        back. After the commit, new alerts are delivered at once when
        ``deliver_alerts`` is set (failures wait in the outbox).

        Args:
            article: the article; its ``id`` is the key.
            events: its events; each ``event.doc`` must equal ``article.id``.

        Returns:
            ``True`` when the article was new and was stored with its events;
            ``False`` when the same article was already stored: same id and
            same content key, or another id with the same content key (same
            canonical URL, or same normalised text without URL). Then nothing
            changes, whatever ``events`` holds.

        Raises:
            StoreError: naming the article id and the reason (a *different*
                article already stored under this id — other canonical URL or
                other text, e.g. two files ``x/news.txt`` and ``y/news.txt`` —,
                an event of another article, a text that is not valid Unicode,
                a constraint or database failure). Nothing of the article is
                written.
        """
        from diplowatch.store import corroborate, neardup

        self._check_unicode(article, events)
        sig = neardup.signature(article.text)
        try:
            with self._writer() as conn:
                self._lock_writers(conn)
                row = {
                    "id": article.id, "url": article.url, "title": article.title,
                    "published": article.published.isoformat() if article.published else None,
                    "text": article.text, "lang": article.lang,
                    "ingested_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    "content_key": corroborate.content_key(article),
                }
                # RETURNING, not rowcount: psycopg reports -1 for a skipped single-row insert
                if conn.execute(self._insert_ignore(ARTICLES).returning(ARTICLES.c.id), row).first() is None:
                    _check_id_free(conn, article.id, row["content_key"])
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
                if self._near_index is None:
                    self._near_index = neardup.NearDuplicateIndex()
                corroborate.mark_near_duplicate(conn, self._near_index, article.id, sig)
                unique = {ev.id: ev for ev in events}
                touched = corroborate.link_reports(conn, [corroborate.report_of(ev, article.published)
                                                          for ev in unique.values()], self.window_days)
                fired = self._evaluate_watch_rules(conn, article, list(unique.values()), touched)
        except _AlreadyStored:
            return False
        except StoreError:
            raise
        except Exception as exc:  # DBAPI errors, encoding errors, bad field types
            raise StoreError(f"article {article.id}: cannot store: {_reason(exc)}") from exc
        if fired and self.deliver_alerts:
            self._deliver_alerts(fired)
        return True

    def _evaluate_watch_rules(self, conn: Connection, article: Article, events: list[Event],
                              touched: set[int]) -> list[str]:
        """Write the alerts these new events fire, and their outbox rows, in ``conn``'s transaction.

        Returns the ids of the alerts written (see :func:`diplowatch.alerts.evaluate`).
        """
        from diplowatch.alerts.evaluate import evaluate  # lazily: alerts sit above the store

        return evaluate(conn, self, article, events, touched)

    def _deliver_alerts(self, alert_ids: list[str]) -> None:
        """Attempt delivery of alerts just committed; failures stay in the outbox (logged, not raised)."""
        import logging

        try:
            from diplowatch.alerts.deliver import deliver

            deliver(self, alert_ids=alert_ids)
        except Exception as exc:  # noqa: BLE001 - the article is stored; delivery is retried later
            logging.getLogger(__name__).warning("alert delivery after commit failed: %s", exc)

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
                transaction, as the watch-rule evaluation of :meth:`add`
                does); ``None``: a connection of the pool.

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
            return [_stored_event(r, {}) for r in connection.execute(q).mappings().all()]
        with self._engine.connect() as conn:
            cache: dict[Any, Any] = {}
            return [_stored_event(r, cache) for r in conn.execute(q).mappings().all()]

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
            with self._engine.connect() as conn:
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

    def is_stored(self, article: Article) -> bool:
        """Whether this article is stored: same id, or same content key (canonical URL or text).

        Raises:
            StoreError: a different article (other content key) is stored
                under this id; :meth:`add` would refuse it the same way.
        """
        from diplowatch.store.corroborate import content_key

        key = content_key(article)
        with self._engine.connect() as conn:
            _check_id_free(conn, article.id, key)
            q = select(ARTICLES.c.id).where((ARTICLES.c.id == article.id) | (ARTICLES.c.content_key == key))
            return conn.execute(q.limit(1)).first() is not None

    def near_duplicate_of(self, article_id: str) -> tuple[str, float] | None:
        """``(root article id, estimated similarity)`` when the article is a near-duplicate, else ``None``."""
        with self._engine.connect() as conn:
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
        with self._engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
            reports = self._reports_of(conn, [r["id"] for r in rows])
        return [_real_event(r, reports.get(r["id"], ())) for r in rows]

    def real_events_for(self, event_ids: Iterable[str]) -> dict[str, RealEvent]:
        """The real-world event of each stored event: ``{event id: RealEvent}`` (unlinked ids left out)."""
        ids = list(dict.fromkeys(event_ids))
        link: dict[str, int] = {}
        with self._engine.connect() as conn:
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
        built = {rid: _real_event(r, reports.get(rid, ())) for rid, r in rows.items()}
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

    def recount_real_events(self) -> int:
        """Recompute every real-world event's aggregates from its reports, in one transaction.

        Returns:
            How many real-world events had stored aggregates that differed
            (0 on a sound store).
        """
        from diplowatch.store.corroborate import refresh_real_events

        with self._writer() as conn:
            self._lock_writers(conn)
            ids = conn.execute(select(REAL_EVENTS.c.id).order_by(REAL_EVENTS.c.id)).scalars().all()
            return refresh_real_events(conn, ids)

    # -- quarantine ----------------------------------------------------------

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
            with self._writer() as conn:
                self._lock_writers(conn)  # the check and the insert as one step, as BEGIN IMMEDIATE on SQLite
                found = conn.execute(same.order_by(q.id).limit(1)).scalar()
                if found is not None:  # the same record again (the same input ingested twice): kept once
                    return found
                return conn.execute(QUARANTINE.insert().values(**row)).inserted_primary_key[0]
        except Exception as exc:
            why = exc if isinstance(exc, StoreError) else _reason(exc)
            raise StoreError(f"cannot quarantine a record of {row['source']}: {why}") from exc

    def quarantined(self) -> list[Quarantined]:
        """Every quarantined record, oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(QUARANTINE).order_by(QUARANTINE.c.id)).mappings().all()
        return [Quarantined(r["id"], r["source"], r["line"], r["reason"], r["raw"], r["created_at"])
                for r in rows]


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


def _stored_event(r: Any, cache: dict[Any, Any] | None = None) -> StoredEvent:
    """A row of :meth:`KnowledgeBase.events` as a StoredEvent. ``cache`` (one dict per query)
    shares the Actor objects and parsed publication dates of its rows."""
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
        published=published, url=r["a_url"])


def _iso(value: dt.date | str) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValueError(f"not an ISO date YYYY-MM-DD: {value!r}") from None


def _escape(value: str) -> str:
    """``value`` with lone surrogates written as ``\\udXXX`` (always valid UTF-8)."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _real_event(r: Any, event_ids: tuple[str, ...]) -> RealEvent:
    return RealEvent(id=r["id"], event=r["event"], source=r["source_party"], target=r["target_party"],
                     polarity=r["polarity"], first_date=r["first_date"], last_date=r["last_date"],
                     n_reports=r["n_reports"], n_sources=r["n_sources"], event_ids=event_ids)
