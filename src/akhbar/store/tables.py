"""The schema, as SQLAlchemy Core tables. Alembic migrations create it; this module describes it."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Timestamp = sa.DateTime(timezone=True)

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("language", sa.String(16)),
    sa.Column("created_at", Timestamp, nullable=False),
    # Polling state (the fetcher's): when to poll next, how it went, conditional-GET validators.
    sa.Column("site_url", sa.Text),
    sa.Column("poll_interval", sa.Integer, nullable=False, server_default="1800"),
    sa.Column("next_poll_at", Timestamp),
    sa.Column("last_fetched_at", Timestamp),
    sa.Column("last_status", sa.String(32)),
    sa.Column("last_error", sa.Text),
    sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("healthy", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
)
sa.Index("ix_sources_next_poll_at", sources.c.next_poll_at)

raw_documents = sa.Table(
    "raw_documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("content_type", sa.Text),
    sa.Column("headers", sa.JSON, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("fetched_at", Timestamp, nullable=False),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="SET NULL")),
)

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # The article's identity: its URL when known, else the location it was read from.
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("raw_id", sa.Integer, sa.ForeignKey("raw_documents.id"), nullable=False, index=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="SET NULL")),
    sa.Column("url", sa.Text),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("site_name", sa.Text),
    sa.Column("published", sa.String(40)),
    sa.Column("language", sa.String(16)),
    sa.Column("authors", sa.JSON, nullable=False),
    sa.Column("image_url", sa.Text),
    sa.Column("image_caption", sa.Text),
    sa.Column("body_paragraphs", sa.JSON, nullable=False),
    sa.Column("headlines", sa.JSON, nullable=False),
    sa.Column("story_id", sa.Integer),
    sa.Column("duplicate_of", sa.Integer),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)
sa.Index("ix_articles_published", articles.c.published)

rejections = sa.Table(
    "rejections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("raw_id", sa.Integer, sa.ForeignKey("raw_documents.id"), unique=True),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

breaking = sa.Table(
    "breaking",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True),
    sa.Column("story_id", sa.Integer, index=True),
    sa.Column("until", Timestamp, nullable=False, index=True),
    # "manual" (an editor's flag) or "detected" (the velocity detector's)
    sa.Column("origin", sa.String(16), nullable=False, server_default="manual"),
    sa.Column("note", sa.Text),
    sa.Column("created_by", sa.Text),
    sa.Column("created_at", Timestamp, nullable=False),
)


def as_utc(value: datetime) -> datetime:
    """Timestamps are written in UTC; SQLite hands them back naive."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
