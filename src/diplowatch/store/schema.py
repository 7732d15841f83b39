"""The schema of the knowledge base: its SQLAlchemy Core tables (DESIGN §5).

:data:`metadata` holds every table; it is kept equal to the head of the Alembic
migrations in ``diplowatch/store/migrations`` (a test checks it). The tables of
the API tokens (:mod:`diplowatch.store.tokens`) and of watch rules and alerts
(:mod:`diplowatch.store.watch`) are registered in the same :data:`metadata` by
those modules.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint, Column, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table, Text,
)

__all__ = ["ACTORS", "ARTICLES", "ARTICLE_MINHASH", "CORE_TABLES", "EVENTS", "NEAR_DUPLICATES", "QUARANTINE",
           "REAL_EVENTS", "REPORTS", "metadata"]

metadata = MetaData()
"""The schema as SQLAlchemy Core tables (kept equal to the Alembic head; a test checks it)."""

ARTICLES = Table(
    "articles", metadata,
    Column("id", String(255), primary_key=True),
    Column("url", Text, nullable=True),
    Column("title", Text, nullable=True),
    Column("published", String(32), nullable=True),
    Column("text", Text, nullable=False),
    Column("lang", String(16), nullable=True),
    Column("ingested_at", String(32), nullable=False),
    Column("content_key", String(64), nullable=True),  # always written; NULL only before 0002's backfill
    Index("ux_articles_content_key", "content_key", unique=True),
    Index("ix_articles_published", "published"),  # 0005
)

ACTORS = Table(
    "actors", metadata,
    Column("id", String(255), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("state", String(16), nullable=True),
)

EVENTS = Table(
    "events", metadata,
    Column("id", String(255), primary_key=True),
    Column("doc", String(255), ForeignKey("articles.id", name="fk_events_doc"), nullable=False),
    Column("event", String(64), nullable=False),
    Column("source_id", String(255), ForeignKey("actors.id", name="fk_events_source"), nullable=True),
    Column("target_id", String(255), ForeignKey("actors.id", name="fk_events_target"), nullable=True),
    Column("polarity", String(16), nullable=False),
    Column("date", String(32), nullable=True),
    Column("date_precision", String(8), nullable=True),
    Column("cameo", String(8), nullable=False),
    Column("plover", String(32), nullable=False),
    Column("evidence_text", Text, nullable=False),
    Column("evidence_start", Integer, nullable=False),
    Column("evidence_end", Integer, nullable=False),
    Column("attribution", Text, nullable=True),
    Column("confidence", Float, nullable=False),
    Column("extractor", String(64), nullable=False),
    Column("issues", Text, nullable=True),  # 0007: issue ids joined by ";" (data/issues.yaml), NULL: none
    CheckConstraint("polarity IN ('asserted', 'negated', 'hypothetical')", name="ck_events_polarity"),
    Index("ix_events_target", "target_id", "event", "polarity", "source_id", "doc"),  # 0005
    Index("ix_events_source", "source_id", "event"),  # 0006
    Index("ix_events_event_date", "event", "date"),
    Index("ix_events_doc", "doc"),
)

# -- migration 0002: corroboration, near-duplicates, quarantine (see store/corroborate.py) --

REAL_EVENTS = Table(
    "real_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("event", String(64), nullable=False),
    Column("source_party", String(255), nullable=True),  # actor.state or actor.id; sorted pair if mutual
    Column("target_party", String(255), nullable=True),
    Column("polarity", String(16), nullable=False),
    Column("first_date", String(10), nullable=True),  # earliest report date (ISO), NULL: undated
    Column("last_date", String(10), nullable=True),
    Column("n_reports", Integer, nullable=False),
    Column("n_sources", Integer, nullable=False),
    Index("ix_real_events_key", "event", "source_party", "target_party", "polarity", "first_date"),
    Index("ix_real_events_target", "target_party"),
    Index("ix_real_events_source", "source_party"),
)

REPORTS = Table(
    "reports", metadata,
    Column("event_id", String(255), ForeignKey("events.id", name="fk_reports_event"), primary_key=True),
    Column("real_event_id", Integer, ForeignKey("real_events.id", name="fk_reports_real_event"),
           nullable=False),
    Column("report_date", String(10), nullable=True),  # effective date of the event (ISO)
    Index("ix_reports_real_event", "real_event_id"),
)

NEAR_DUPLICATES = Table(
    "near_duplicates", metadata,
    Column("article_id", String(255), ForeignKey("articles.id", name="fk_near_dup_article"),
           primary_key=True),
    Column("duplicate_of", String(255), ForeignKey("articles.id", name="fk_near_dup_of"), nullable=False),
    Column("similarity", Float, nullable=False),
    Index("ix_near_duplicates_of", "duplicate_of"),
)

ARTICLE_MINHASH = Table(
    "article_minhash", metadata,
    Column("seq", Integer, primary_key=True),
    Column("article_id", String(255), ForeignKey("articles.id", name="fk_minhash_article"), nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Index("ux_article_minhash_article", "article_id", unique=True),
)

QUARANTINE = Table(
    "quarantine", metadata,
    Column("id", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("line", Integer, nullable=True),
    Column("reason", Text, nullable=False),
    Column("raw", Text, nullable=True),  # JSON, ensure_ascii: always storable
    Column("created_at", String(32), nullable=False),
)


CORE_TABLES = frozenset({"articles", "actors", "events"})
"""Tables that every diplowatch schema revision holds (with ``alembic_version``)."""
