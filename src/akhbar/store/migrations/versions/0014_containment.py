"""Containment-aware duplicates: the relation of a copy to its original, and anchors to find it.

``duplicate_kind`` (articles and article_signatures) says how an article copies ``duplicate_of``:
``same`` text, ``contained_in`` the other (a wire item printed whole inside a roundup), or
``contains`` the other's text. Rows copied before this revision are copies of the same text:
they get ``same``. ``dedupe_anchors`` holds each article's anchors (akhbar.dedupe.anchors), each
with the article's anchor count (``total``), so the share of anchors two texts have in common is
judged in the database.

Stored signatures stay as they are. Signatures now fold more spellings (hamza seats, شئ, œ, digit
groups, invisible characters: akhbar.text.folding), and the articles stored before have no anchors:
until ``akhbar reprocess`` places them again (it recomputes every signature, its bands and anchors,
and each article's duplicate link), new articles still find them through their MinHash bands and
are compared with them word for word, but a copy printed inside one of them is not found. A
migration does not recompute them itself: that needs akhbar's live signature code, and a migration
must give the same result whatever that code becomes.

Revision ID: 0014_containment
Revises: 0013_phrases
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_containment"
down_revision = "0013_phrases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("articles", "article_signatures"):
        op.add_column(table, sa.Column("duplicate_kind", sa.String(16)))
        op.execute(f"UPDATE {table} SET duplicate_kind = 'same' WHERE duplicate_of IS NOT NULL")
    op.create_table(
        "dedupe_anchors",
        sa.Column("anchor", sa.BigInteger, nullable=False),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("anchor", "article_id", name="pk_dedupe_anchors"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_dedupe_anchors_article_id", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_dedupe_anchors_article_id", "dedupe_anchors", ["article_id"])


def downgrade() -> None:
    op.drop_index("ix_dedupe_anchors_article_id", table_name="dedupe_anchors")
    op.drop_table("dedupe_anchors")
    for table in ("article_signatures", "articles"):
        # Not a batch (copy and recreate) on SQLite: dropping ``articles`` would cascade to the rows
        # that reference it. SQLite 3.35+ drops a column in place.
        op.execute(f"ALTER TABLE {table} DROP COLUMN duplicate_kind")
