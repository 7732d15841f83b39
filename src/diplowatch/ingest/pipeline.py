"""Store what the readers produce: the loop shared by ``ingest`` and ``follow``.

Per item: an :class:`InputError` is quarantined with its reason; an article
already stored is counted as a duplicate (not extracted again); an article
whose id is taken by a *different* stored article (two files ``x/news.txt`` and
``y/news.txt``) is reported and quarantined; a new article
is extracted and stored with its events in one transaction (the store's
:meth:`~diplowatch.store.KnowledgeBase.add`); an article the store refuses is
quarantined and the batch goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from diplowatch.errors import DiplowatchError, InputError
from diplowatch.ingest.summary import RunSummary
from diplowatch.model import Article

log = logging.getLogger(__name__)

__all__ = ["store_items"]


def store_items(items: Iterable[Article | InputError], kb: Any, extractor: Callable[[], Any],
                summary: RunSummary, *, on_error: Callable[[DiplowatchError], None] | None = None,
                on_item: Callable[[], None] | None = None, critical: Any = None) -> int:
    """Extract and store every article; quarantine every error.

    Args:
        items: from :func:`~diplowatch.ingest.read_inputs` (or a feed round).
        kb: an open :class:`~diplowatch.store.KnowledgeBase`.
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
