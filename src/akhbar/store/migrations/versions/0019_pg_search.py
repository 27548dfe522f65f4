"""PostgreSQL search: a RUM index hands the newest matches of a query over in id order.

Search ranks the newest 1,000 matches of a query (akhbar.search.postgres). A GIN index only says
which rows match: finding the newest of 130,000 matches (a common word at a million articles)
read every one of them from the table, hundreds of milliseconds. The RUM index (the ``rum``
extension, Debian's ``postgresql-NN-rum``) keeps each article's id beside its entries, so the
index walks matches newest first and the table is read for the window alone.

The GIN index stays: RUM has no pending list, so adding rows to it is slow (a few hundred a
second, plenty for feeds, not for a reindex); bulk indexing drops the RUM index and builds it
again at the end while search answers from GIN (akhbar.search.postgres.bulk_indexing). Where
the extension is not installed nothing changes (``akhbar db advise`` says so). SQLite is unchanged.

Revision ID: 0019_pg_search
Revises: 0017_newsroom
"""

from __future__ import annotations

from alembic import op

revision = "0019_pg_search"
down_revision = "0017_newsroom"
branch_labels = None
depends_on = None

# Installing an extension needs its files on the server and, for RUM (not a trusted extension),
# a superuser or an owner it was granted to: any failure keeps the GIN index and says why.
UPGRADE = """DO $$ BEGIN
    CREATE EXTENSION IF NOT EXISTS rum;
    CREATE INDEX search_fts_newest ON search_documents
        USING rum (search_vector rum_tsvector_addon_ops, article_id)
        WITH (attach = 'article_id', to = 'search_vector');
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'rum unavailable, search keeps the GIN index alone: %', SQLERRM;
END $$"""

DOWNGRADE = ["DROP INDEX IF EXISTS search_fts_newest"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(UPGRADE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWNGRADE:
            op.execute(statement)
