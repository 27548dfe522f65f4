"""Search: quoted phrases match words, not stems; each index row keeps its words' exact forms.

``search_documents`` gains ``title_exact`` and ``body_exact``: every word of the title and body
folded (case, accents, Arabic letter variants) and nothing more, stop words included, separated by
spaces. The backends' indexes (FTS5 ``search_fts``, the ``search_vector`` GIN index) stay on the
terms: a quoted phrase is looked up by its terms, then its words are checked on these columns.

The migration cannot analyse text (that is live code): rows written before it have both columns
empty, and their quoted phrases are matched by the terms, as before, until ``akhbar search
reindex`` rewrites them.

Revision ID: 0013_phrases
Revises: 0012_sign_in
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0013_phrases"
down_revision = "0012_sign_in"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
COLUMNS = ("title_exact", "body_exact")


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("search_documents", sa.Column(column, sa.Text, nullable=False, server_default=""))
    rows = op.get_bind().execute(sa.text("SELECT count(*) FROM search_documents")).scalar()
    if rows:
        log.info("search: %s articles match quoted phrases by stems until `akhbar search reindex`", rows)


def downgrade() -> None:
    for column in COLUMNS:  # in place (SQLite 3.35+): a batch copy of the table would fire its triggers
        op.execute(f"ALTER TABLE search_documents DROP COLUMN {column}")
