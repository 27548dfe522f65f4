"""Sections stored with each article and indexed, instead of matched in URLs on every section page.

Existing articles get the section their URL files them under (``akhbar.extract.sections``), read
and written in batches so a large database is not held in memory.

Revision ID: 0011_sections
Revises: 0010_editors
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from akhbar.extract.sections import section_of

revision = "0011_sections"
down_revision = "0010_editors"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    op.add_column("articles", sa.Column("section", sa.String(32)))
    op.create_index("ix_articles_section", "articles", ["section", "published"])
    table = sa.table("articles", sa.column("id", sa.Integer), sa.column("url", sa.Text), sa.column("section"))
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.url).where(table.c.id > last).order_by(table.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        found = [{"key": row.id, "value": section} for row in rows if (section := section_of(row.url))]
        if found:
            connection.execute(
                sa.update(table)
                .where(table.c.id == sa.bindparam("key"))
                .values(section=sa.bindparam("value")),
                found,
            )


def downgrade() -> None:
    op.drop_index("ix_articles_section", "articles")
    # Not a batch (copy and recreate) on SQLite: dropping ``articles`` would cascade to the rows
    # that reference it. SQLite 3.35+ drops a column in place.
    op.execute("ALTER TABLE articles DROP COLUMN section")
