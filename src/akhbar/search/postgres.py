"""The production backend: PostgreSQL tsvector over analysed terms (GIN), pg_trgm on titles for typos."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR

from akhbar.search.index import CANDIDATES, Candidate, Filters, candidate, columns, phrase_conditions
from akhbar.search.query import Phrase, Query
from akhbar.store.tables import articles, search_documents

TYPO_CANDIDATES = 20
WINDOW = 1000  # newest matches a query ranks by ts_rank (see :func:`candidates`)


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _phrase(phrase: Phrase) -> str:
    variants = ["(" + " <-> ".join(_lexeme(t) for t in v) + ")" for v in phrase.variants()]
    return "(" + " | ".join(variants) + ")"


def tsquery_text(query: Query) -> str:
    """A ``to_tsquery`` string of the query's terms: every lexeme quoted, so no user text is read as
    tsquery syntax. Quoted phrases are then checked word by word (``phrase_conditions``)."""
    clauses = ["(" + " | ".join(_phrase(p) for p in c.phrases) + ")" for c in query.indexed()]
    text = " & ".join(clauses)
    for phrase in query.excluded_terms():
        text += f" & !{_phrase(phrase)}"
    return text


def _tsquery(query: Query) -> sa.ColumnElement[object]:
    return sa.func.to_tsquery(sa.literal("simple").cast(REGCONFIG), tsquery_text(query))


def candidates(
    connection: sa.Connection,
    query: Query,
    filters: Filters,
    limit: int = CANDIDATES,
    window: int = WINDOW,
) -> list[Candidate]:
    """The best ``limit`` by ts_rank among the newest ``window`` matches (all when fewer), as the
    SQLite backend does: ts_rank reads each match's whole tsvector, so only the window pays it."""
    d = search_documents
    vector = sa.column("search_vector", TSVECTOR)
    tsquery = _tsquery(query)
    newest = sa.select(d.c.article_id).where(vector.op("@@")(tsquery), *phrase_conditions(query))
    conditions = filters.clauses()
    if conditions:
        newest = newest.select_from(d.join(articles, articles.c.id == d.c.article_id)).where(*conditions)
    # ``+ 0``: matches come from the GIN index and the newest are sorted out of them; walking the
    # primary key backwards instead tests every row's tsvector until enough match (slow when few do)
    walked = newest.order_by((d.c.article_id + 0).desc()).limit(window).subquery()
    score = sa.func.ts_rank(vector, tsquery)
    statement = (
        sa.select(*columns(score))
        .select_from(
            walked.join(d, d.c.article_id == walked.c.article_id).join(
                articles, articles.c.id == d.c.article_id
            )
        )
        .order_by(score.desc())
        .limit(limit)
    )
    return [candidate(row._mapping) for row in connection.execute(statement)]


def has_trigrams(connection: sa.Connection) -> bool:
    found = connection.execute(sa.text("SELECT 1 FROM pg_indexes WHERE indexname = 'search_fts_title_trgm'"))
    return found.first() is not None


def typo_candidates(connection: sa.Connection, query: Query, filters: Filters) -> list[Candidate]:
    """Titles whose words look like the query's (``<%``, word similarity): for a mistyped name."""
    if not has_trigrams(connection):
        return []
    d = search_documents
    text = " ".join(pos[0] for c in query.indexed() for pos in c.phrases[0].positions)
    similarity = sa.func.word_similarity(text, d.c.title_terms)
    statement = (
        sa.select(*columns(similarity * 0.1))
        .select_from(d.join(articles, articles.c.id == d.c.article_id))
        .where(sa.literal(text).op("<%")(d.c.title_terms), *filters.clauses())
        .order_by(similarity.desc())
        .limit(TYPO_CANDIDATES)
    )
    return [candidate(row._mapping) for row in connection.execute(statement)]


def raw_ids(connection: sa.Connection, query: Query, limit: int = 20, window: int | None = None) -> list[int]:
    """Benchmark ceilings: the same tsquery, ts_rank alone, no blend; over every match or, with
    ``window``, over the newest ``window`` as :func:`candidates` ranks them."""
    matches = "SELECT article_id FROM search_documents WHERE search_vector @@ to_tsquery('simple', :q)"
    if window is not None:
        matches += " ORDER BY article_id + 0 DESC LIMIT :w"
    statement = sa.text(
        f"SELECT d.article_id FROM ({matches}) m JOIN search_documents d USING (article_id) "
        "ORDER BY ts_rank(d.search_vector, to_tsquery('simple', :q)) DESC LIMIT :n"
    )
    found = connection.execute(statement, {"q": tsquery_text(query), "n": limit, "w": window})
    return [int(r[0]) for r in found]
