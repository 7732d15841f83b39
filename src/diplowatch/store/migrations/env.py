"""Alembic environment for the diplowatch knowledge base.

``KnowledgeBase`` passes an open connection in ``config.attributes["connection"]``
and runs the upgrade inside its own transaction. When run from the ``alembic``
command line instead, ``sqlalchemy.url`` of the config is used.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

config = context.config
connection = config.attributes.get("connection")


def _run(conn) -> None:
    context.configure(connection=conn, target_metadata=None,
                      render_as_batch=conn.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # pragma: no cover - command-line use only
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _run(conn)
