"""Bounded candidates (a common word ranks its newest matches only) and search over bulk-loaded articles."""

from __future__ import annotations

import sqlalchemy as sa

from akhbar.models import Article
from akhbar.search import Filters, QueryProblem, parse, postgres, sqlite
from akhbar.search.query import Query
from akhbar.services import search
from akhbar.store import Store
from akhbar.store.bulk import insert_articles

# The oldest article is by far the best text match; the others mention the harbour once each.
BEST = Article("Harbour harbour harbour", ("The harbour, the harbour and the harbour.",), language="en")
ORDINARY = [
    Article(f"Report {n}", (f"Ships waited near the harbour on day {n}.",), language="fr" if n % 2 else "en")
    for n in range(11)
]


def _loaded(store: Store) -> list[int]:
    with store.transaction() as connection:
        return search.bulk_load(connection, [(f"w:{n}", a) for n, a in enumerate([BEST, *ORDINARY])])


def _query(text: str) -> Query:
    parsed = parse(text)
    assert not isinstance(parsed, QueryProblem)
    return parsed


def test_bulk_loaded_articles_are_searchable_at_once(store: Store) -> None:
    ids = _loaded(store)
    assert search.matching_ids(store, "harbour", limit=1) == [ids[0]]
    results = search.search(store, "harbour", limit=20)
    assert not isinstance(results, QueryProblem)
    assert sorted(h.article_id for h in results.hits) == sorted(ids)


def test_bulk_loading_without_indexing_leaves_search_to_the_caller(store: Store) -> None:
    with store.transaction() as connection:
        ids = insert_articles(connection, [("w:alone", BEST)])
    assert search.matching_ids(store, "harbour") == []
    assert search.reindex(store) == len(ids)
    assert search.matching_ids(store, "harbour") == ids


def test_backends_rank_the_newest_window_of_matches(store: Store) -> None:
    ids = _loaded(store)
    backend = postgres if store.dialect == "postgresql" else sqlite
    harbour = _query("harbour")
    with store.reading() as connection:
        exact = backend.candidates(connection, harbour, Filters(), window=1000)
        newest = backend.candidates(connection, harbour, Filters(), window=5)
        french = backend.candidates(connection, harbour, Filters(language="fr"), window=3)
        few = backend.candidates(connection, harbour, Filters(), limit=2, window=5)
        raw_all = backend.raw_ids(connection, harbour, 3)
        raw_newest = backend.raw_ids(connection, harbour, 3, 5)
    assert exact[0].article_id == ids[0]  # fewer matches than the window: ranked over all of them
    assert len(exact) == len(ids)
    assert {c.article_id for c in newest} == set(ids[-5:])  # more: the newest five, ranked
    french_ids = [i for i, a in zip(ids, [BEST, *ORDINARY], strict=True) if a.language == "fr"]
    assert {c.article_id for c in french} == set(french_ids[-3:])  # filters apply while walking
    assert len(few) == 2
    assert {c.article_id for c in few} <= set(ids[-5:])
    assert raw_all[0] == ids[0]
    assert len(raw_newest) == 3
    assert set(raw_newest) <= set(ids[-5:])


def test_sqlite_index_merges_eight_segments_at_a_time(sqlite_store: Store) -> None:
    with sqlite_store.reading() as connection:
        found = connection.execute(sa.text("SELECT v FROM search_fts_config WHERE k = 'automerge'")).scalar()
    assert found == 8


def test_reindex_rebuilds_a_lost_index_in_batches(sqlite_store: Store) -> None:
    ids = _loaded(sqlite_store)
    with sqlite_store.transaction() as connection:
        connection.execute(sa.text("DELETE FROM search_documents"))
    assert search.matching_ids(sqlite_store, "harbour") == []
    seen: list[int] = []
    assert search.reindex(sqlite_store, batch=5, progress=seen.append) == len(ids)
    assert seen == [5, 10, 12]
    assert search.matching_ids(sqlite_store, "harbour", limit=1) == [ids[0]]


def test_reindex_writes_an_in_memory_database_from_its_own_thread() -> None:
    store = Store("sqlite:///:memory:")
    try:
        with store.transaction() as connection:
            ids = insert_articles(connection, [("w:memory", BEST)])
        assert search.reindex(store) == 1
        assert search.matching_ids(store, "harbour") == ids
    finally:
        store.close()


def test_sqlite_ranking_reads_the_covering_indexes_and_survives_the_migration(sqlite_store: Store) -> None:
    """The plain query reads each match's date, title terms and story from migration 0020's small
    indexes; a database loaded before it ranks the same once upgraded, stories changed since included."""
    from alembic import command

    from akhbar.store.engine import _alembic_config, upgrade

    ids = _loaded(sqlite_store)
    with sqlite_store.transaction() as connection:
        connection.execute(
            sa.text("UPDATE articles SET story_id = 7 WHERE id IN (:a, :b)"), {"a": ids[1], "b": ids[2]}
        )
    before = search.search(sqlite_store, "harbour", limit=20)
    with sqlite_store.reading() as connection:
        plan = " | ".join(
            str(row[-1])
            for row in connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {sqlite._PLAIN}", ("harbour", 1000, 100)
            )
        )
    assert "COVERING INDEX search_fts_rows" in plan and "COVERING INDEX search_fts_stories" in plan, plan
    with sqlite_store.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0019_pg_search")
    with sqlite_store.engine.connect() as connection:
        names = {
            row[0]
            for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
    assert not names & {"search_fts_rows", "search_fts_stories"}
    upgrade(sqlite_store.engine)
    after = search.search(sqlite_store, "harbour", limit=20)
    assert not isinstance(before, QueryProblem) and not isinstance(after, QueryProblem)
    assert after.to_json() == before.to_json()
    grouped = next(h for h in after.hits if h.story_id == 7)
    assert len(grouped.story_matches) == 1, "the story read through the index groups its two matches"
