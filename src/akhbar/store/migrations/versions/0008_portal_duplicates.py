"""Index on articles.duplicate_of: lists collapse syndicated copies under their original.

The portal's lists show a copy only when no earlier copy of the same text passes the list's filters,
and count the other copies ("also in N sources"); both look copies up by their original.

Revision ID: 0008_portal
Revises: 0007_hosts
"""

from __future__ import annotations

from alembic import op

revision = "0008_portal"
down_revision = "0007_hosts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_duplicate_of", "articles", ["duplicate_of"])


def downgrade() -> None:
    op.drop_index("ix_articles_duplicate_of", table_name="articles")
