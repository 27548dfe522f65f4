"""Most read: the portal's own count of article reads per hour (no reader data, no tracker).

Revision ID: 0015_most_read
Revises: 0016_images
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_most_read"
down_revision = "0014_containment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_reads",
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("hour", sa.Integer, nullable=False),
        sa.Column("reads", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("article_id", "hour", name="pk_article_reads"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_article_reads_article_id", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_article_reads_hour", "article_reads", ["hour"])


def downgrade() -> None:
    op.drop_index("ix_article_reads_hour", table_name="article_reads")
    op.drop_table("article_reads")
