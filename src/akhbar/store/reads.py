"""Most read: article reads per hour, added in batches and summed over a recent window."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from akhbar.store.engine import upsert_into
from akhbar.store.tables import article_reads, articles


def add_reads(connection: sa.Connection, hour: int, counts: Mapping[int, int]) -> None:
    """Add ``counts`` (article id -> reads) to the hour ``hour``; ids of deleted articles are skipped."""
    if not counts:
        return
    existing = {
        int(i) for (i,) in connection.execute(sa.select(articles.c.id).where(articles.c.id.in_(list(counts))))
    }
    rows = [{"article_id": i, "hour": hour, "reads": n} for i, n in sorted(counts.items()) if i in existing]
    if not rows:
        return
    insert = upsert_into(connection, article_reads)
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=["article_id", "hour"],
            set_={"reads": article_reads.c.reads + insert.excluded.reads},
        ),
        rows,
    )


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
