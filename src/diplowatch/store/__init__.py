"""The knowledge base of diplowatch (DESIGN §1, §5): articles, actors and events.

``KnowledgeBase(url)`` opens (and creates or upgrades) the database;
``default_db_url()`` says where the embedded SQLite file lives. Corroboration
(real-world events), article identity and near-duplicates: ``store/corroborate.py``
and ``store/neardup.py``.
"""

from __future__ import annotations

from diplowatch.store.db import (
    KnowledgeBase, Quarantined, RealEvent, StoredEvent, TimelineEntry, default_db_url,
)
from diplowatch.store import tokens as _tokens  # noqa: F401 - registers api_tokens in the metadata
from diplowatch.store import watch as _watch  # noqa: F401 - registers watch_rules, alerts, alert_outbox

__all__ = ["KnowledgeBase", "Quarantined", "RealEvent", "StoredEvent", "TimelineEntry", "default_db_url"]
