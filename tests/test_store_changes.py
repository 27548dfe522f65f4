"""The change probe and the data version it spares: on a SQLite file the article counters are read
again only after a commit (PRAGMA data_version on a connection of the probe's own), while flags,
which expire with time, are read every time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from akhbar.services import breaking
from akhbar.services.portal import DataVersion, data_version
from akhbar.store import Store
from akhbar.store import portal as queries
from akhbar.store.changes import ChangeProbe
from akhbar.store.tables import articles
from portal_fixtures import populate


def test_the_probe_sees_every_commit_of_other_connections(sqlite_store: Store, tmp_path: Path) -> None:
    probe = ChangeProbe(sqlite_store)
    assert probe.changed(), "the first look knows nothing yet"
    assert not probe.changed()
    with sqlite_store.reading() as connection:  # reads commit nothing
        connection.execute(sa.select(sa.func.count()).select_from(articles)).scalar()
    assert not probe.changed()
    populate(sqlite_store)
    assert probe.changed()
    assert not probe.changed()
    other = Store(sqlite_store.url)  # another process's store: its commits show too
    with other.transaction() as connection:
        connection.execute(sa.delete(articles).where(articles.c.id == 1))
    other.close()
    assert probe.changed() and not probe.changed()
    probe.close()
    assert probe.changed(), "closed: the next look opens a new connection and knows nothing"


def test_the_probe_cannot_watch_other_databases() -> None:
    memory = Store("sqlite://")
    probe = ChangeProbe(memory)
    assert not probe.watching and probe.changed() and probe.changed()
    memory.close()


@pytest.fixture
def statements(sqlite_store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    sa.event.listen(sqlite_store.engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(sqlite_store.engine, "before_cursor_execute", record)


def test_the_data_version_reads_the_counters_only_after_a_commit(
    sqlite_store: Store, statements: list[str]
) -> None:
    populate(sqlite_store)
    kept = DataVersion(sqlite_store)
    first = kept.read()
    assert first == data_version(sqlite_store), "the same version as a fresh read"
    statements.clear()
    assert kept.read() == first
    assert not [s for s in statements if "article_deletions" in s], "nothing committed: no counters"
    assert [s for s in statements if "breaking" in s.lower()], "flags expire: read every time"
    with sqlite_store.transaction() as connection:  # a deletion leaves the highest id alone
        connection.execute(sa.delete(articles).where(articles.c.id == 2))
    second = kept.read()
    assert second != first and second == data_version(sqlite_store)
    kept.close()


def test_an_expiring_flag_changes_the_version_without_a_commit(sqlite_store: Store) -> None:
    populate(sqlite_store)
    kept = DataVersion(sqlite_store)
    with sqlite_store.reading() as connection:
        article_id = int(connection.execute(sa.select(sa.func.min(articles.c.id))).scalar_one())
    until = datetime.now(UTC) + timedelta(seconds=1.5)
    breaking.flag_article(sqlite_store, article_id, until, story=False, note="t", created_by="t")
    flagged = kept.read()
    time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.2)
    assert kept.read() != flagged, "the flag ran out: the version moves with no commit"
    kept.close()


def test_every_deleted_article_is_counted(store: Store) -> None:
    """Migration 0024's trigger: the total rises by one for each article deleted, alone or several
    in one statement; updating articles leaves it alone; the version moves with it."""
    populate(store)

    def version() -> tuple[int, int, int]:
        with store.reading() as connection:
            return queries.articles_version(connection)

    first = version()
    assert first[0] == 0
    with store.transaction() as connection:
        ids = [int(i) for (i,) in connection.execute(sa.select(articles.c.id).order_by(articles.c.id))]
        connection.execute(sa.update(articles).where(articles.c.id.in_(ids[:3])).values(section="sport"))
    assert version() == first, "an update is no deletion"
    with store.transaction() as connection:
        connection.execute(sa.delete(articles).where(articles.c.id == ids[-1]))
    assert version()[:2] == (1, ids[-2]), "the highest id went with it"
    with store.transaction() as connection:
        connection.execute(sa.delete(articles).where(articles.c.id.in_(ids[:3])))
    assert version()[0] == 4


def test_the_article_counters_are_read_from_indexes_only(sqlite_store: Store) -> None:
    """No walk of a whole index (the count did that: 14 ms at 100k articles, ten times more at a million)."""
    populate(sqlite_store)
    sql = str(queries._ARTICLES_VERSION.compile(sqlite_store.engine, compile_kwargs={"literal_binds": True}))
    with sqlite_store.reading() as connection:
        plan = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    assert plan and not [step for step in plan if step.startswith("SCAN") and "CONSTANT ROW" not in step], (
        plan
    )
