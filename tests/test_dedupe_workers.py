"""Copies stored by several workers at once: exactly one original, every other a copy of it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from akhbar.models import Document
from akhbar.services import articles, ingest
from akhbar.services.stories import Grouping
from akhbar.store import Store, documents
from akhbar.store.tables import article_signatures, dedupe_bands, search_documents
from akhbar.store.tables import articles as article_rows
from stories_helpers import version

WORKERS = 8
ROUNDS = 3  # a race lost only now and then still shows in one of them


def _staged(store: Store, grouping: Grouping) -> list[ingest.Staged]:
    """The same text from ``WORKERS`` sites, stored raw and extracted: ready to be finished."""
    text = version("rt.com.91337", "en")
    ready = []
    for n in range(WORKERS):
        url = f"https://site{n}.example/nato"
        document = Document(url, f"copy {n}".encode(), "text/html", url)
        with store.transaction() as connection:
            raw_id = documents.insert_raw(connection, document, None)
        article = replace(text, url=url, site_name=f"Site {n}")
        ready.append(ingest.stage_outcome(raw_id, document, article, None, grouping))
    return ready


def _forget_articles(store: Store) -> None:
    with store.transaction() as connection:
        for table in (dedupe_bands, article_signatures, search_documents, article_rows):
            connection.execute(table.delete())


def test_copies_from_many_workers_at_once_have_one_original(store: Store) -> None:
    """Each thread is a worker with its own connection; on PostgreSQL they commit truly at once."""
    off = Grouping(enabled=False)  # duplicates only: nothing slow between the start and the commit
    staged = _staged(store, off)
    start = threading.Barrier(WORKERS)

    def finish(ready: ingest.Staged) -> int:
        start.wait()
        result = ingest.finish(store, ready, off)
        assert result.article_id is not None
        return result.article_id

    for _ in range(ROUNDS):
        with ThreadPoolExecutor(WORKERS) as workers:
            found = [articles.get_article(store, i) for i in workers.map(finish, staged)]
        originals = [f.id for f in found if f is not None and f.article.duplicate_of is None]
        assert len(originals) == 1, f"{len(originals)} originals among {WORKERS} copies"
        assert {f.article.duplicate_of for f in found if f is not None} == {None, originals[0]}
        _forget_articles(store)
