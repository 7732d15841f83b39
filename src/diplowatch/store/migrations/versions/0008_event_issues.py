"""Issue tags of events (issue 17): ``events.issues``.

The ids of the issues an event's sentence or paragraph names (``data/issues.yaml``),
joined by ``;``; ``NULL`` when none. Events stored before this revision have
none (re-ingesting their articles adds nothing, the article being stored).

Revision ID: 0008
Revises: 0007
Create Date: 2025-07-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("events", sa.Column("issues", sa.Text, nullable=True))  # ALTER TABLE ADD COLUMN: no copy


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("issues")
