"""Articles: one row per article identity (its URL, else where it was read from), updated in place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from akhbar.models import Article, StoredArticle, as_utc
from akhbar.store import prepared
from akhbar.store.engine import inserted_id
from akhbar.store.tables import articles


def _values(article: Article) -> dict[str, object]:
    return {
        "url": article.url,
        "title": article.title,
        "site_name": article.site_name,
        "published": article.published,
        "language": article.language,
        "authors": list(article.authors),
        "image_url": article.image_url,
        "image_caption": article.image_caption,
        "body_paragraphs": list(article.body_paragraphs),
        "headlines": list(article.headlines),
        "story_id": article.story_id,
        "duplicate_of": article.duplicate_of,
        "duplicate_kind": article.duplicate_kind,
        "section": article.section,
    }


# Built once: the statements of the ingest path take their values as parameters, so SQLAlchemy
# neither rebuilds nor recompiles them for every article.
_BY_KEY = sa.select(articles.c.id).where(articles.c.key == sa.bindparam("find_key"))
_UPDATE = sa.update(articles).where(articles.c.id == sa.bindparam("target_id"))
_INSERT = sa.insert(articles)


def _id_of(connection: sa.Connection, key: str) -> int | None:
    row = prepared.first(connection, _BY_KEY, {"find_key": key})
    return None if row is None else int(row.id)


def upsert_article(
    connection: sa.Connection,
    key: str,
    raw_id: int,
    article: Article,
    source_id: int | None,
    *,
    former_key: str | None = None,
) -> tuple[int, bool]:
    """Insert the article, or update the one with the same key in place. Returns (id, created).

    ``former_key`` is the key the same input had before its article had an address of its own (a
    saved page is keyed by its URL once its markup gives one): that article is updated and re-keyed.
    """
    now = datetime.now(UTC)
    existing = _id_of(connection, key)
    values = {**_values(article), "raw_id": raw_id, "source_id": source_id, "updated_at": now}
    if existing is None and former_key is not None and former_key != key:
        existing = _id_of(connection, former_key)
        values["key"] = key
    if existing is not None:
        connection.execute(_UPDATE, {**values, "target_id": existing})
        return int(existing), False
    result = connection.execute(_INSERT, {"key": key, "created_at": now, **values})
    return inserted_id(result, articles), True


def delete_for_raw(connection: sa.Connection, raw_id: int) -> None:
    connection.execute(sa.delete(articles).where(articles.c.raw_id == raw_id))


def delete_by_key(connection: sa.Connection, key: str) -> None:
    """Remove an article (its search entry, placement and breaking flags go with it)."""
    connection.execute(sa.delete(articles).where(articles.c.key == key))


def _stored(row: Any) -> StoredArticle:
    """An article from a row of ``articles`` (SQLAlchemy's, or :func:`akhbar.store.prepared.read`'s)."""
    article = Article(
        title=row.title,
        body_paragraphs=tuple(row.body_paragraphs),
        language=row.language,
        site_name=row.site_name,
        url=row.url,
        published=row.published,
        authors=tuple(row.authors),
        image_url=row.image_url,
        image_caption=row.image_caption,
        headlines=tuple(row.headlines),
        story_id=row.story_id,
        duplicate_of=row.duplicate_of,
        duplicate_kind=row.duplicate_kind or ("same" if row.duplicate_of is not None else None),
        section=row.section,
    )
    return StoredArticle(row.id, row.raw_id, article, as_utc(row.created_at), as_utc(row.updated_at))


_BY_ID = sa.select(articles).where(articles.c.id == sa.bindparam("article_id"))  # built once


def get_article(connection: sa.Connection, article_id: int) -> StoredArticle | None:
    row = prepared.first(connection, _BY_ID, {"article_id": article_id})
    return None if row is None else _stored(row)


def list_articles(
    connection: sa.Connection,
    *,
    language: str | None = None,
    source_id: int | None = None,
    section: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[StoredArticle]:
    """Newest first: by publication date when known, then by arrival."""
    query = sa.select(articles)
    if section is not None:
        query = query.where(articles.c.section == section)
    if language is not None:
        query = query.where(articles.c.language == language)
    if source_id is not None:
        query = query.where(articles.c.source_id == source_id)
    query = query.order_by(articles.c.published.is_(None), articles.c.published.desc(), articles.c.id.desc())
    return [_stored(row) for row in connection.execute(query.limit(limit).offset(offset))]


def count_articles(connection: sa.Connection) -> int:
    return int(connection.execute(sa.select(sa.func.count()).select_from(articles)).scalar() or 0)
