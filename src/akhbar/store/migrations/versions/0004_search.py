"""Full-text search: analysed terms per article, and the backend's index over them.

SQLite: an FTS5 table with external content ``search_documents`` kept in step by triggers, bm25
ranking. PostgreSQL: a generated ``search_vector`` tsvector (title weight A, body B) with a GIN
index, and a pg_trgm index on the title terms for typo tolerance when the extension is available.
Both index the terms akhbar's analyser wrote, so the ``simple`` configuration and FTS5's
``unicode61`` tokenizer split them on spaces and nothing else changes them.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(title_terms, body_terms, content='search_documents', "
    "content_rowid='article_id', tokenize='unicode61 remove_diacritics 0', detail='full')",
    # ORDER BY rank is then bm25 with the title weighing 4 times the body (akhbar.search.sqlite)
    "INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0)')",
    "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, title_terms, body_terms) "
    "VALUES (new.article_id, new.title_terms, new.body_terms); END",
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.article_id, old.title_terms, old.body_terms); END",
    "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.article_id, old.title_terms, old.body_terms); "
    "INSERT INTO search_fts(rowid, title_terms, body_terms) "
    "VALUES (new.article_id, new.title_terms, new.body_terms); END",
]

POSTGRESQL = [
    "ALTER TABLE search_documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title_terms), 'A') || "
    "setweight(to_tsvector('simple', body_terms), 'B')) STORED",
    "CREATE INDEX search_fts_vector ON search_documents USING gin (search_vector)",
    # pg_trgm is a trusted extension (PostgreSQL 13+); without it search works, minus typo tolerance.
    """DO $$ BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX search_fts_title_trgm ON search_documents USING gin (title_terms gin_trgm_ops);
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm unavailable, no typo tolerance: %', SQLERRM;
    END $$""",
]


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("source_id", sa.Integer),
        sa.Column("published", sa.String(40)),
        sa.Column("title_terms", sa.Text, nullable=False),
        sa.Column("body_terms", sa.Text, nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("article_id", name="pk_search_documents"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_search_documents_article_id", ondelete="CASCADE"
        ),
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE if dialect == "sqlite" else POSTGRESQL if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_documents")
