"""What the search backends share: the rows they index, the filters and the candidates they return.

A row holds an article's terms (stems, what the backend's index is built on) and the exact forms
of all its words (folded, stop words included), both space-separated in text order. The index finds
a quoted phrase by its terms; :func:`phrase_conditions` then checks its exact words on the row, so
"la retraite" finds "la retraite" and not "affaires retraité", on both backends alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa

from akhbar.models import Article
from akhbar.search.analysis import index_terms
from akhbar.search.query import Phrase, Query
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


class Candidate(NamedTuple):
    """An article the backend matched, with its text relevance (higher is better)."""

    article_id: int
    relevance: float
    published: str | None
    story_id: int | None
    title_terms: str


def document_row(article_id: int, article: Article, source_id: int | None) -> dict[str, object]:
    """The ``search_documents`` row of an article: its analysed title and body, as terms (for words)
    and as exact forms (for quoted phrases)."""
    body = "\n".join((*article.body_paragraphs, article.image_caption or ""))
    title_terms, title_exact = index_terms(article.title, article.language)
    body_terms, body_exact = index_terms(body, article.language)
    return {
        "article_id": article_id,
        "language": article.language,
        "source_id": source_id,
        "published": article.published,
        "title_terms": " ".join(title_terms),
        "body_terms": " ".join(body_terms),
        "title_exact": " ".join(title_exact),
        "body_exact": " ".join(body_exact),
        "indexed_at": datetime.now(UTC),
    }


def _holds(column: sa.ColumnElement[str], words: tuple[str, ...]) -> sa.ColumnElement[bool]:
    """Whether a space-separated column holds these words one after the other."""
    return (" " + column + " ").contains(" " + " ".join(words) + " ", autoescape=True)


def _either(
    words: tuple[str, ...], title: sa.ColumnElement[str], body: sa.ColumnElement[str]
) -> sa.ColumnElement[bool]:
    return sa.or_(_holds(title, words), _holds(body, words))


def _found(phrase: Phrase) -> sa.ColumnElement[bool]:
    """Whether a row holds the phrase: its exact words when quoted, else one of its term sequences.

    A row written before exact forms were indexed (both empty) is judged by the terms, as it was
    then, until ``akhbar search reindex`` rewrites it.
    """
    c = search_documents.c
    by_terms = sa.or_(sa.false(), *(_either(v, c.title_terms, c.body_terms) for v in phrase.variants()))
    if not phrase.exact:
        return by_terms
    unwritten = sa.and_(c.title_exact == "", c.body_exact == "")
    return sa.or_(_either(phrase.exact, c.title_exact, c.body_exact), sa.and_(unwritten, by_terms))


def phrase_conditions(query: Query) -> list[sa.ColumnElement[bool]]:
    """Conditions on ``search_documents`` that the terms cannot express: every clause holding a
    quoted phrase or not looked up by the index holds one of its phrases, and no row holds an
    excluded quoted phrase. Empty for a query without quotes."""
    indexed = query.indexed()
    found: list[sa.ColumnElement[bool]] = [
        sa.or_(*(_found(p) for p in clause.phrases))
        for clause in query.clauses
        if clause not in indexed or any(p.exact for p in clause.phrases)
    ]
    found += [sa.not_(_found(p)) for p in query.excluded if p.exact]
    return found


_DROP_ROWS = sa.delete(search_documents).where(
    search_documents.c.article_id.in_(sa.bindparam("ids", expanding=True))
)  # built once, as the insert: each article stored runs both
_ADD_ROWS = sa.insert(search_documents)


def write_rows(connection: sa.Connection, rows: Sequence[dict[str, object]], *, new: bool = False) -> None:
    """Replace the rows of these articles (the backend's index follows: triggers or a generated column).
    ``new``: the articles were stored just now, in this transaction, and have no rows to replace (a
    row goes with its article: an article deleted takes its row along, and its id with it)."""
    if not rows:
        return
    if not new:
        connection.execute(_DROP_ROWS, {"ids": [row["article_id"] for row in rows]})
    connection.execute(_ADD_ROWS, list(rows))


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
