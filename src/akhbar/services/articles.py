"""Reading articles and rejections for the CLI, the web app and the API."""

from __future__ import annotations

from akhbar.models import StoredArticle, StoredRejection
from akhbar.store import Store, articles, documents


def list_articles(
    store: Store,
    *,
    language: str | None = None,
    source_id: int | None = None,
    section: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[StoredArticle]:
    with store.reading() as connection:
        return articles.list_articles(
            connection, language=language, source_id=source_id, section=section, limit=limit, offset=offset
        )


def get_article(store: Store, article_id: int) -> StoredArticle | None:
    with store.reading() as connection:
        return articles.get_article(connection, article_id)


def count_articles(store: Store) -> int:
    with store.reading() as connection:
        return articles.count_articles(connection)


def list_rejections(store: Store, *, limit: int = 100) -> list[StoredRejection]:
    with store.reading() as connection:
        return documents.list_rejections(connection, limit=limit)
