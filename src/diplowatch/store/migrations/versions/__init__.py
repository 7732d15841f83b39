"""Alembic revision scripts; applied in order by :func:`diplowatch.store.opening.migrate`."""
