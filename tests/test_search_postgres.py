"""PostgreSQL search at scale: the RUM window index and its GIN fallback agree, bulk indexing builds the
RUM index once, and ``akhbar db advise`` reads the server it is pointed at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from akhbar.models import Article
from akhbar.search import Filters, QueryProblem, parse, postgres
from akhbar.search.query import Query
from akhbar.services import search
from akhbar.store import Store
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
    assert {postgres.NEWEST_RUM_INDEX, "search_fts_vector"} <= _indexes(pg_store)  # the test cluster has rum
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


def test_bulk_indexing_builds_the_rum_index_again_and_search_answers_meanwhile(pg_store: Store) -> None:
    with pg_store.transaction() as connection:
        ids = insert_articles(connection, [(f"pg:{n}", a) for n, a in enumerate(_articles())])
    seen_during: list[frozenset[str]] = []
    found_during: list[list[int]] = []

    def batches() -> Iterator[list[search.Pending]]:  # read as indexing runs
        seen_during.append(_indexes(pg_store))
        found_during.append(search.matching_ids(pg_store, "storm", limit=100))
        yield [(i, a, None) for i, a in zip(ids, _articles(), strict=True)]

    assert search.index_batches(pg_store, batches()) == len(ids)
    assert postgres.NEWEST_RUM_INDEX not in seen_during[0]  # dropped while rows are written
    assert found_during == [[]]  # nothing indexed yet, and the query still ran (on GIN)
    assert postgres.NEWEST_RUM_INDEX in _indexes(pg_store)
    storm = {i for n, i in enumerate(ids) if n % 4 == 3}
    assert set(search.matching_ids(pg_store, "storm", limit=100)) == storm


def test_without_rum_search_keeps_working_from_gin(pg_store: Store) -> None:
    ids = _loaded(pg_store)
    with pg_store.transaction() as connection:
        connection.execute(sa.text(f"DROP INDEX {postgres.NEWEST_RUM_INDEX}"))  # as if killed mid-reindex
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
