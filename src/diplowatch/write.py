"""The write path of every ingest: store, evaluate the watch rules in the same transaction, commit, deliver.

Every path that stores articles goes through :class:`Writer`: ``diplowatch
ingest`` (files, URLs, stdin, and the Parquet partitions of ``diplowatch
batch`` loaded by ``ingest out/``) and ``follow`` through
:func:`diplowatch.ingest.pipeline.store_items`, ``POST /api/ingest``
(:mod:`diplowatch.api.ingest`) and ``diplowatch import``
(:func:`diplowatch.interchange.import_gdelt`). :meth:`Writer.add`:

1. opens the write transaction and stores the article and its events
   (:meth:`KnowledgeBase.storing <diplowatch.store.KnowledgeBase.storing>`);
2. evaluates the watch rules on the state transitions those events make, in
   that same transaction (:func:`diplowatch.alerts.evaluate.evaluate`): each
   alert that fires is written with its outbox rows;
3. commits: the alerts and their outbox rows are committed with the events, or
   nothing is when anything fails before the commit;
4. delivers the new alerts at once (:func:`diplowatch.alerts.deliver.deliver`);
   a failed delivery stays in the outbox for ``diplowatch alerts deliver``.

This module sits above both the store and the alerts, which know nothing of
each other's writes: the store does not import the alerts, and the alerts read
and write through the store's public connections.
"""

from __future__ import annotations

import logging
from typing import Any

from diplowatch.alerts.deliver import deliver
from diplowatch.alerts.evaluate import evaluate
from diplowatch.model import Article, Event
from diplowatch.store import KnowledgeBase

log = logging.getLogger(__name__)

__all__ = ["Writer"]


class Writer:
    """Stores articles in one knowledge base, with the watch rules evaluated in each write.

    It answers what an ingest loop asks of the store
    (:class:`diplowatch.ingest.pipeline.ArticleStore`): :meth:`is_stored`,
    :meth:`has_article` and :meth:`quarantine` as the knowledge base answers
    them, and :meth:`add`, the write path.

    Args:
        kb: the open knowledge base.
        deliver: after a write commits alerts, attempt their delivery at once;
            when ``False`` (or when an attempt fails) they wait in the outbox
            for ``diplowatch alerts deliver``.

    Attributes:
        kb: the knowledge base.
        deliver: as given.
    """

    def __init__(self, kb: KnowledgeBase, *, deliver: bool = True) -> None:
        self.kb = kb
        self.deliver = deliver

    @property
    def url(self) -> str:
        """The knowledge base's URL."""
        return self.kb.url

    def add(self, article: Article, events: list[Event]) -> bool:
        """Store an article and its events, with the alerts they fire, in one transaction; then deliver.

        Args:
            article: the article; its ``id`` is the key.
            events: its events; each ``event.doc`` must equal ``article.id``.

        Returns:
            ``True`` when the article was new and was stored with its events
            (and the alerts they fire); ``False`` when the same article was
            already stored: nothing changes and no rule is evaluated.

        Raises:
            StoreError: as :meth:`KnowledgeBase.storing
                <diplowatch.store.KnowledgeBase.storing>`, also when evaluating
                the rules fails; nothing of the article, nor any alert, is
                written. Delivery failures are logged, never raised.
        """
        with self.kb.storing(article, events) as written:
            if written is None:
                return False
            fired = evaluate(written.connection, self.kb, article, written.events, written.touched)
        if fired and self.deliver:
            self._deliver(fired)
        return True

    def _deliver(self, alert_ids: list[str]) -> None:
        """Attempt delivery of alerts just committed; failures stay in the outbox (logged, not raised)."""
        try:
            deliver(self.kb, alert_ids=alert_ids)
        except Exception as exc:  # noqa: BLE001 - the article is stored; delivery is retried later
            log.warning("alert delivery after commit failed: %s", exc)

    def is_stored(self, article: Article) -> bool:
        """:meth:`KnowledgeBase.is_stored <diplowatch.store.KnowledgeBase.is_stored>`."""
        return self.kb.is_stored(article)

    def has_article(self, id: str) -> bool:
        """:meth:`KnowledgeBase.has_article <diplowatch.store.KnowledgeBase.has_article>`."""
        return self.kb.has_article(id)

    def quarantine(self, source: str, reason: str, raw: Any = None, line: int | None = None) -> int:
        """:meth:`KnowledgeBase.quarantine <diplowatch.store.KnowledgeBase.quarantine>`."""
        return self.kb.quarantine(source, reason, raw, line)
