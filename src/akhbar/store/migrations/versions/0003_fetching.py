"""Fetching: per-host politeness across workers, URLs already seen, how long a source has failed.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("failing_since", Timestamp))
    op.create_table(
        "fetch_hosts",
        sa.Column("host", sa.String(300), primary_key=True),
        sa.Column("next_allowed", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("host", name="pk_fetch_hosts"),
    )
    op.create_table(
        "seen_urls",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url_hash", sa.String(64), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("source_id", sa.Integer),
        sa.Column("updated", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("article_id", sa.Integer),
        sa.Column("seen_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_seen_urls"),
        sa.UniqueConstraint("url_hash", name="uq_seen_urls_url_hash"),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name="fk_seen_urls_source_id", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_seen_urls_source_id", "seen_urls", ["source_id"])


def downgrade() -> None:
    op.drop_table("seen_urls")
    op.drop_table("fetch_hosts")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("failing_since")
