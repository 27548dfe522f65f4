"""Search use cases: index an article as it is stored, search with ranking and snippets, reindex.

The index is a table of analysed terms written in the article's own transaction, so a stored
article is searchable at once and a removed one disappears with it (foreign-key cascade).
``reindex`` rewrites it in small transactions while searches keep answering from the old rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

from akhbar.extract import with_section
from akhbar.models import Article, ArticleSummary
from akhbar.search import Filters, Query, QueryProblem, parse, postgres, shadow, sqlite
from akhbar.search.index import CANDIDATES, Candidate, document_row, write_rows
from akhbar.search.ranking import Ranked, rank
from akhbar.search.snippets import direction, highlight, snippet
from akhbar.store import Store, bulk, prepared
from akhbar.store.portal import SUMMARY_COLUMNS, summary_from
from akhbar.store.tables import articles as articles_table
from akhbar.store.tables import search_documents

log = logging.getLogger(__name__)
MAX_LIMIT = 100
RANKED = CANDIDATES  # the most results a search ranks (``SearchResults.total`` at most)


@dataclass(frozen=True)
class SearchHit:
    """One result: the article, its highlighted title and snippet, and its story's other matches."""

    article_id: int
    title: str
    title_html: str
    snippet_html: str
    direction: str
    language: str | None
    site_name: str | None
    url: str | None
    published: str | None
    story_id: int | None
    score: float
    story_matches: tuple[int, ...] = ()
    article: ArticleSummary | None = field(default=None, compare=False)  # what a list shows of it

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.article_id,
            "title": self.title,
            "title_html": self.title_html,
            "snippet_html": self.snippet_html,
            "dir": self.direction,
            "language": self.language,
            "site_name": self.site_name,
            "url": self.url,
            "published": self.published,
            "story_id": self.story_id,
            "score": round(self.score, 6),
            "story_matches": list(self.story_matches),
        }


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int  # matching stories (capped at the candidates a backend returns)
    hits: list[SearchHit] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "hits": [h.to_json() for h in self.hits]}


def index_article(
    connection: sa.Connection, article_id: int, article: Article, source_id: int | None, *, new: bool = False
) -> None:
    """(Re)index one article inside the caller's transaction (``new``: stored in it, never indexed)."""
    write_rows(connection, [document_row(article_id, article, source_id)], new=new)


def candidates(store: Store, connection: sa.Connection, query: Query, filters: Filters) -> list[Candidate]:
    if store.dialect == "postgresql":
        found = postgres.candidates(connection, query, filters)
        # no match at all: titles that look alike (a typo), unless the reader asked for exact words
        if not found and not query.excluded and not query.exact:
            found = postgres.typo_candidates(connection, query, filters)
        return found
    return sqlite.candidates(connection, query, filters)


def search(
    store: Store,
    text: str,
    *,
    filters: Filters | None = None,
    limit: int = 20,
    offset: int = 0,
    now: datetime | None = None,
) -> SearchResults | QueryProblem:
    """Ranked, story-grouped results for what a reader typed, or why it cannot be searched."""
    filters = filters or Filters()
    parsed = parse(text, filters.language)
    if isinstance(parsed, QueryProblem):
        return parsed
    limit = max(1, min(limit, MAX_LIMIT))
    with store.reading() as connection:
        found = candidates(store, connection, parsed, filters)
        terms = parsed.terms()
        ranked = rank(found, terms, now or datetime.now(UTC))
        page = ranked[max(0, offset) : max(0, offset) + limit]
        rows = _shown(connection, [entry.article_id for entry in page])
    hits = [_hit(rows[e.article_id], e, terms) for e in page if e.article_id in rows]  # absent: removed
    return SearchResults(text, len(ranked), hits)


class _Shown(NamedTuple):
    """What a result shows of an article: the summary a list shows, and the text its snippet comes
    from (the body's paragraphs, else the image's caption)."""

    summary: ArticleSummary
    body: str


_SHOWN: sa.Select[tuple[object, ...]] = sa.select(
    *SUMMARY_COLUMNS, articles_table.c.body_paragraphs, articles_table.c.image_caption
).where(articles_table.c.id.in_(sa.bindparam("ids", expanding=True)))  # built once: a search binds its ids


def _shown(connection: sa.Connection, ids: list[int]) -> dict[int, _Shown]:
    """What a result shows of these articles, in one query."""
    if not ids:
        return {}
    return {
        row.id: _Shown(summary_from(row), _body(row.body_paragraphs, row.image_caption))
        for row in prepared.read(connection, _SHOWN, {"ids": ids})  # the summary's columns first
    }


def _body(paragraphs: list[str], caption: str | None) -> str:
    return "\n".join(paragraphs) or (caption or "")


def _hit(shown: _Shown, entry: Ranked, terms: frozenset[str]) -> SearchHit:
    a, body = shown
    language = a.language
    return SearchHit(
        article_id=a.id,
        title=a.title,
        title_html=highlight(a.title, terms, language),
        snippet_html=snippet(body, terms, language),
        direction=direction(a.title + " " + body[:200], language),
        language=language,
        site_name=a.site_name,
        url=a.url,
        published=a.published,
        story_id=a.story_id,
        score=entry.score,
        story_matches=entry.grouped,
        article=a,
    )


