"""The embedded backend: SQLite FTS5 over analysed terms, ranked by bm25 (title weighs 4, body 1)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import sqlalchemy as sa

from akhbar.search.index import CANDIDATES, Candidate, Filters, candidate, columns, joined, phrase_conditions
from akhbar.search.query import Phrase, Query

TITLE_WEIGHT, BODY_WEIGHT = 4.0, 1.0
WINDOW = 1000  # newest matches a query ranks by bm25 (see :func:`candidates`)
# SQLite's page cache on a connection that searches, in KiB (SQLite's default: 2,000). A query
# over a common word reads 2-3 MB of the index: at the default its pages pushed one another out of
# the cache and were read again, and the query cost 1.04 ms where 3 MB or more made it 0.88 ms
# (100k articles, random words; 8 MB gave 0.85). Only connections that searched get it (a pooled
# one keeps it back in the pool), so an ingesting process's connections keep the default's memory.
SEARCH_CACHE_KIB = 4096
_SEARCH_CACHE_SET = "akhbar.search_cache"  # in a connection's ``info``: its cache is already set
# :func:`candidates` without filters or phrases, as SQL: the same as the query it builds otherwise,
# the best rows' fields read from the small covering indexes of migration 0020 (SQLite's planner
# would read the large rows themselves). The rows come back as one row, a JSON array of them: the
# driver releases the GIL for each row it steps to and takes it back after, and under load each
# taking back waited for another thread's turn to end, about a hundred times per search (that
# cost the search page 8 to 21% of its throughput in one process). Each score is written with 17
# significant digits, so it reads back as the very float bm25 gave
# (tests/test_search_fast_paths.py).
_PLAIN = (
    "SELECT json_group_array(json_array(d.article_id, json(printf('%!.17g', -best.score)), d.published,"
    " a.story_id, d.title_terms)) FROM ("
    f"SELECT rowid, score FROM (SELECT rowid, bm25(search_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}) AS score"
    " FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY score LIMIT ?) AS best"
    " JOIN search_documents AS d INDEXED BY search_fts_rows ON d.article_id = best.rowid"
    " JOIN articles AS a INDEXED BY search_fts_stories ON a.id = d.article_id"
)


def fetched(connection: sa.Connection, sql: str, parameters: tuple[object, ...]) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` as the driver returns them (tuples), read through its own cursor: on a
    search's hot path, SQLAlchemy's handling of each row cost more than SQLite's reading of it.
    The connection's transaction is the driver's, as it is for SQLAlchemy's statements; a failure
    is raised as SQLAlchemy's would be (:class:`sqlalchemy.exc.DBAPIError`)."""
    driver: sqlite3.Connection = connection.connection.driver_connection  # type: ignore[assignment]  # None only once closed
    try:
        return driver.execute(sql, parameters).fetchall()
    except sqlite3.Error as exc:
        raise sa.exc.DBAPIError.instance(sql, parameters, exc, sqlite3.Error) from exc


def _search_cache(connection: sa.Connection) -> None:
    """Give the connection the page cache of :data:`SEARCH_CACHE_KIB`, once (a pooled or kept
    connection keeps it, and its ``info``, for its life)."""
    if not connection.info.get(_SEARCH_CACHE_SET):
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SEARCH_CACHE_KIB}")
        connection.info[_SEARCH_CACHE_SET] = True


def _quoted(terms: tuple[str, ...]) -> str:
    return '"' + " ".join(terms).replace('"', '""') + '"'


def _phrase(phrase: Phrase) -> str:
    variants = [_quoted(v) for v in phrase.variants()]
    return variants[0] if len(variants) == 1 else "(" + " OR ".join(variants) + ")"


def match_expression(query: Query) -> str:
    """The FTS5 MATCH string of the query's terms: every term quoted, so no user text is ever read as
    FTS5 syntax. Quoted phrases are then checked word by word (``phrase_conditions``)."""
    clauses = ["(" + " OR ".join(_phrase(p) for p in c.phrases) + ")" for c in query.indexed()]
    expression = " AND ".join(clauses)
    for phrase in query.excluded_terms():
        expression = f"({expression}) NOT {_phrase(phrase)}"
    return expression


def candidates(
    connection: sa.Connection,
    query: Query,
    filters: Filters,
    limit: int = CANDIDATES,
    window: int = WINDOW,
) -> list[Candidate]:
    """The best ``limit`` by bm25 among the newest ``window`` matches (all of them when fewer).

    FTS5 walks a term's matches newest first (``ORDER BY rowid DESC``: article ids grow with
    time) and stops after ``window``, so a word found in half the archive costs what a rare one
    does, where ``ORDER BY rank`` would score every match. News ranking decays with age anyway;
    a query with fewer matches than ``window`` is ranked exactly over all of them. Filters are
    applied while walking, so a filtered query still gets ``window`` matches when it has them.
    """
    _search_cache(connection)
    conditions = [*filters.clauses(), *phrase_conditions(query)]
    if not conditions:  # the common case, in one prepared statement without building a query
        ((found,),) = fetched(connection, _PLAIN, (match_expression(query), window, limit))
        return list(map(Candidate._make, json.loads(found)))
    return built(connection, query, conditions, limit, window)


def built(
    connection: sa.Connection,
    query: Query,
    conditions: list[sa.ColumnElement[bool]],
    limit: int = CANDIDATES,
    window: int = WINDOW,
) -> list[Candidate]:
    """:func:`candidates` under these conditions, as a query built for them (with none, what
    ``_PLAIN`` does faster)."""
    fts = sa.table("search_fts", sa.column("rowid"))
    match = sa.literal_column("search_fts").op("MATCH")(match_expression(query))
    score = sa.func.bm25(sa.literal_column("search_fts"), TITLE_WEIGHT, BODY_WEIGHT)
    newest = sa.select(fts.c.rowid.label("rowid"), score.label("score")).where(match)
    newest = newest.select_from(joined(fts, fts.c.rowid)).where(*conditions)
    walked = newest.order_by(fts.c.rowid.desc()).limit(window).subquery()
    best = sa.select(walked.c.rowid, walked.c.score).order_by(walked.c.score).limit(limit).subquery()
    statement = sa.select(*columns(-best.c.score)).select_from(joined(best, best.c.rowid))
    return [candidate(row._mapping) for row in connection.execute(statement)]


def raw_ids(connection: sa.Connection, query: Query, limit: int = 20, window: int | None = None) -> list[int]:
    """Benchmark ceilings: the same MATCH, bm25 alone, no join, no blend; over every match
    (``ORDER BY rank``, FTS5's own) or, with ``window``, over the newest ``window`` as
    :func:`candidates` ranks them."""
    if window is None:
        sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH :q ORDER BY rank LIMIT :n"
    else:
        sql = (
            f"SELECT rowid FROM (SELECT rowid, bm25(search_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}) AS score "
            "FROM search_fts WHERE search_fts MATCH :q ORDER BY rowid DESC LIMIT :w) ORDER BY score LIMIT :n"
        )
    found = connection.execute(sa.text(sql), {"q": match_expression(query), "n": limit, "w": window})
    return [int(r[0]) for r in found]


def optimise(connection: sa.Connection) -> None:
    """Merge FTS5's segments (after a reindex)."""
    connection.execute(sa.text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
