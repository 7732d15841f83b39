"""Alembic migrations of the diplowatch knowledge base (run by ``KnowledgeBase``, no ini file needed)."""