def matching_ids(store: Store, text: str, *, language: str | None = None, limit: int = 5) -> list[int]:
    """The ranked article ids only (evaluation and benchmarks: no snippets)."""
    parsed = parse(text, language)
    if isinstance(parsed, QueryProblem):
        return []
    with store.reading() as connection:
        ranked = rank(candidates(store, connection, parsed, Filters()), parsed.terms(), datetime.now(UTC))
    return [r.article_id for r in ranked[:limit]]


Pending = tuple[int, Article, int | None]  # (article id, article, source id) to index


def index_batches(store: Store, batches: Iterable[Sequence[Pending]]) -> int:
    """Index these articles in place, one transaction per batch; returns how many. A whole index is
    rebuilt faster by :func:`rebuild` (on PostgreSQL, RUM takes a few hundred rows a second in place)."""
    if store.in_memory:
        done = 0
        for batch in batches:  # an in-memory database is one per thread: write from this one
            _write(store, write_rows, [document_row(i, article, source) for i, article, source in batch])
            done += len(batch)
        return done
    return _pipelined(store, batches, write_rows)


def rebuild(store: Store, batches: Iterable[Sequence[Pending]]) -> int:
    """Replace the whole index with the rows of these articles (every article, each once), as
    ``akhbar search reindex`` and bulk loads do; returns how many. On PostgreSQL the rows go into a
    shadow table that gets its indexes once full and is then swapped in
    (:mod:`akhbar.search.shadow`), one rebuild at a time (StoreError for a second); elsewhere they
    are written in place (:func:`index_batches`)."""
    if store.dialect != "postgresql":
        return index_batches(store, batches)
    with shadow.alone(store.engine):
        started = datetime.now(UTC)
        with store.transaction() as connection:
            shadow.begin(connection)
        try:
            done = _pipelined(store, batches, shadow.write)
            shadow.finish(store.engine, started)
        except BaseException:
            shadow.abandon(store.engine)
            raise
    return done


Writer = Callable[[sa.Connection, Sequence[dict[str, object]]], None]


def _pipelined(store: Store, batches: Iterable[Sequence[Pending]], write: Writer) -> int:
    """Analyse each batch and ``write`` its rows, one transaction per batch; returns how many.

    Analysing a batch (Python) overlaps writing the previous one: the database drivers release
    the GIL while SQLite or PostgreSQL works, so the two use two cores where they have them.
    """
    done = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-index") as writer:
        writing: Future[None] | None = None
        for batch in batches:
            rows = [document_row(article_id, article, source) for article_id, article, source in batch]
            if writing is not None:
                writing.result()
            writing = writer.submit(_write, store, write, rows)
            done += len(rows)
        if writing is not None:
            writing.result()
    return done


def _write(store: Store, write: Writer, rows: list[dict[str, object]]) -> None:
    with store.transaction() as connection:
        write(connection, rows)


def reindex(
    store: Store,
    *,
    batch: int = 1000,
    progress: Callable[[int], None] | None = None,
    optimise: bool = True,
) -> int:
    """Rebuild every article's index row, ``batch`` articles per transaction, without downtime:
    searches keep answering from the old rows until each batch commits (on PostgreSQL, until the
    rebuilt table is swapped in: :func:`rebuild`). ``optimise`` then merges
    SQLite's index segments into one (slow on a large index; searches keep answering)."""

    def batches() -> Iterator[list[Pending]]:
        done, after = 0, 0
        while found := _batch(store, after, batch):
            yield found
            after = found[-1][0]
            done += len(found)
            if progress is not None:
                progress(done)

    done = rebuild(store, batches())
    with store.transaction() as connection:  # rows of articles that no longer exist
        orphans = sa.select(articles_table.c.id)
        connection.execute(sa.delete(search_documents).where(search_documents.c.article_id.not_in(orphans)))
    if optimise and store.dialect == "sqlite":
        with store.transaction() as connection:
            sqlite.optimise(connection)
    return done


def _batch(store: Store, after: int, size: int) -> list[Pending]:
    """The next ``size`` articles after id ``after``: only what indexing reads, in one query."""
    a = articles_table.c
    statement = (
        sa.select(a.id, a.source_id, a.title, a.body_paragraphs, a.image_caption, a.language, a.published)
        .where(a.id > after)
        .order_by(a.id)
        .limit(size)
    )
    with store.reading() as connection:
        rows = connection.execute(statement).all()
    return [
        (
            row.id,
            Article(
                row.title,
                tuple(row.body_paragraphs),
                language=row.language,
                published=row.published,
                image_caption=row.image_caption,
            ),
            row.source_id,
        )
        for row in rows
    ]


def bulk_load(connection: sa.Connection, items: Sequence[tuple[str, Article]]) -> list[int]:
    """Store ``(key, article)`` pairs in bulk and index them in the same transaction; their ids."""
    items = [(key, with_section(article)) for key, article in items]
    article_ids = bulk.insert_articles(connection, items)
    rows = [document_row(i, a, None) for i, (_, a) in zip(article_ids, items, strict=True)]
    write_rows(connection, rows, new=True)
    return article_ids
