"""Tables of watch rules, alerts and their delivery outbox (migration 0004).

Only the schema lives here (the store's own package); the rules, their
evaluation and delivery are :mod:`diplowatch.alerts`.

- ``watch_rules``: one row per named rule: the event type it watches, an
  optional target and source, ``min_sources``, the channels to notify (a JSON
  list of ``stdout``, ``jsonl:PATH``, ``webhook:URL``) and the webhook secret.
- ``alerts``: one row per (rule, state transition) that fired. Its ``id`` is
  the idempotency key, a hash of the rule name and the transition key, so the
  primary key makes the same alert impossible to write twice. ``payload`` is
  the JSON body sent to every channel, fixed when the alert is written.
- ``alert_outbox``: one row per (alert, channel): ``status`` (``pending``,
  ``delivered``, ``failed``: gave up, ``cancelled``: rule removed),
  ``attempts``, ``next_attempt_at`` (ISO 8601 UTC; due when it is not later
  than now), the last error and when it was delivered.

Alerts and outbox rows are written in the transaction that stores the events
they are about, by the write path of :mod:`diplowatch.write`.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint,
)

from diplowatch.store.schema import metadata

__all__ = ["ALERTS", "ALERT_OUTBOX", "OUTBOX_STATUSES", "WATCH_RULES"]

OUTBOX_STATUSES: tuple[str, ...] = ("pending", "delivered", "failed", "cancelled")
"""Values of ``alert_outbox.status``."""

WATCH_RULES = Table(
    "watch_rules", metadata,
    Column("name", String(128), primary_key=True),
    Column("event", String(64), nullable=False),
    Column("target", String(255), nullable=True),  # ISO3 or actor id; NULL: any target
    Column("source", String(255), nullable=True),  # observer ISO3 or actor id; NULL: any
    Column("min_sources", Integer, nullable=False),
    Column("notify", Text, nullable=False),  # JSON list of channel specs
    Column("secret", Text, nullable=True),
    Column("created_at", String(32), nullable=False),
)

ALERTS = Table(
    "alerts", metadata,
    Column("id", String(64), primary_key=True),  # idempotency key: al_ + hash(rule, transition key)
    Column("rule", String(128), nullable=False),
    Column("event", String(64), nullable=False),
    Column("observer", String(255), nullable=False),
    Column("target", String(255), nullable=False),
    Column("facet", String(32), nullable=False),
    Column("old", String(32), nullable=False),
    Column("new", String(32), nullable=False),
    Column("date", String(10), nullable=True),  # transition date (ISO), NULL: undated
    Column("n_sources", Integer, nullable=False),
    Column("payload", Text, nullable=False),  # JSON body sent to every channel
    Column("created_at", String(32), nullable=False),
    Index("ix_alerts_created_at", "created_at"),
    Index("ix_alerts_rule", "rule"),
)

ALERT_OUTBOX = Table(
    "alert_outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("alert_id", String(64), ForeignKey("alerts.id", name="fk_outbox_alert"), nullable=False),
    Column("channel", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", String(32), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", String(32), nullable=True),
    CheckConstraint("status IN ('pending', 'delivered', 'failed', 'cancelled')", name="ck_outbox_status"),
    UniqueConstraint("alert_id", "channel", name="uq_outbox_alert_channel"),
    Index("ix_outbox_due", "status", "next_attempt_at"),
)
