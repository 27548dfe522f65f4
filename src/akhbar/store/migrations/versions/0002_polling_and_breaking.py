"""Source polling state and breaking-news flags.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("site_url", sa.Text))
        batch.add_column(sa.Column("poll_interval", sa.Integer, nullable=False, server_default="1800"))
        batch.add_column(sa.Column("next_poll_at", Timestamp))
        batch.add_column(sa.Column("last_fetched_at", Timestamp))
        batch.add_column(sa.Column("last_status", sa.String(32)))
        batch.add_column(sa.Column("last_error", sa.Text))
        batch.add_column(sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("healthy", sa.Boolean, nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("etag", sa.Text))
        batch.add_column(sa.Column("last_modified", sa.Text))
    op.create_index("ix_sources_next_poll_at", "sources", ["next_poll_at"])
    op.create_table(
        "breaking",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer),
        sa.Column("story_id", sa.Integer),
        sa.Column("until", Timestamp, nullable=False),
        sa.Column("origin", sa.String(16), nullable=False, server_default="manual"),
        sa.Column("note", sa.Text),
        sa.Column("created_by", sa.Text),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_breaking_article_id", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_breaking_article_id", "breaking", ["article_id"])
    op.create_index("ix_breaking_story_id", "breaking", ["story_id"])
    op.create_index("ix_breaking_until", "breaking", ["until"])


def downgrade() -> None:
    op.drop_table("breaking")
    op.drop_index("ix_sources_next_poll_at", table_name="sources")
    with op.batch_alter_table("sources") as batch:
        for column in (
            "last_modified",
            "etag",
            "healthy",
            "consecutive_failures",
            "last_error",
            "last_status",
            "last_fetched_at",
            "next_poll_at",
            "poll_interval",
            "site_url",
        ):
            batch.drop_column(column)
