"""PostgreSQL search at scale: the RUM window index and the GIN plan agree, a rebuild swaps in a new table
without losing live writes, and ``akhbar db advise`` reads the server it is pointed at."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from akhbar.errors import StoreError
from akhbar.models import Article
from akhbar.search import Filters, QueryProblem, parse, postgres, shadow
from akhbar.search.index import document_row
from akhbar.search.query import Query
from akhbar.services import search
from akhbar.store import Store, tables
from akhbar.store.advice import GB, advised, check
from akhbar.store.bulk import insert_articles
from cli_runner import run

pytestmark = pytest.mark.postgres

WORDS = ["harbour", "budget", "election", "storm"]


def _articles() -> list[Article]:
    """60 articles: a word per article in turn, harbour in every third, French and English mixed."""
    found = []
    for n in range(60):
        body = f"The {WORDS[n % 4]} of day {n} was discussed." + (
            " The harbour waited." if n % 3 == 0 else ""
        )
        repeat = " harbour harbour" if n in (2, 55) else ""
        found.append(Article(f"Report {n}{repeat}", (body,), language="fr" if n % 2 else "en"))
    return found


def _query(text: str) -> Query:
    parsed = parse(text)
    assert not isinstance(parsed, QueryProblem)
    return parsed


def _indexes(store: Store) -> frozenset[str]:
    with store.reading() as connection:
        return postgres.indexes(connection)


def _loaded(store: Store) -> list[int]:
    with store.transaction() as connection:
        return search.bulk_load(connection, [(f"pg:{n}", a) for n, a in enumerate(_articles())])


def test_the_rum_index_and_the_gin_fallback_rank_the_same_window(pg_store: Store) -> None:
    ids = _loaded(pg_store)
    assert postgres.NEWEST_RUM_INDEX in _indexes(pg_store)  # the test cluster has rum
    assert shadow.GIN_INDEX not in _indexes(pg_store)  # RUM alone answers (migration 0023)
    cases = [
        ("harbour", Filters(), 7),
        ("harbour", Filters(language="fr"), 4),
        ("harbour OR storm", Filters(), 9),
        ("budget -harbour", Filters(), 5),
        ('"harbour waited"', Filters(language="en"), 3),
    ]
    for text, filters, window in cases:
        with pg_store.reading() as connection:
            rum = postgres.candidates(connection, _query(text), filters, window=window, rum=True)
            gin = postgres.candidates(connection, _query(text), filters, window=window, rum=False)
        assert [(c.article_id, round(c.relevance, 6)) for c in rum] == [
            (c.article_id, round(c.relevance, 6)) for c in gin
        ], text
        assert len(rum) == window  # every case has more matches than its window
    with pg_store.reading() as connection:
        newest = postgres.candidates(connection, _query("harbour"), Filters(), window=7, rum=True)
        raw = postgres.raw_ids(connection, _query("harbour"), 3, 7)
    harbour = [i for n, i in enumerate(ids) if n % 4 == 0 or n % 3 == 0 or n in (2, 55)]
    assert {c.article_id for c in newest} == set(harbour[-7:])  # the newest seven, ranked
    assert newest[0].article_id == ids[55]  # the best text match among them comes first
    assert raw[0] == ids[55] and set(raw) <= set(harbour[-7:])


def test_a_rebuild_swaps_in_a_new_table_keeping_live_writes_and_search_answering(pg_store: Store) -> None:
    with pg_store.transaction() as connection:
        ids = insert_articles(connection, [(f"pg:{n}", a) for n, a in enumerate(_articles())])
    search.rebuild(pg_store, [[(i, a, None) for i, a in zip(ids, _articles(), strict=True)]])
    with pg_store.transaction() as connection:
        table = connection.execute(sa.text("SELECT 'search_documents'::regclass::oid")).scalar()
    storm = {i for n, i in enumerate(ids) if n % 4 == 3}
    seen_during: list[frozenset[str]] = []
    found_during: list[set[int]] = []
    late = Article("Tempest in the harbour", ("A late storm report.",), language="en")

    def batches() -> Iterator[list[search.Pending]]:  # live ingest and readers go on meanwhile
        yield [(i, a, None) for i, a in list(zip(ids, _articles(), strict=True))[:30]]
        seen_during.append(_indexes(pg_store))
        found_during.append(set(search.matching_ids(pg_store, "storm", limit=100)))
        with pg_store.transaction() as connection:
            [late_id] = insert_articles(connection, [("pg:late", late)])
            search.index_article(connection, late_id, late, None)  # a new article, indexed live
            search.index_article(connection, ids[0], Article("Cyclone news", ("x",), language="en"), None)
            connection.execute(sa.delete(tables.articles).where(tables.articles.c.id.in_([ids[5], ids[40]])))
        yield [(i, a, None) for i, a in list(zip(ids, _articles(), strict=True))[30:]]  # ids[40] is gone

    assert search.rebuild(pg_store, batches()) == len(ids)
    assert seen_during == [{postgres.NEWEST_RUM_INDEX, postgres.TRIGRAM_INDEX, "pk_search_documents"}]
    assert found_during == [storm]  # the live table answered, through its RUM index
    with pg_store.reading() as connection:
        assert connection.execute(sa.text("SELECT 'search_documents'::regclass::oid")).scalar() != table
        rows = dict(connection.execute(sa.select(tables.search_documents.c.article_id, sa.literal(1))).all())
        assert sa.inspect(connection).get_table_names().count(shadow.SHADOW) == 0
    assert len(rows) == len(ids) - 2 + 1 and ids[5] not in rows and ids[40] not in rows
    assert search.matching_ids(pg_store, "cyclone") == [ids[0]]  # the live row, newer than the rebuilt one
    assert search.matching_ids(pg_store, "tempest") == [max(rows)]
    assert set(search.matching_ids(pg_store, "storm", limit=100)) == (storm - {ids[5]}) | {max(rows)}
    assert postgres.NEWEST_RUM_INDEX in _indexes(pg_store)


def test_a_failed_rebuild_leaves_the_live_index_and_a_killed_one_is_cleaned_up(pg_store: Store) -> None:
    ids = _loaded(pg_store)
    election = {i for n, i in enumerate(ids) if n % 4 == 2}

    def failing() -> Iterator[list[search.Pending]]:
        yield [(ids[0], _articles()[0], None)]
        raise RuntimeError("the source of articles went away")

    with pytest.raises(RuntimeError, match="went away"):
        search.rebuild(pg_store, failing())
    with pg_store.transaction() as connection:
        assert not sa.inspect(connection).has_table(shadow.SHADOW)
        shadow.begin(connection)  # as a rebuild killed half-way leaves it
        shadow.write(connection, [document_row(ids[1], _articles()[1], None)])
    assert set(search.matching_ids(pg_store, "election", limit=50)) == election
    assert search.reindex(pg_store) == len(ids)  # starts by dropping the leftover
    assert set(search.matching_ids(pg_store, "election", limit=50)) == election


def test_without_rum_search_keeps_working_and_a_rebuild_makes_gin_the_index(pg_store: Store) -> None:
    ids = _loaded(pg_store)
    with pg_store.transaction() as connection:
        connection.execute(sa.text(f"DROP INDEX {postgres.NEWEST_RUM_INDEX}"))  # as if lost: a table scan
    results = search.search(pg_store, "election", limit=50)
    assert not isinstance(results, QueryProblem)
    election = {i for n, i in enumerate(ids) if n % 4 == 2}
    assert {h.article_id for h in results.hits} == election
    assert search.reindex(pg_store) == len(ids)
    assert postgres.NEWEST_RUM_INDEX in _indexes(pg_store)  # the extension is there: built again
    with pg_store.transaction() as connection:
        connection.execute(sa.text("DROP EXTENSION rum CASCADE"))  # a server without rum
    assert search.reindex(pg_store) == len(ids)
    assert postgres.NEWEST_RUM_INDEX not in _indexes(pg_store)
    assert shadow.GIN_INDEX in _indexes(pg_store)  # the rebuilt table's index without rum
    assert set(search.matching_ids(pg_store, "election", limit=50)) == election


def test_advice_is_checked_against_the_server(pg_store: Store, tmp_path: Path) -> None:
    settings = {a.name: a.value for a in advised(GB, 2)}
    assert settings["jit"] == "off" and settings["shared_buffers"] == "256MB"
    with pg_store.reading() as connection:
        found = {c.name: c for c in check(connection, GB, 2)}
    assert found["jit"].ok and found["work_mem"].ok  # the test cluster starts with the advice
    assert found["search window index (rum)"].ok
    assert not check_ok_for_more_memory(pg_store)
    shown = run(
        "db",
        "advise",
        "--memory-gb",
        "16",
        "--cores",
        "8",
        data_dir=tmp_path,
        env={"AKHBAR_DATABASE_URL": str(pg_store.engine.url.render_as_string(hide_password=False))},
    )
    assert shown.code == 0, shown.err
    assert "shared_buffers = '4GB'" in shown.out
    assert "max_parallel_workers_per_gather = '2'" in shown.out
    assert "search window index (rum)" in shown.out and "present" in shown.out
    assert "advised 4GB" in shown.out  # the test cluster's 256MB of buffers is short of a 16 GB server's


def check_ok_for_more_memory(store: Store) -> bool:
    with store.reading() as connection:
        return all(c.ok for c in check(connection, 16 * GB, 8))


def test_migration_0023_leaves_rum_alone_and_its_downgrade_brings_gin_back(pg_store: Store) -> None:
    from alembic import command

    from akhbar.store.engine import _alembic_config, upgrade

    _loaded(pg_store)
    before = search.search(pg_store, "harbour", limit=20)
    with pg_store.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0020_search_fields")
    assert {shadow.GIN_INDEX, postgres.NEWEST_RUM_INDEX} <= _indexes(pg_store)
    upgrade(pg_store.engine)
    assert shadow.GIN_INDEX not in _indexes(pg_store) and postgres.NEWEST_RUM_INDEX in _indexes(pg_store)
    after = search.search(pg_store, "harbour", limit=20)
    assert not isinstance(before, QueryProblem) and not isinstance(after, QueryProblem)
    assert after.to_json() == before.to_json() and len(after.hits) == 20


def test_search_reads_the_story_of_its_candidates_from_the_covering_index(pg_store: Store) -> None:
    _loaded(pg_store)
    with pg_store.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE articles")
    statements: list[tuple[str, object]] = []

    def seen(conn: object, cursor: object, statement: str, parameters: object, *_: object) -> None:
        if "ts_rank" in statement:
            statements.append((statement, parameters))

    sa.event.listen(pg_store.engine, "before_cursor_execute", seen)
    try:
        with pg_store.reading() as connection:
            found = postgres.candidates(connection, _query("harbour"), Filters())
    finally:
        sa.event.remove(pg_store.engine, "before_cursor_execute", seen)
    assert len(found) == 32 and len(statements) == 1
    statement, parameters = statements[0]
    with pg_store.reading() as connection:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # 60 rows: a scan would do
        plan = "\n".join(str(r[0]) for r in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
    assert "Index Only Scan using search_fts_stories on articles" in plan, plan


def test_the_plain_query_text_and_the_built_query_find_the_same(pg_store: Store) -> None:
    dated = [dataclasses.replace(a, published=f"2025-01-{n % 28 + 1:02d}") for n, a in enumerate(_articles())]
    with pg_store.transaction() as connection:
        search.bulk_load(connection, [(f"pg:{n}", a) for n, a in enumerate(dated)])
    for text in ("harbour", "harbour OR storm", "budget -harbour"):
        for rum in (True, False):
            with pg_store.reading() as connection:
                plain = postgres.candidates(connection, _query(text), Filters(), 3, 7, rum=rum)
                since = Filters(since=date(2024, 12, 31))  # every article is newer: the same, filtered
                built = postgres.candidates(connection, _query(text), since, 3, 7, rum=rum)
            assert len(plain) == 3 and sorted(plain, key=repr) == sorted(built, key=repr), text


def test_the_reindex_command_rebuilds_a_postgresql_index(pg_store: Store, tmp_path: Path) -> None:
    ids = _loaded(pg_store)
    with pg_store.transaction() as connection:
        connection.execute(sa.delete(tables.search_documents))  # as if lost
    assert search.matching_ids(pg_store, "storm", limit=100) == []
    url = pg_store.engine.url.render_as_string(hide_password=False)
    shown = run("search", "reindex", data_dir=tmp_path, env={"AKHBAR_DATABASE_URL": url})
    assert shown.code == 0, shown.err
    assert f"reindexed {len(ids)} articles" in shown.out
    assert set(search.matching_ids(pg_store, "storm", limit=100)) == {
        i for n, i in enumerate(ids) if n % 4 == 3
    }
    assert postgres.NEWEST_RUM_INDEX in _indexes(pg_store)


def test_a_second_rebuild_is_refused_while_one_runs(pg_store: Store, tmp_path: Path) -> None:
    ids = _loaded(pg_store)
    refused: list[str] = []
    url = pg_store.engine.url.render_as_string(hide_password=False)

    def batches() -> Iterator[list[search.Pending]]:
        yield [(i, a, None) for i, a in zip(ids, _articles(), strict=True)][:30]
        with pytest.raises(StoreError, match="already running") as second:
            search.rebuild(pg_store, iter([]))
        refused.append(str(second.value))
        shown = run("search", "reindex", data_dir=tmp_path, env={"AKHBAR_DATABASE_URL": url})
        refused.append(f"{shown.code} {shown.err}")
        yield [(i, a, None) for i, a in zip(ids, _articles(), strict=True)][30:]

    assert search.rebuild(pg_store, batches()) == len(ids)
    assert refused[0] == "store: a search reindex is already running on this database"
    assert refused[1].startswith("1 ") and "already running" in refused[1], refused[1]
    storm = {i for n, i in enumerate(ids) if n % 4 == 3}
    assert set(search.matching_ids(pg_store, "storm", limit=100)) == storm  # the first one finished
    assert search.reindex(pg_store) == len(ids)  # and let go of the lock
