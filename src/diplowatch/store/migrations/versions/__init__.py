"""Alembic revision scripts; applied in order by :func:`diplowatch.store.db.migrate`."""
