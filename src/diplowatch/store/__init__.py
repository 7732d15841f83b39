"""The knowledge base of diplowatch (DESIGN §1, §5): articles, actors and events.

``KnowledgeBase(url)`` opens (and creates or upgrades) the database;
``default_db_url()`` says where the embedded SQLite file lives.
"""

from __future__ import annotations

from diplowatch.store.db import KnowledgeBase, StoredEvent, default_db_url

__all__ = ["KnowledgeBase", "StoredEvent", "default_db_url"]
