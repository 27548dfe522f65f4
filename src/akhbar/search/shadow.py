"""PostgreSQL: the whole search index rebuilt in a shadow table, then swapped in (reindex, bulk loads).

Written into the live table, every row updates the indexes one by one: RUM has no pending list, and
GIN's and pg_trgm's lists are merged into ever larger indexes; at a million articles a reindex ran
at about 530 rows a second. Written into a table without indexes, rows go in at the speed of the
server computing their tsvector, and each index is then built in one sorted pass (the search
indexes on two connections at once, for a server's cores). Searches keep answering from the live
table all along, through its own indexes.

Nothing written meanwhile is lost: an article removed cascades into the shadow table once it has
its foreign key (the few removed before that are deleted then), and when the shadow is swapped in
the live table is locked against writers (readers go on) while the rows live ingest wrote since the
rebuild started are copied over. The swap itself (drop, renames) holds off readers for a moment.
A rebuild that fails drops its shadow table; one that was killed leaves it to the next rebuild,
which starts by dropping it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from akhbar.errors import StoreError
from akhbar.search.postgres import NEWEST_RUM_INDEX, TRIGRAM_INDEX
from akhbar.store.tables import search_documents

log = logging.getLogger(__name__)
SHADOW = "search_fts_rebuild"  # a search-private name (``is_search_private``), dropped once swapped in
GIN_INDEX = "search_fts_vector"  # the GIN index, where the rum extension is not installed (0004, 0023)
PRIMARY_KEY = "pk_search_documents"
FOREIGN_KEY = "fk_search_documents_article_id"
# rows of live ingest within this much before the start are copied over too (clocks of the writers)
MARGIN = timedelta(minutes=1)
_LOCK = 7_130_419  # pg_try_advisory_lock key: one rebuild at a time (see distributed._SCHEMA_LOCK)

_COLUMNS = [c.name for c in search_documents.c]  # not search_vector: the server computes it

# what each index is built as (by the migrations' definitions, on the shadow table)
_DEFINITIONS = {
    NEWEST_RUM_INDEX: "USING rum (search_vector rum_tsvector_addon_ops, article_id) "
    "WITH (attach = 'article_id', to = 'search_vector')",
    GIN_INDEX: "USING gin (search_vector)",
    TRIGRAM_INDEX: "USING gin (title_terms gin_trgm_ops)",
}


@contextmanager
def alone(engine: sa.Engine) -> Iterator[None]:
    """Hold the rebuild lock meanwhile (a session's advisory lock, let go if the process dies);
    raises StoreError when another rebuild holds it (the second would drop the first's table)."""
    with engine.connect() as connection:
        if not connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": _LOCK}).scalar():
            raise StoreError("store: a search reindex is already running on this database")
        connection.commit()
        try:
            yield
        finally:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK})
            connection.commit()


def begin(connection: sa.Connection) -> None:
    """An empty shadow table shaped as ``search_documents`` (its generated tsvector included)."""
    connection.execute(sa.text(f"DROP TABLE IF EXISTS {SHADOW}"))
    connection.execute(
        sa.text(
            f"CREATE TABLE {SHADOW} (LIKE search_documents "
            "INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING STORAGE)"
        )
    )


