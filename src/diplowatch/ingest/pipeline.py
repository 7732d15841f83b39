"""Store what the readers produce: the loop shared by ``ingest`` and ``follow``.

Per item: an :class:`InputError` is quarantined with its reason; an article
already stored is counted as a duplicate (not extracted again); an article
whose id is taken by a *different* stored article (two files ``x/news.txt`` and
``y/news.txt``) is reported and quarantined; a new article
is extracted and stored with its events in one transaction (the store's
:meth:`~ArticleStore.add`: the write path of :class:`diplowatch.write.Writer`,
which evaluates the watch rules too); an article the store refuses is
quarantined and the batch goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
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


def store_items(items: Iterable[Article | InputError], kb: ArticleStore, extractor: Callable[[], EventExtractor],
                summary: RunSummary, *, on_error: Callable[[DiplowatchError], None] | None = None,
                on_item: Callable[[], None] | None = None,
                critical: Callable[[], AbstractContextManager[Any]] | None = None) -> int:
    """Extract and store every article; quarantine every error.

    Args:
        items: from :func:`~diplowatch.ingest.read_inputs` (or a feed round).
        kb: where to store: the write path (:class:`diplowatch.write.Writer`).
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
    failed = 0
    ext = None
    for item in items:
        raw: Any = None
        if isinstance(item, InputError):
            if on_error:
                on_error(item)
            reason, source, line = item.reason, item.source, item.line
        else:
            try:
                stored = kb.is_stored(item)
            except DiplowatchError as exc:  # a different article under this id
                stored = None
                if on_error:
                    on_error(exc)
                reason, source, line, raw = str(exc), item.url or item.id, None, item
            if stored:
                summary.duplicates += 1
                if on_item:
                    on_item()
                continue
            events = None
            if stored is not None:
                ext = ext or extractor()
                try:
                    events = ext.extract(item)
                except (RecursionError, MemoryError, ValueError) as exc:
                    reason, source, line, raw = f"extraction failed: {exc.__class__.__name__}: {exc}", \
                        item.url or item.id, None, item
            if events is not None:
                try:
                    if critical is not None:
                        with critical():
                            added = kb.add(item, events)
                    else:
                        added = kb.add(item, events)
                    if added:
                        summary.new += 1
                        summary.events += len(events)
                    else:
                        summary.duplicates += 1
                    if on_item:
                        on_item()
                    continue
                except DiplowatchError as exc:
                    if on_error:
                        on_error(exc)
                    reason, source, line, raw = str(exc), item.url or item.id, None, item
        try:
            kb.quarantine(source, reason, raw, line)
            summary.quarantine(reason)
        except DiplowatchError as exc:
            failed += 1
            if on_error:
                on_error(exc)
        if on_item:
            on_item()
    return failed
