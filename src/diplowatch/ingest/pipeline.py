"""Store what the readers produce: the loop shared by ``ingest`` and ``follow``.

Each item ends in one of four outcomes, each one step of :class:`_Run`:

- **duplicate**: an article already stored is counted, not extracted again;
- **stored**: a new article is extracted and stored with its events in one
  transaction, through the store's :meth:`~ArticleStore.add` (the write path of
  :class:`diplowatch.write.Writer`, which evaluates the watch rules too);
- **refused**: an :class:`InputError` from the readers, an article whose id is
  taken by a *different* stored article (two files ``x/news.txt`` and
  ``y/news.txt``), an article whose extraction fails or that the store refuses;
- **quarantined**: every refused record is quarantined with its reason, and
  the batch goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from diplowatch.errors import DiplowatchError, InputError
from diplowatch.ingest.summary import RunSummary
from diplowatch.model import Article, Event

log = logging.getLogger(__name__)

__all__ = ["ArticleStore", "EventExtractor", "store_items"]


class ArticleStore(Protocol):
    """What :func:`store_items` asks of the store: :class:`diplowatch.write.Writer` (or a KnowledgeBase)."""

    def is_stored(self, article: Article) -> bool:
        """Whether this article is stored (raises a :class:`DiplowatchError` for another under its id)."""

    def add(self, article: Article, events: list[Event]) -> bool:
        """Store the article and its events; ``False`` when it was stored already."""

    def quarantine(self, source: str, reason: str, raw: Any = None, line: int | None = None) -> int:
        """Keep a record that cannot be stored, with the reason."""


class EventExtractor(Protocol):
    """What extracts the events of an article (:class:`diplowatch.extract.Extractor`)."""

    def extract(self, article: Article) -> list[Event]:
        """The events of ``article``."""


@dataclass(frozen=True, slots=True)
class _Refusal:
    """A record that goes to quarantine: why, where from, and what to keep of it."""

    reason: str
    source: str
    line: int | None = None
    raw: Any = None


def store_items(items: Iterable[Article | InputError], store: ArticleStore, extractor: Callable[[], EventExtractor],
                summary: RunSummary, *, on_error: Callable[[DiplowatchError], None] | None = None,
                on_item: Callable[[], None] | None = None,
                critical: Callable[[], AbstractContextManager[Any]] | None = None) -> int:
    """Extract and store every article; quarantine every error.

    Args:
        items: from :func:`~diplowatch.ingest.read_inputs` (or a feed round).
        store: where to store: the write path (:class:`diplowatch.write.Writer`).
        extractor: returns the extractor (called once, on the first new article:
            loading spaCy takes a second).
        summary: counts ``new``, ``duplicates``, ``events``, ``quarantined``.
        on_error: called with each input or store error (to print it).
        on_item: called after each item (advance a progress bar).
        critical: a context manager factory entered around each write (``follow``
            defers Ctrl-C inside it); ``None`` for none.

    Returns:
        Number of failures: records that could not even be quarantined.
    """
    run = _Run(store, extractor, summary, on_error, critical)
    for item in items:
        refusal = run.refused_input(item) if isinstance(item, InputError) else run.store_article(item)
        if refusal is not None:
            run.quarantine(refusal)
        if on_item:
            on_item()
    return run.failed


class _Run:
    """The steps of one :func:`store_items` loop, and its count of failures."""

    def __init__(self, store: ArticleStore, extractor: Callable[[], EventExtractor], summary: RunSummary,
                 on_error: Callable[[DiplowatchError], None] | None,
                 critical: Callable[[], AbstractContextManager[Any]] | None) -> None:
        self.store = store
        self.make_extractor = extractor
        self.extractor: EventExtractor | None = None
        self.summary = summary
        self.on_error = on_error
        self.critical = critical
        self.failed = 0

    def store_article(self, article: Article) -> _Refusal | None:
        """A duplicate, or stored with its events; else why it is refused."""
        try:
            if self.store.is_stored(article):
                return self.duplicate()
        except DiplowatchError as exc:  # a different article under this id
            return self.refused(article, exc)
        self.extractor = self.extractor or self.make_extractor()
        try:
            events = self.extractor.extract(article)
        except (RecursionError, MemoryError, ValueError) as exc:
            return _Refusal(f"extraction failed: {exc.__class__.__name__}: {exc}", article.url or article.id,
                            raw=article)
        try:
            if self.critical is not None:
                with self.critical():
                    added = self.store.add(article, events)
            else:
                added = self.store.add(article, events)
        except DiplowatchError as exc:
            return self.refused(article, exc)
        return self.stored(events) if added else self.duplicate()

    def duplicate(self) -> None:
        """Count an article already stored."""
        self.summary.duplicates += 1

    def stored(self, events: list[Event]) -> None:
        """Count a new article and its events."""
        self.summary.new += 1
        self.summary.events += len(events)

    def refused(self, article: Article, exc: DiplowatchError) -> _Refusal:
        """Report an article that the store refused; it goes to quarantine whole."""
        self.report(exc)
        return _Refusal(str(exc), article.url or article.id, raw=article)

    def refused_input(self, error: InputError) -> _Refusal:
        """Report a record the readers could not read; its reason and place go to quarantine."""
        self.report(error)
        return _Refusal(error.reason, error.source, error.line)

    def quarantine(self, refusal: _Refusal) -> None:
        """Quarantine a refused record; one that cannot even be quarantined counts as a failure."""
        try:
            self.store.quarantine(refusal.source, refusal.reason, refusal.raw, refusal.line)
            self.summary.quarantine(refusal.reason)
        except DiplowatchError as exc:
            self.failed += 1
            self.report(exc)

    def report(self, exc: DiplowatchError) -> None:
        """Pass an error to ``on_error`` (to print it)."""
        if self.on_error:
            self.on_error(exc)
