"""The embedded backend: SQLite FTS5 over analysed terms, ranked by bm25 (title weighs 4, body 1)."""

from __future__ import annotations

import sqlalchemy as sa

from akhbar.search.index import CANDIDATES, Candidate, Filters, candidate, columns, joined
from akhbar.search.query import Phrase, Query

TITLE_WEIGHT, BODY_WEIGHT = 4.0, 1.0


def _quoted(terms: tuple[str, ...]) -> str:
    return '"' + " ".join(terms).replace('"', '""') + '"'


def _phrase(phrase: Phrase) -> str:
    variants = [_quoted(v) for v in phrase.variants()]
    return variants[0] if len(variants) == 1 else "(" + " OR ".join(variants) + ")"


def match_expression(query: Query) -> str:
    """The FTS5 MATCH string: every term quoted, so no user text is ever read as FTS5 syntax."""
    clauses = ["(" + " OR ".join(_phrase(p) for p in c.phrases) + ")" for c in query.clauses]
    expression = " AND ".join(clauses)
    for phrase in query.excluded:
        expression = f"({expression}) NOT {_phrase(phrase)}"
    return expression


def candidates(
    connection: sa.Connection, query: Query, filters: Filters, limit: int = CANDIDATES
) -> list[Candidate]:
    """The best ``limit`` matches by bm25. Without filters FTS5 ranks alone (``ORDER BY rank``,
    configured as bm25 with these weights by the migration) and only the winners are joined."""
    match = sa.literal_column("search_fts").op("MATCH")(match_expression(query))
    conditions = filters.clauses()
    if not conditions:
        fts = sa.table("search_fts", sa.column("rowid"), sa.column("rank"))
        best = sa.select(fts.c.rowid, fts.c.rank).where(match).order_by(fts.c.rank).limit(limit).subquery()
        statement = sa.select(*columns(-best.c.rank)).select_from(joined(best, best.c.rowid))
        return [candidate(row._mapping) for row in connection.execute(statement)]
    fts = sa.table("search_fts", sa.column("rowid"))
    score = sa.func.bm25(sa.literal_column("search_fts"), TITLE_WEIGHT, BODY_WEIGHT)
    statement = (
        sa.select(*columns(-score))
        .select_from(joined(fts, fts.c.rowid))
        .where(match, *conditions)
        .order_by(score)
        .limit(limit)
    )
    return [candidate(row._mapping) for row in connection.execute(statement)]


def raw_ids(connection: sa.Connection, query: Query, limit: int = 20) -> list[int]:
    """The ceiling for benchmarks: the same MATCH, FTS5's own rank, no join, no blend."""
    statement = sa.text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q ORDER BY rank LIMIT :n")
    return [int(r[0]) for r in connection.execute(statement, {"q": match_expression(query), "n": limit})]


def optimise(connection: sa.Connection) -> None:
    """Merge FTS5's segments (after a reindex)."""
    connection.execute(sa.text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
