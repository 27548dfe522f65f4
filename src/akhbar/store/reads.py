"""Most read: article reads per hour, added in batches and summed over a recent window."""

from __future__ import annotations

import json
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from akhbar.store.engine import upsert_into
from akhbar.store.tables import article_reads, articles


def add_reads(connection: sa.Connection, hour: int, counts: Mapping[int, int]) -> None:
    """Add ``counts`` (article id -> reads) to the hour ``hour``; ids of deleted articles are skipped.

    One statement whatever the number of articles: the counts go in as one parameter (a JSON array
    on SQLite, two arrays on PostgreSQL) and the database checks, inserts and adds them itself. A
    batch holds up to :data:`akhbar.services.reads.FLUSH_AT` articles, more ids than one statement
    may bind one by one (SQLite: 32,766), and one row sent per article (``executemany``) cost
    121-124 ms of CPU for 10,000 of them, most of it holding the GIL, against 89-100 ms here,
    the GIL held only to write the parameter.
    """
    if not counts:
        return
    given = _given(connection, sorted(counts.items()))
    insert = upsert_into(connection, article_reads).from_select(
        ["article_id", "hour", "reads"],
        sa.select(given.c.article_id, sa.literal(hour, sa.Integer), given.c.reads)
        .where(given.c.article_id.in_(sa.select(articles.c.id)))  # also SQLite's WHERE before ON CONFLICT
        .order_by(given.c.article_id),  # rows locked in one order by every writer (PostgreSQL)
    )
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=["article_id", "hour"],
            set_={"reads": article_reads.c.reads + insert.excluded.reads},
        )
    )


def _given(connection: sa.Connection, pairs: list[tuple[int, int]]) -> sa.Subquery:
    """(article_id, reads) of ``pairs`` as rows of one bound parameter, in the connection's dialect."""
    if connection.dialect.name == "postgresql":
        ids = sa.bindparam("ids", [i for i, _ in pairs], type_=postgresql.ARRAY(sa.Integer))
        numbers = sa.bindparam("reads", [n for _, n in pairs], type_=postgresql.ARRAY(sa.Integer))
        unnested = sa.func.unnest(ids, numbers).table_valued("article_id", "reads").render_derived()
        return sa.select(unnested.c.article_id, unnested.c.reads).subquery()
    each = sa.func.json_each(sa.bindparam("pairs", json.dumps(pairs), type_=sa.String)).table_valued("value")
    return sa.select(
        sa.func.json_extract(each.c.value, "$[0]").label("article_id"),
        sa.func.json_extract(each.c.value, "$[1]").label("reads"),
    ).subquery()


def most_read_query(since_hour: int, *, limit: int) -> sa.Select[int, int]:
    """(article id, reads) of the most read articles since ``since_hour``, most first: summed over
    one walk of ``ix_article_reads_totals`` (migration 0025)."""
    total = sa.func.sum(article_reads.c.reads).label("total")
    return (
        sa.select(article_reads.c.article_id, total)
        .where(article_reads.c.hour >= since_hour)
        .group_by(article_reads.c.article_id)
        .order_by(total.desc(), article_reads.c.article_id.desc())
        .limit(limit)
    )


def most_read(connection: sa.Connection, since_hour: int, *, limit: int) -> list[tuple[int, int]]:
    """(article id, reads) of the most read articles since ``since_hour``, most first."""
    return [
        (int(row[0]), int(row[1])) for row in connection.execute(most_read_query(since_hour, limit=limit))
    ]


def forget_before(connection: sa.Connection, hour: int) -> int:
    """Delete the counts older than ``hour``; the number of rows deleted."""
    result = connection.execute(sa.delete(article_reads).where(article_reads.c.hour < hour))
    return int(result.rowcount or 0)
