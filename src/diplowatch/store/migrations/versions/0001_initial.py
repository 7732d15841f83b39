"""Initial schema: articles, actors, events.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("published", sa.String(32), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lang", sa.String(16), nullable=True),
        sa.Column("ingested_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "actors",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=True),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("doc", sa.String(255), sa.ForeignKey("articles.id", name="fk_events_doc"), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(255), sa.ForeignKey("actors.id", name="fk_events_source"), nullable=True),
        sa.Column("target_id", sa.String(255), sa.ForeignKey("actors.id", name="fk_events_target"), nullable=True),
        sa.Column("polarity", sa.String(16), nullable=False),
        sa.Column("date", sa.String(32), nullable=True),
        sa.Column("date_precision", sa.String(8), nullable=True),
        sa.Column("cameo", sa.String(8), nullable=False),
        sa.Column("plover", sa.String(32), nullable=False),
        sa.Column("evidence_text", sa.Text, nullable=False),
        sa.Column("evidence_start", sa.Integer, nullable=False),
        sa.Column("evidence_end", sa.Integer, nullable=False),
        sa.Column("attribution", sa.Text, nullable=True),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("extractor", sa.String(64), nullable=False),
        sa.CheckConstraint("polarity IN ('asserted', 'negated', 'hypothetical')", name="ck_events_polarity"),
    )
    op.create_index("ix_events_target_event", "events", ["target_id", "event"])
    op.create_index("ix_events_source", "events", ["source_id"])
    op.create_index("ix_events_event_date", "events", ["event", "date"])
    op.create_index("ix_events_doc", "events", ["doc"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("actors")
    op.drop_table("articles")
