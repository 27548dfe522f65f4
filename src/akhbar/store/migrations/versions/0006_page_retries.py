"""Page retries and listing fallbacks kept: attempts and retry time per seen URL, the entry on raw pages.

Revision ID: 0006_pages
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_pages"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("seen_urls", sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
    op.add_column("seen_urls", sa.Column("retry_at", sa.DateTime(timezone=True)))
    op.add_column("seen_urls", sa.Column("entry", sa.JSON))
    op.create_index("ix_seen_urls_retry", "seen_urls", ["source_id", "retry_at"])
    op.add_column("raw_documents", sa.Column("entry", sa.JSON))


def downgrade() -> None:
    op.drop_column("raw_documents", "entry")
    op.drop_index("ix_seen_urls_retry", table_name="seen_urls")
    op.drop_column("seen_urls", "entry")
    op.drop_column("seen_urls", "retry_at")
    op.drop_column("seen_urls", "attempts")
