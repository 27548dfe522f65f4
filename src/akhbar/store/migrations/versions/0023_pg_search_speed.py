"""PostgreSQL search: the RUM index alone where the rum extension is installed (no GIN beside it), and
the article's story read from a small covering index.

The GIN index of 0004 was kept beside RUM (0019) to answer searches while a reindex dropped and
rebuilt RUM. A reindex now builds a whole new table and swaps it in (akhbar.search.shadow), so
the live table keeps its RUM index throughout, and RUM answers every query GIN did (the same
``@@`` matches; the window query reads it in id order either way). GIN then only cost every
write an index update and every rebuild a second index: at 100k articles, 2.8 s of a 15 s build.
Without the rum extension nothing changes: GIN is the index.

Search joins its best 100 candidates to ``articles`` for their story; at a million articles those
rows are mostly outside PostgreSQL's cache, and each look-up read a page of the large table
(0.08 ms a row, 8 ms a search). ``search_fts_stories`` holds just the id and story (as SQLite's of
0020 does), read by an index-only scan: 0.02 ms a row, the table read only for pages written since
the last vacuum. It is built from the rows already there (a second at a million articles) and
follows every write. SQLite is unchanged.

Revision ID: 0023_pg_search_speed
Revises: 0020_search_fields
"""

from __future__ import annotations

from alembic import op

revision = "0023_pg_search_speed"
down_revision = "0020_search_fields"
branch_labels = None
depends_on = None

STORIES = "CREATE INDEX IF NOT EXISTS search_fts_stories ON articles (id) INCLUDE (story_id)"
UPGRADE = """DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'search_fts_newest') THEN
        DROP INDEX IF EXISTS search_fts_vector;
    END IF;
END $$"""

DOWNGRADE = "CREATE INDEX IF NOT EXISTS search_fts_vector ON search_documents USING gin (search_vector)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(UPGRADE)
        op.execute(STORIES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS search_fts_stories")
        op.execute(DOWNGRADE)
