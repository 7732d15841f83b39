"""API tokens for the HTTP API (``diplowatch token create``).

- ``api_tokens``: one row per bearer token. Only the SHA-256 of the token is
  kept (``hash``), with its space-separated scopes (``ingest``, ``watch``), an
  optional label, when it was made and when it was revoked.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("revoked_at", sa.String(32), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("api_tokens")
