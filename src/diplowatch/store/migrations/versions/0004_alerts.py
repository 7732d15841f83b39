"""Watch rules, alerts and the alert outbox (issue 7; see ``diplowatch/store/watch.py``).

- ``watch_rules``: named rules (event type, target, source, min_sources,
  channels as a JSON list, webhook secret).
- ``alerts``: one row per (rule, state transition) that fired; the primary key
  is the idempotency key, so an alert cannot be written twice.
- ``alert_outbox``: one row per (alert, channel) with delivery status,
  attempts and the time of the next attempt (ISO 8601 UTC).

Revision ID: 0004
Revises: 0003
Create Date: 2025-01-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watch_rules",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("target", sa.String(255), nullable=True),
        sa.Column("source", sa.String(255), nullable=True),
        sa.Column("min_sources", sa.Integer, nullable=False),
        sa.Column("notify", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("rule", sa.String(128), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("observer", sa.String(255), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("facet", sa.String(32), nullable=False),
        sa.Column("old", sa.String(32), nullable=False),
        sa.Column("new", sa.String(32), nullable=False),
        sa.Column("date", sa.String(10), nullable=True),
        sa.Column("n_sources", sa.Integer, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_alerts_created_at", "alerts", ["created_at"])
    op.create_index("ix_alerts_rule", "alerts", ["rule"])
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alert_id", sa.String(64), sa.ForeignKey("alerts.id", name="fk_outbox_alert"), nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.String(32), nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("delivered_at", sa.String(32), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed', 'cancelled')", name="ck_outbox_status"),
        sa.UniqueConstraint("alert_id", "channel", name="uq_outbox_alert_channel"),
    )
    op.create_index("ix_outbox_due", "alert_outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("alert_outbox")
    op.drop_table("alerts")
    op.drop_table("watch_rules")
