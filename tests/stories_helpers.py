"""Helpers shared by the dedupe and stories tests: real parallel-news articles, stored like ingest does."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache

from akhbar.models import Article, Document
from akhbar.services import ingest
from akhbar.services.stories import Grouping
from akhbar.store import Store, documents
from conftest import DATA

PARALLEL = DATA / "parallel-news" / "docs.jsonl"


@cache
def parallel_docs() -> list[dict[str, str]]:
    return [json.loads(line) for line in PARALLEL.read_text(encoding="utf-8").splitlines()]


def version(group_suffix: str, lang: str, **fields: object) -> Article:
    """The ``lang`` version of the parallel-news article whose group ends with ``group_suffix``."""
    doc = next(d for d in parallel_docs() if d["group"].endswith(group_suffix) and d["lang"] == lang)
    paragraphs = tuple(p for p in doc["text"].split("\n") if p.strip())
    values: dict[str, object] = {
        "title": doc["title"],
        "body_paragraphs": paragraphs,
        "language": lang,
        "site_name": f"site-{lang}",
        "url": f"https://{lang}.example.org/{group_suffix}",
        "published": "2018-09-30T10:00:00+00:00",
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]  # test data built from a dict


def store_article(
    store: Store, article: Article, *, raw: bytes | None = None, grouping: Grouping | None = None
) -> int:
    """Store an article through ingest's ``record_outcome`` (dedupe and stories included)."""
    data = raw or json.dumps([article.title, article.url, list(article.body_paragraphs)]).encode()
    document = Document(article.url or "x", data, "text/html", article.url, fetched_at=datetime.now(UTC))
    with store.transaction() as connection:
        known = documents.find_raw(connection, document.sha256)
        raw_id = known.id if known else documents.insert_raw(connection, document, None)
    result = ingest.record_outcome(store, raw_id, document, article, None, grouping or Grouping())
    assert result.article_id is not None
    return result.article_id
