"""Most read: the hourly counts read from one covering index.

The most-read block sums each article's reads over the last 48 hours. SQLite walked the primary
key's index and read every row of the table beside it for its count: 372 ms for 248k hourly counts
(the bench corpus after its runs), on every render of a home page, that is each minute and in each
language. ``ix_article_reads_totals`` holds the article, the hour and the count, so the sum is one
walk of that index: 74 ms for the same rows. PostgreSQL reads it the same way (an index-only scan).

Revision ID: 0025_most_read_totals
Revises: 0024_article_deletions
"""

from __future__ import annotations

from alembic import op

revision = "0025_most_read_totals"
down_revision = "0024_article_deletions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_article_reads_totals", "article_reads", ["article_id", "hour", "reads"])


def downgrade() -> None:
    op.drop_index("ix_article_reads_totals", table_name="article_reads")
