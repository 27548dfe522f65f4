"""What the search backends share: the rows they index, the filters and the candidates they return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from akhbar.models import Article
from akhbar.search.analysis import terms
from akhbar.store.tables import articles, search_documents

CANDIDATES = 100  # best-matching articles a backend hands to the ranking blend


@dataclass(frozen=True)
class Filters:
    """Restrictions on results; dates are inclusive calendar days."""

    language: str | None = None
    source_id: int | None = None
    story_id: int | None = None
    since: date | None = None
    until: date | None = None

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        """Conditions on ``search_documents`` and ``articles`` (stories change after indexing)."""
        c = search_documents.c
        found: list[sa.ColumnElement[bool]] = []
        if self.language is not None:
            found.append(c.language == self.language)
        if self.source_id is not None:
            found.append(c.source_id == self.source_id)
        if self.story_id is not None:
            found.append(articles.c.story_id == self.story_id)
        if self.since is not None:
            found.append(c.published >= self.since.isoformat())
        if self.until is not None:  # ISO strings sort as dates; the next day excludes all of ``until``
            found.append(c.published < (self.until + timedelta(days=1)).isoformat())
        return found


@dataclass(frozen=True)
class Candidate:
    """An article the backend matched, with its text relevance (higher is better)."""

    article_id: int
    relevance: float
    published: str | None
    story_id: int | None
    title_terms: str


def document_row(article_id: int, article: Article, source_id: int | None) -> dict[str, object]:
    """The ``search_documents`` row of an article: its analysed title and body."""
    body = "\n".join((*article.body_paragraphs, article.image_caption or ""))
    return {
        "article_id": article_id,
        "language": article.language,
        "source_id": source_id,
        "published": article.published,
        "title_terms": " ".join(terms(article.title, article.language)),
        "body_terms": " ".join(terms(body, article.language)),
        "indexed_at": datetime.now(UTC),
    }


def write_rows(connection: sa.Connection, rows: Sequence[dict[str, object]]) -> None:
    """Replace the rows of these articles (the backend's index follows: triggers or a generated column)."""
    if not rows:
        return
    ids = [row["article_id"] for row in rows]
    connection.execute(sa.delete(search_documents).where(search_documents.c.article_id.in_(ids)))
    connection.execute(sa.insert(search_documents), list(rows))


def columns(score: sa.ColumnElement[Any]) -> tuple[sa.ColumnElement[Any], ...]:
    """What a backend selects for a candidate; the story comes from the article, where stories live."""
    d = search_documents.c
    return (d.article_id, score.label("score"), d.published, articles.c.story_id, d.title_terms)


def joined(source: sa.FromClause, on: sa.ColumnElement[Any]) -> sa.Join:
    """``source`` (the backend's matches) joined to the index rows and the articles."""
    d = search_documents
    return source.join(d, d.c.article_id == on).join(articles, articles.c.id == d.c.article_id)


def candidate(m: sa.RowMapping) -> Candidate:
    return Candidate(int(m["article_id"]), float(m["score"]), m["published"], m["story_id"], m["title_terms"])
