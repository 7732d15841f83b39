"""Opening a knowledge base: where it is, its SQLite settings, its schema migrations, its connections.

One SQLite file by default (see :func:`default_db_url`); any SQLAlchemy URL
(PostgreSQL) is accepted. The schema is created and upgraded with the Alembic
migrations in ``diplowatch/store/migrations`` when a store is opened
(:func:`migrate`); the current revision is in the ``alembic_version`` table.
An existing SQLite file is looked into read-only first (:func:`_inspect_sqlite`),
so someone else's database is refused and left as it is.

SQLite connections run in WAL mode with ``synchronous=FULL``, foreign keys on
and a busy timeout, and every transaction is an explicit ``BEGIN`` (writers use
``BEGIN IMMEDIATE``, :meth:`Database.transaction`), so what one transaction
writes is committed together or not at all (RELIABILITY.md, "Store").
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine
from sqlalchemy import event as sa_event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from diplowatch.errors import StoreError
from diplowatch.store.schema import CORE_TABLES

__all__ = ["MIGRATIONS", "Database", "default_db_url", "failure_reason", "migrate", "resolve_db_url"]

MIGRATIONS = Path(__file__).with_name("migrations")
"""The Alembic script directory shipped with this version."""
_MIGRATION_LOCK = 0x6469706C  # PostgreSQL advisory lock key held while migrating ("dipl")
_WRITERS_LOCK = 4242001  # PostgreSQL advisory lock key that serialises writers (see Database.transaction)


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
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    return script.get_current_head(), frozenset(r.revision for r in script.walk_revisions())



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
    if len(versions) != 1 or not CORE_TABLES <= tables:
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
    cfg.set_main_option("script_location", str(MIGRATIONS))
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
        raise StoreError(f"cannot create or upgrade the schema: {failure_reason(exc)}") from exc


def failure_reason(exc: BaseException) -> str:
    """The first line of an exception's message, named by its portable class (``IntegrityError: …``)."""
    orig = getattr(exc, "orig", None)
    # DBAPI errors by their portable class (IntegrityError, not psycopg's NotNullViolation)
    name = type(exc if isinstance(exc, DBAPIError) else orig or exc).__name__
    return f"{name}: {orig or exc}".splitlines()[0]


class Database:
    """An opened database: its engine, dialect, connections and transactions.

    The base of :class:`~diplowatch.store.KnowledgeBase`, which documents the
    arguments; :mod:`diplowatch.store.reads` and :mod:`diplowatch.store.writes`
    add the reads and the writes.

    Args:
        url: any SQLAlchemy URL; ``None`` for :func:`default_db_url`.
        create: create the database when it does not exist (see ``KnowledgeBase``).

    Raises:
        StoreError: the database cannot be opened or its schema created.
    """

    def __init__(self, url: str | None = None, *, create: bool = True) -> None:
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

    def close(self) -> None:
        """Release every pooled connection. The object is unusable afterwards."""
        self._engine.dispose()

    def connect(self) -> Connection:
        """A connection of the pool, for reads; use it as a context manager (``with kb.connect() as conn``)."""
        return self._engine.connect()

    @contextmanager
    def transaction(self, *, lock: bool = False) -> Iterator[Connection]:
        """A write transaction: committed when the ``with`` block ends, rolled back when it raises.

        On SQLite it begins with ``BEGIN IMMEDIATE``: one writer at a time, the
        write lock taken before the first read.

        Args:
            lock: also serialise writers on PostgreSQL, as ``BEGIN IMMEDIATE``
                does on SQLite (a transaction-scoped advisory lock), for writes
                that read what earlier writers stored: near-duplicate and
                corroboration links, so that two writers never both create the
                same real-world event.

        Yields:
            The transaction's :class:`~sqlalchemy.engine.Connection`.

        Raises:
            StoreError: the store was opened read-only (an immutable SQLite file).
        """
        if self._read_only is not None:
            raise StoreError(f"cannot write to {self._read_only}: the file or its directory is read-only")
        eng = self._engine.execution_options(sqlite_begin="BEGIN IMMEDIATE")
        with eng.begin() as conn:
            if lock and self.dialect == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_WRITERS_LOCK})")
            yield conn

    def insert_ignore(self, table: Table) -> Any:
        """``INSERT … ON CONFLICT DO NOTHING`` into ``table`` for the dialect (sqlite, postgresql).

        Raises:
            StoreError: another dialect.
        """
        if self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        elif self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            raise StoreError(f"unsupported database dialect {self.dialect!r} (use sqlite or postgresql)")
        return insert(table).on_conflict_do_nothing()
