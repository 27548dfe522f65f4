"""The production backend: PostgreSQL tsvector over analysed terms (RUM, or GIN without the rum extension),
pg_trgm on titles for typos."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR

from akhbar.search.index import (
    CANDIDATES,
    Candidate,
    Filters,
    candidate,
    columns,
    phrase_conditions,
)
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


NEWEST_RUM_INDEX = "search_fts_newest"  # RUM over search_vector with article_id attached (0019)
TRIGRAM_INDEX = "search_fts_title_trgm"  # pg_trgm over title_terms, for typos (0004)
_NEWEST_ID = 2_147_483_647  # ``article_id <=| this``: distance to the newest, smallest first


def indexes(connection: sa.Connection) -> frozenset[str]:
    """Which search indexes this database has (the RUM window index or GIN, pg_trgm's)."""
    found = connection.execute(
        sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'search_documents'")
    )
    return frozenset(str(r[0]) for r in found)


def _plain(order: str) -> str:
    """:func:`candidates` without filters or phrases, as SQL: the query it builds otherwise, without
    building it (a millisecond of Python a search, as the SQLite backend's ``_PLAIN``)."""
    tsquery = "to_tsquery('simple'::regconfig, %(q)s)"
    return (
        "SELECT best.article_id, best.score, best.published, a.story_id, best.title_terms FROM ("
        "SELECT article_id, score, published, title_terms FROM ("
        f"SELECT article_id, ts_rank(search_vector, {tsquery}) AS score, published, title_terms "
        f"FROM search_documents WHERE search_vector @@ {tsquery} ORDER BY {order} LIMIT %(window)s"
        ") AS walked ORDER BY score DESC LIMIT %(limit)s) AS best "
        "JOIN articles AS a ON a.id = best.article_id"
    )


_PLAIN_RUM = _plain(f"article_id <=| {_NEWEST_ID}")
_PLAIN_GIN = _plain("article_id + 0 DESC")


def _newest(query: Query, filters: Filters, rum: bool, window: int) -> sa.Subquery:
    """The newest ``window`` matches with their ts_rank and what ranking reads of them (date, title
    terms), read in one pass over the index rows: from the rows the walk reads anyway, rather than
    from a second look-up of the best (which PostgreSQL plans through the RUM index, a few
    milliseconds for a hundred rows).

    With the RUM index the index itself hands them over newest first (its posting lists carry the
    article id), so a word found in half the archive costs what a rare one does, as FTS5's walk
    does. Without it (no rum extension), matches come from the GIN index and the newest are sorted out of them
    (``+ 0``: walking the primary key backwards instead tests every row's tsvector until enough
    match, which is slow when few do).
    """
    d = search_documents
    vector = sa.column("search_vector", TSVECTOR)
    tsquery = _tsquery(query)
    score = sa.func.ts_rank(vector, tsquery).label("score")
    newest = sa.select(d.c.article_id, score, d.c.published, d.c.title_terms).where(
        vector.op("@@")(tsquery), *phrase_conditions(query)
    )
    conditions = filters.clauses()
    if conditions:
        newest = newest.select_from(d.join(articles, articles.c.id == d.c.article_id)).where(*conditions)
    order = d.c.article_id.op("<=|")(_NEWEST_ID) if rum else (d.c.article_id + 0).desc()
    return newest.order_by(order).limit(window).subquery()


def candidates(
    connection: sa.Connection,
    query: Query,
    filters: Filters,
    limit: int = CANDIDATES,
    window: int = WINDOW,
    *,
    rum: bool | None = None,
) -> list[Candidate]:
    """The best ``limit`` by ts_rank among the newest ``window`` matches (all when fewer), as the
    SQLite backend does: ts_rank reads each match's whole tsvector, so only the window pays it, and
    only the best ``limit`` are joined to their articles (for their story). ``rum`` (found out when
    None) says whether the RUM window index exists."""
    if rum is None:
        rum = NEWEST_RUM_INDEX in indexes(connection)
    if not filters.clauses() and not phrase_conditions(query):  # the common case, as SQL text
        values = {"q": tsquery_text(query), "window": window, "limit": limit}
        found = connection.exec_driver_sql(_PLAIN_RUM if rum else _PLAIN_GIN, values)
        return [
            Candidate(int(i), float(score), published, story, terms)
            for i, score, published, story, terms in found
        ]
    walked = _newest(query, filters, rum, window)
    best = sa.select(walked).order_by(walked.c.score.desc()).limit(limit).subquery()
    story = articles.c.story_id
    statement = sa.select(best.c.article_id, best.c.score, best.c.published, story, best.c.title_terms)
    statement = statement.select_from(best.join(articles, articles.c.id == best.c.article_id))
    return [candidate(row._mapping) for row in connection.execute(statement)]


def has_trigrams(connection: sa.Connection) -> bool:
    return TRIGRAM_INDEX in indexes(connection)


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
    """Benchmark ceilings: the same tsquery, ts_rank alone, no blend, no join; over every match or,
    with ``window``, over the newest ``window`` as :func:`candidates` walks them."""
    matches = (
        "SELECT article_id, search_vector FROM search_documents "
        "WHERE search_vector @@ to_tsquery('simple', :q)"
    )
    if window is not None:
        rum = NEWEST_RUM_INDEX in indexes(connection)
        matches += f" ORDER BY article_id <=| {_NEWEST_ID}" if rum else " ORDER BY article_id + 0 DESC"
        matches += " LIMIT :w"
    statement = sa.text(
        f"SELECT article_id FROM ({matches}) m "
        "ORDER BY ts_rank(search_vector, to_tsquery('simple', :q)) DESC LIMIT :n"
    )
    found = connection.execute(statement, {"q": tsquery_text(query), "n": limit, "w": window})
    return [int(r[0]) for r in found]
