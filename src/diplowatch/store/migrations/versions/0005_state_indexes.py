"""Indexes for the relation-state reads (``status``, ``who-recognizes``; issue 4).

- ``ix_events_target`` on events ``(target_id, event, polarity, source_id, doc)``
  replaces ``ix_events_target_event`` ``(target_id, event)``, its prefix: the
  filters of ``KnowledgeBase.state_rows`` (event type, polarity, a source, the
  article) are decided from the index, so the rows the fold does not read
  (asserted praise and criticism; for ``who-recognizes`` everything but
  asserted recognitions and withdrawals) are never fetched.
- ``ix_articles_published`` on articles ``(published)``: the few articles
  without a publication date, whose praise and criticism the fold still lists
  as undated, are found from it instead of looking up each event's article.

Revision ID: 0005
Revises: 0004
Create Date: 2025-01-05
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_target", "events", ["target_id", "event", "polarity", "source_id", "doc"])
    op.drop_index("ix_events_target_event", table_name="events")
    op.create_index("ix_articles_published", "articles", ["published"])


def downgrade() -> None:
    op.drop_index("ix_articles_published", table_name="articles")
    op.create_index("ix_events_target_event", "events", ["target_id", "event"])
    op.drop_index("ix_events_target", table_name="events")