def write(connection: sa.Connection, rows: Sequence[dict[str, object]]) -> None:
    """Add rows to the shadow table (one per article: the caller gives each article once), by COPY:
    a third less of the server's time than a many-row INSERT, a quarter of the client's."""
    driver = connection.connection.driver_connection  # psycopg's: COPY is the driver's own
    if driver is None:
        raise RuntimeError("the search index rebuild needs an open PostgreSQL connection")
    with driver.cursor().copy(f"COPY {SHADOW} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in _COLUMNS])


def abandon(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {SHADOW}"))


def wanted_indexes(connection: sa.Connection) -> list[str]:
    """The search indexes a rebuilt table gets: RUM where the rum extension is installed, else GIN
    (RUM answers every query GIN does); pg_trgm's where that extension is."""
    installed = {
        str(r[0])
        for r in connection.execute(
            sa.text("SELECT extname FROM pg_extension WHERE extname IN ('rum', 'pg_trgm')")
        )
    }
    found = [NEWEST_RUM_INDEX if "rum" in installed else GIN_INDEX]
    return found + ([TRIGRAM_INDEX] if "pg_trgm" in installed else [])


def _build(engine: sa.Engine, statement: str) -> None:
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(sa.text(statement))
    log.info("search rebuild: %s (%.1f s)", statement.split(" ON ")[0], time.perf_counter() - started)


def finish(engine: sa.Engine, started: datetime) -> None:
    """Key, index and analyse the shadow table, then swap it in for ``search_documents``.

    ``started``: when the rebuild began (rows live ingest wrote since are copied over)."""
    with engine.begin() as connection:  # from here on, removing an article cascades into the shadow
        connection.execute(
            sa.text(
                f"ALTER TABLE {SHADOW} ADD CONSTRAINT {FOREIGN_KEY}_next FOREIGN KEY (article_id) "
                "REFERENCES articles (id) ON DELETE CASCADE NOT VALID"
            )
        )
    with engine.begin() as connection:  # articles removed before that
        connection.execute(
            sa.text(
                f"DELETE FROM {SHADOW} s "
                "WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = s.article_id)"
            )
        )
        wanted = wanted_indexes(connection)
    _build(engine, f"ALTER TABLE {SHADOW} ADD CONSTRAINT {PRIMARY_KEY}_next PRIMARY KEY (article_id)")
    statements = [f"CREATE INDEX {name}_next ON {SHADOW} {_DEFINITIONS[name]}" for name in wanted]
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-shadow") as builders:
        for done in [builders.submit(_build, engine, s) for s in statements]:
            done.result()
    _build(engine, f"ANALYZE {SHADOW}")
    caught = datetime.now(UTC)
    with engine.begin() as connection:  # most of what live ingest wrote, writers not held off
        _catch_up(connection, started - MARGIN)
    swapping = time.perf_counter()
    with engine.begin() as connection:
        _swap(connection, wanted, caught - MARGIN)
    log.info("search rebuild: swapped in (writers held off %.2f s)", time.perf_counter() - swapping)
    _build(engine, f"ALTER TABLE search_documents VALIDATE CONSTRAINT {FOREIGN_KEY}")


def _catch_up(connection: sa.Connection, since: datetime) -> None:
    """Copy over the rows live ingest wrote since ``since`` that are newer than the shadow's own
    (each row is stamped when it is analysed); an older one is skipped, adding nothing to the
    indexes (RUM takes a few hundred rows a second)."""
    names = ", ".join(_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS if c != "article_id")
    connection.execute(
        sa.text(
            f"INSERT INTO {SHADOW} ({names}) SELECT {names} FROM search_documents "
            f"WHERE indexed_at >= :since ON CONFLICT (article_id) DO UPDATE SET {updates} "
            f"WHERE {SHADOW}.indexed_at < EXCLUDED.indexed_at"
        ),
        {"since": since},
    )


def _swap(connection: sa.Connection, wanted: list[str], since: datetime) -> None:
    # writers wait from here to the commit; readers go on until the drop
    connection.execute(sa.text("LOCK TABLE search_documents IN SHARE ROW EXCLUSIVE MODE"))
    _catch_up(connection, since)
    connection.execute(sa.text("DROP TABLE search_documents"))
    connection.execute(sa.text(f"ALTER TABLE {SHADOW} RENAME TO search_documents"))
    for name in [PRIMARY_KEY, *wanted]:
        connection.execute(sa.text(f"ALTER INDEX {name}_next RENAME TO {name}"))
    connection.execute(
        sa.text(f"ALTER TABLE search_documents RENAME CONSTRAINT {FOREIGN_KEY}_next TO {FOREIGN_KEY}")
    )
