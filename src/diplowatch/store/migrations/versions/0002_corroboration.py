"""Corroboration, article identity, near-duplicates and quarantine.

- ``articles.content_key`` (unique): hash of the canonical URL, or of the
  normalised text without URL; the same article under another doc id adds nothing.
- ``real_events``: one row per real-world event, with aggregates recomputed from
  ``reports`` (event → real-world event, with the report's effective date).
- ``article_minhash`` (MinHash signatures, in insertion order) and
  ``near_duplicates`` (article → root article of its near-duplicate group).
- ``quarantine``: records that could not be stored, with their reason.

Existing rows (a database made by 0001) are backfilled in this same
transaction, article by article in ingestion order, with the library's code
(``diplowatch.store.corroborate``): if a later revision changes these tables,
freeze a copy of that code here. Two existing articles with the same content
key keep both rows; the later one gets a key derived from its id.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("content_key", sa.String(64), nullable=True))
    op.create_table(
        "real_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("source_party", sa.String(255), nullable=True),
        sa.Column("target_party", sa.String(255), nullable=True),
        sa.Column("polarity", sa.String(16), nullable=False),
        sa.Column("first_date", sa.String(10), nullable=True),
        sa.Column("last_date", sa.String(10), nullable=True),
        sa.Column("n_reports", sa.Integer, nullable=False),
        sa.Column("n_sources", sa.Integer, nullable=False),
    )
    op.create_index("ix_real_events_key", "real_events",
                    ["event", "source_party", "target_party", "polarity", "first_date"])
    op.create_index("ix_real_events_target", "real_events", ["target_party"])
    op.create_index("ix_real_events_source", "real_events", ["source_party"])
    op.create_table(
        "reports",
        sa.Column("event_id", sa.String(255), sa.ForeignKey("events.id", name="fk_reports_event"),
                  primary_key=True),
        sa.Column("real_event_id", sa.Integer,
                  sa.ForeignKey("real_events.id", name="fk_reports_real_event"), nullable=False),
        sa.Column("report_date", sa.String(10), nullable=True),
    )
    op.create_index("ix_reports_real_event", "reports", ["real_event_id"])
    op.create_table(
        "near_duplicates",
        sa.Column("article_id", sa.String(255), sa.ForeignKey("articles.id", name="fk_near_dup_article"),
                  primary_key=True),
        sa.Column("duplicate_of", sa.String(255), sa.ForeignKey("articles.id", name="fk_near_dup_of"),
                  nullable=False),
        sa.Column("similarity", sa.Float, nullable=False),
    )
    op.create_index("ix_near_duplicates_of", "near_duplicates", ["duplicate_of"])
    op.create_table(
        "article_minhash",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.String(255), sa.ForeignKey("articles.id", name="fk_minhash_article"),
                  nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
    )
    op.create_index("ux_article_minhash_article", "article_minhash", ["article_id"], unique=True)
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    _backfill(op.get_bind())
    op.create_index("ux_articles_content_key", "articles", ["content_key"], unique=True)


def _backfill(conn: sa.Connection) -> None:
    from diplowatch.model import Article, article_id
    from diplowatch.store import corroborate, neardup

    arts = sa.table("articles", sa.column("id"), sa.column("url"), sa.column("text"),
                    sa.column("published"), sa.column("ingested_at"), sa.column("content_key"))
    rows = conn.execute(sa.select(arts.c.id, arts.c.url, arts.c.text, arts.c.published)
                        .order_by(arts.c.ingested_at, arts.c.id)).all()
    if not rows:
        return
    index = neardup.NearDuplicateIndex()
    seen: set[str] = set()
    for row in rows:
        key = corroborate.content_key(Article(id=row.id, text=row.text, url=row.url))
        if key in seen:
            key = article_id(None, f"duplicate id {row.id}")
        seen.add(key)
        conn.execute(sa.update(arts).where(arts.c.id == row.id).values(content_key=key))
        corroborate.mark_near_duplicate(conn, index, row.id, neardup.signature(row.text))
        evs = sa.table("events", sa.column("id"), sa.column("doc"), sa.column("event"),
                       sa.column("source_id"), sa.column("target_id"), sa.column("polarity"),
                       sa.column("date"))
        actors = sa.table("actors", sa.column("id"), sa.column("state"))
        src, tgt = actors.alias("src"), actors.alias("tgt")
        q = (sa.select(evs.c.id, evs.c.event, evs.c.polarity, evs.c.date,
                       sa.func.coalesce(src.c.state, src.c.id).label("src"),
                       sa.func.coalesce(tgt.c.state, tgt.c.id).label("tgt"))
             .outerjoin_from(evs, src, src.c.id == evs.c.source_id)
             .outerjoin(tgt, tgt.c.id == evs.c.target_id)
             .where(evs.c.doc == row.id))
        reports = [corroborate.report_of_row(e.id, e.event, e.src, e.tgt, e.polarity, e.date, row.published)
                   for e in conn.execute(q)]
        corroborate.link_reports(conn, reports, corroborate.DEFAULT_WINDOW_DAYS)


def downgrade() -> None:
    op.drop_index("ux_articles_content_key", table_name="articles")
    for table in ("quarantine", "article_minhash", "near_duplicates", "reports", "real_events"):
        op.drop_table(table)
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("content_key")
