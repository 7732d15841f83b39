"""Regroup real-world events by windows anchored on sorted report dates (issue 13).

Stores made before this revision grouped each report into the real-world
event it first fitted, so the grouping depended on the order of ingestion.
Every key's reports are regrouped here, in this transaction, with the
library's code (``diplowatch.store.corroborate.regroup``, the window of 7
days): the same reports now give the same real-world events in every store.
Real-world events left without reports are deleted; reports are not touched
otherwise. Downgrading keeps the new grouping (the old one cannot be rebuilt).

Revision ID: 0007
Revises: 0006
Create Date: 2025-01-07
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from diplowatch.store.corroborate import DEFAULT_WINDOW_DAYS, regroup

    regroup(op.get_bind(), DEFAULT_WINDOW_DAYS)


def downgrade() -> None:
    pass
