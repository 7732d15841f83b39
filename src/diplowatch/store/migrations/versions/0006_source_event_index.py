"""Index events by source and event type, for the mutual events of ``status`` (issue 4).

``KnowledgeBase.state_rows`` also reads the mutual events (relations
established, broken, restored) and contacts of which the state is the
*source*. ``ix_events_source`` on ``(source_id)`` becomes ``(source_id, event)``,
so that both conditions are decided from the index (with ``source_id`` alone,
SQLite preferred ``ix_events_event_date`` and walked every talk in the store:
0.5 s per status at one million events).

Revision ID: 0006
Revises: 0005
Create Date: 2025-01-06
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_events_source", table_name="events")
    op.create_index("ix_events_source", "events", ["source_id", "event"])


def downgrade() -> None:
    op.drop_index("ix_events_source", table_name="events")
    op.create_index("ix_events_source", "events", ["source_id"])
