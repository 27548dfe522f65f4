"""Sources, raw documents, articles and rejections.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.UniqueConstraint("url", name="uq_sources_url"),
    )
    op.create_table(
        "raw_documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("content_type", sa.Text),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("fetched_at", Timestamp, nullable=False),
        sa.Column("source_id", sa.Integer),
        sa.UniqueConstraint("sha256", name="uq_raw_documents_sha256"),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name="fk_raw_documents_source_id", ondelete="SET NULL"
        ),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("raw_id", sa.Integer, nullable=False),
        sa.Column("source_id", sa.Integer),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("site_name", sa.Text),
        sa.Column("published", sa.String(40)),
        sa.Column("language", sa.String(16)),
        sa.Column("authors", sa.JSON, nullable=False),
        sa.Column("image_url", sa.Text),
        sa.Column("image_caption", sa.Text),
        sa.Column("body_paragraphs", sa.JSON, nullable=False),
        sa.Column("headlines", sa.JSON, nullable=False),
        sa.Column("story_id", sa.Integer),
        sa.Column("duplicate_of", sa.Integer),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.UniqueConstraint("key", name="uq_articles_key"),
        sa.ForeignKeyConstraint(["raw_id"], ["raw_documents.id"], name="fk_articles_raw_id"),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name="fk_articles_source_id", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_articles_raw_id", "articles", ["raw_id"])
    op.create_index("ix_articles_published", "articles", ["published"])
    op.create_table(
        "rejections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("raw_id", sa.Integer),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.UniqueConstraint("raw_id", name="uq_rejections_raw_id"),
        sa.ForeignKeyConstraint(["raw_id"], ["raw_documents.id"], name="fk_rejections_raw_id"),
    )


def downgrade() -> None:
    op.drop_table("rejections")
    op.drop_index("ix_articles_published", table_name="articles")
    op.drop_index("ix_articles_raw_id", table_name="articles")
    op.drop_table("articles")
    op.drop_table("raw_documents")
    op.drop_table("sources")
