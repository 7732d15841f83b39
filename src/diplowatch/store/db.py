"""The embedded knowledge base: articles, actors and events (SQLAlchemy 2 Core).

:class:`KnowledgeBase` is put together from the store's modules, one concern
each:

- :mod:`~diplowatch.store.schema`: the tables;
- :mod:`~diplowatch.store.opening`: where the database is, opening it (SQLite
  settings, someone else's file refused), migrations, connections and
  transactions (:class:`~diplowatch.store.opening.Database`);
- :mod:`~diplowatch.store.writes`: an article with its events in one
  transaction, quarantine, recounts (:class:`~diplowatch.store.writes.Writes`);
- :mod:`~diplowatch.store.reads`: articles, events, the state-row fast path,
  real-world events, timelines (:class:`~diplowatch.store.reads.Reads`);
- :mod:`~diplowatch.store.records`: what the reads return.

The store knows nothing of watch rules and alerts: the write path of every
ingest (:mod:`diplowatch.write`) evaluates them inside the transaction that
:meth:`KnowledgeBase.storing` keeps open.
"""

from __future__ import annotations

from diplowatch.errors import StoreError
from diplowatch.store.reads import Reads
from diplowatch.store.writes import Writes

__all__ = ["KnowledgeBase"]


class KnowledgeBase(Reads, Writes):
    """Articles, actors and events in one database.

    Args:
        url: any SQLAlchemy URL; ``None`` for :func:`~diplowatch.store.default_db_url`.
            For a SQLite file URL the parent directory is created.
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

    Use as a context manager, or call :meth:`close`.

    Raises:
        StoreError: ``window_days`` is not a whole number >= 0; the database
            cannot be opened or its schema created; with ``create=False``,
            ``no knowledge base at PATH`` for a SQLite file that does not exist
            or is empty; ``PATH is not a diplowatch knowledge base`` for a file
            that is something else.
    """

    def __init__(self, url: str | None = None, *, create: bool = True, window_days: int = 7) -> None:
        if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 0:
            raise StoreError(f"window_days must be a whole number of days >= 0, not {window_days!r}")
        self.window_days = window_days
        self._near_index = None
        super().__init__(url, create=create)

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
