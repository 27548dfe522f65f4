"""SQLite search: what ranking reads of each match, in two small covering indexes.

A search ranks the best 100 of a query's newest matches, reading for each its date and title
terms (``search_documents``) and its story (``articles``). Those rows are large: ``articles``
keeps ``story_id`` after the article's text, in overflow pages read one by one, and the index
rows' text spreads them over many pages. These indexes hold just what ranking reads, so the 100
look-ups stay in a few pages (1.8 -> 1.5 ms of SQLite's time per search at 100k articles); the
search query names them (akhbar.search.sqlite). They are built from the rows already there and
follow every write. Their names mark them as the search backend's own (``is_search_private``).

PostgreSQL is unchanged: its search reads the same fields through its own plan
(akhbar.search.postgres).

Revision ID: 0020_search_fields
Revises: 0019_pg_search
"""

from __future__ import annotations

from alembic import op

revision = "0020_search_fields"
down_revision = "0019_pg_search"
branch_labels = None
depends_on = None

UPGRADE = [
    "CREATE INDEX search_fts_rows ON search_documents (article_id, published, title_terms)",
    "CREATE INDEX search_fts_stories ON articles (id, story_id)",
]
DOWNGRADE = ["DROP INDEX IF EXISTS search_fts_rows", "DROP INDEX IF EXISTS search_fts_stories"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in DOWNGRADE:
            op.execute(statement)
