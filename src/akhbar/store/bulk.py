"""Bulk loading of articles (benchmarks, imports): one raw document per article, many rows per statement.

Search indexing is the caller's: ``akhbar.services.search.bulk_load`` stores and indexes in one
transaction, so bulk-loaded articles are searchable at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from akhbar.models import Article, content_hash
from akhbar.store.tables import articles, raw_documents


def insert_articles(connection: sa.Connection, items: Sequence[tuple[str, Article]]) -> list[int]:
    """Insert ``(key, article)`` pairs, each with a small raw document standing for its input;
    returns the new article ids in order (not indexed for search)."""
    now = datetime.now(UTC)
    raws: list[dict[str, Any]] = [
        {
            "sha256": content_hash(key.encode()),
            "location": key,
            "url": article.url,
            "content_type": "text/plain",
            "headers": [],
            "data": key.encode(),
            "fetched_at": now,
            "source_id": None,
        }
        for key, article in items
    ]
    connection.execute(sa.insert(raw_documents), raws)
    hashes = [raw["sha256"] for raw in raws]
    ids = dict(
        connection.execute(
            sa.select(raw_documents.c.sha256, raw_documents.c.id).where(raw_documents.c.sha256.in_(hashes))
        ).all()
    )
    rows = []
    for (key, article), raw in zip(items, raws, strict=True):
        rows.append(
            {
                **article.to_json(),
                "authors": list(article.authors),
                "key": key,
                "raw_id": ids[raw["sha256"]],
                "source_id": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    connection.execute(sa.insert(articles), rows)
    keys = [key for key, _ in items]
    found = dict(
        connection.execute(sa.select(articles.c.key, articles.c.id).where(articles.c.key.in_(keys))).all()
    )
    return [int(found[key]) for key in keys]
