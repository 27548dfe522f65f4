"""Images kept by akhbar: ``images`` (one row per content, its copies on disk) and
``article_images`` (each article's photo, the address it was fetched for, and how that went).

Revision ID: 0016_images
Revises: 0014_containment
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_images"
down_revision = "0014_containment"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "images",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("widths", sa.JSON, nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("source_url", sa.Text),
        sa.Column("alt", sa.Text),
        sa.Column("caption", sa.Text),
        sa.Column("credit", sa.Text),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_images"),
        sa.UniqueConstraint("key", name="uq_images_key"),
    )
    op.create_table(
        "article_images",
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("image_url", sa.Text),
        sa.Column("image_id", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("article_id", name="pk_article_images"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_article_images_article_id", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["image_id"], ["images.id"], name="fk_article_images_image_id", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_article_images_image_id", "article_images", ["image_id"])
    op.create_index("ix_article_images_updated_at", "article_images", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_article_images_updated_at", table_name="article_images")
    op.drop_index("ix_article_images_image_id", table_name="article_images")
    op.drop_table("article_images")
    op.drop_table("images")
