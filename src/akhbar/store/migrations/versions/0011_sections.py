"""Sections stored with each article and indexed, instead of matched in URLs on every section page.

Existing articles get the section their URL files them under, read and written in batches so a
large database is not held in memory. The rule is a frozen copy of ``akhbar.extract.sections`` as it
was in this revision: a migration must give the same result whatever the live code becomes.

Revision ID: 0011_sections
Revises: 0010_editors
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from alembic import op

revision = "0011_sections"
down_revision = "0010_editors"
branch_labels = None
depends_on = None

BATCH = 5000

# section key -> the folder names sites use for it (French, English, Arabic), frozen at this revision
_SECTIONS: dict[str, tuple[str, ...]] = {
    "politics": ("politique", "politics", "politica", "siyasa", "سياسة", "السياسة"),
    "economy": (
        "economie", "économie", "economy", "eco", "business", "finance", "iqtisad", "اقتصاد", "الاقتصاد",
    ),
    "world": ("monde", "international", "internationale", "world", "دولي", "العالم", "دولية"),
    "society": ("societe", "société", "society", "faits-divers", "مجتمع", "المجتمع"),
    "sports": ("sport", "sports", "football", "foot", "riyada", "رياضة", "الرياضة"),
    "culture": ("culture", "arts", "cinema", "cinéma", "musique", "ثقافة", "الثقافة", "فن"),
    "health": ("sante", "santé", "health", "bien-etre", "bien-être", "صحة", "الصحة"),
    "science": (
        "sciences", "science", "tech", "technologie", "technology", "high-tech", "علوم", "تكنولوجيا",
    ),
    "opinion": ("opinion", "opinions", "tribune", "debats", "débats", "رأي", "الرأي", "مقالات"),
}  # fmt: skip


def _folded(segment: str) -> str:
    return unicodedata.normalize("NFC", unquote(segment).lower())


_BY_FOLDER = {_folded(folder): key for key, folders in _SECTIONS.items() for folder in folders}


def section_of(url: str | None) -> str | None:
    """The section key of an article URL: the leftmost folder (a path segment followed by ``/``)
    that names a known section; None when none does."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    for folder in path.split("/")[1:-1]:
        key = _BY_FOLDER.get(_folded(folder))
        if key is not None:
            return key
    return None


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
