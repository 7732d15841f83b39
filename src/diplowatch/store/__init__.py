"""The knowledge base of diplowatch (DESIGN §1, §5): articles, actors and events.

``KnowledgeBase(url)`` opens (and creates or upgrades) the database;
``default_db_url()`` says where the embedded SQLite file lives. The class is
put together in ``store/db.py`` from ``opening.py`` (opening, migrations,
transactions), ``writes.py``, ``reads.py`` and ``records.py`` (what reads
return), over the tables of ``schema.py``. Corroboration (real-world events),
article identity and near-duplicates: ``store/corroborate.py`` and
``store/neardup.py``; the pages' read queries: ``store/queries.py``; API tokens
and the tables of watch rules and alerts: ``store/tokens.py``,
``store/watch.py``. Nothing here imports the alerts: their rules are evaluated
by the write path above the store (:mod:`diplowatch.write`).
"""

from __future__ import annotations

from diplowatch.store.db import KnowledgeBase
from diplowatch.store.opening import default_db_url
from diplowatch.store.records import Quarantined, RealEvent, StoredEvent, TimelineEntry
from diplowatch.store import tokens as _tokens  # noqa: F401 - registers api_tokens in the metadata
from diplowatch.store import watch as _watch  # noqa: F401 - registers watch_rules, alerts, alert_outbox

__all__ = ["KnowledgeBase", "Quarantined", "RealEvent", "StoredEvent", "TimelineEntry", "default_db_url"]
