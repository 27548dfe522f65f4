"""Both job runners run the same job code: in-process on SQLite, Procrastinate on the test PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from akhbar.jobs.distributed import ProcrastinateQueue, build_app, conninfo, ensure_schema, run_worker
from akhbar.jobs.inline import InlineRunner
from akhbar.jobs.tasks import schedule_due
from akhbar.services import sources as sources_service
from akhbar.services.fetching import DatabaseHostGate, open_runtime
from akhbar.services.stories import Grouping
from akhbar.store import Store, hosts
from akhbar.text.urls import canonical_url
from httpserver import FixtureServer
from test_sources_refresh import make_settings

_databases = iter(range(10_000))


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    running = FixtureServer().start()
    yield running
    running.stop()


def follow(store: Store, server: FixtureServer, *paths: str) -> None:
    outlines = "".join(f'<outline text="x" xmlUrl="{server.url(p).replace("&", "&amp;")}"/>' for p in paths)
    results = sources_service.import_opml(
        store, make_settings(store.url), f"<opml><body>{outlines}</body></opml>".encode()
    )
    assert all(r.status == "added" for r in results)


def pending_jobs(store: Store) -> int:
    query = (
        "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo' AND task_name <> 'akhbar.schedule_due'"
    )
    with store.reading() as connection:
        return int(connection.execute(sa.text(query)).scalar_one())


def article_count(store: Store) -> int:
    with store.reading() as connection:
        return int(connection.execute(sa.text("SELECT count(*) FROM articles")).scalar_one())


def test_inline_runner_refreshes_due_sources_and_fetches_their_pages(
    sqlite_store: Store, server: FixtureServer
) -> None:
    follow(sqlite_store, server, "/gen/rss?n=3&start=30", "/gen/json?n=2&start=40", "/html-feed")

    async def run() -> None:
        async with open_runtime(sqlite_store, make_settings(sqlite_store.url), Grouping()) as runtime:
            runner = InlineRunner(runtime, concurrency=3)
            assert await schedule_due(sqlite_store, runner) == 3
            assert await schedule_due(sqlite_store, runner) == 0, "claimed sources are not scheduled twice"
            outcomes = await runner.run_until_idle()
            assert sorted(r.status for r in outcomes.refreshes) == ["error", "ok", "ok"]
            assert len(outcomes.pages) == 5

    asyncio.run(run())
    assert article_count(sqlite_store) == 5


def test_a_feeds_pages_are_fetched_before_the_next_feed(sqlite_store: Store, server: FixtureServer) -> None:
    """The inline runner runs a queued page before a queued feed: after each feed come its pages,
    not every other feed first (one slot, so the order is the queue's)."""
    follow(sqlite_store, server, *(f"/gen/rss?n=2&start={start}" for start in (500, 510, 520)))
    server.times.clear()

    async def run() -> None:
        async with open_runtime(sqlite_store, make_settings(sqlite_store.url), Grouping()) as runtime:
            runner = InlineRunner(runtime, concurrency=1)
            assert await schedule_due(sqlite_store, runner) == 3
            outcomes = await runner.run_until_idle()
            assert len(outcomes.pages) == 6

    asyncio.run(run())
    asked = [path for path, _ in server.times if path.startswith(("/gen/", "/pages/"))]
    assert [path.startswith("/gen/") for path in asked] == [True, False, False] * 3, asked


def test_a_page_jobs_reads_are_made_on_the_loop_where_the_stores_reads_are_local(
    store: Store, server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page job reads whether an earlier run already recorded the page, and when the host's next
    turn comes. On a SQLite file those reads are made on the event loop (a hop to a thread and back
    costs more than they do); on PostgreSQL, a round trip to the server, in worker threads. A page
    recorded before is not fetched again."""
    from akhbar.jobs import tasks
    from akhbar.services import fetching
    from akhbar.services.refresh import PageJob
    from akhbar.store import seen

    follow(store, server, "/gen/rss?n=2&start=900")
    recorded, fresh = server.url("/pages/900"), server.url("/pages/901")
    with store.transaction() as connection:
        seen.mark_seen(connection, canonical_url(recorded), source_id=1, status="stored")
    hops: list[str] = []
    to_thread = asyncio.to_thread

    async def counted(work: Any, /, *args: Any, **kwargs: Any) -> Any:
        hops.append(work.__name__)
        return await to_thread(work, *args, **kwargs)

    monkeypatch.setattr(tasks.asyncio, "to_thread", counted)  # the module: fetching's is the same
    assert fetching.asyncio is tasks.asyncio
    server.hits.clear()

    async def run() -> list[tasks.IngestResult]:
        async with open_runtime(store, make_settings(store.url), Grouping()) as runtime:
            return [await tasks.run_page(runtime, PageJob(1, url), patience=5.0) for url in (recorded, fresh)]

    done, stored = asyncio.run(run())
    assert (done.status, done.reason) == ("unchanged", "recorded by an earlier run of this job")
    assert stored.status == "stored", stored
    assert (server.hits["/pages/900"], server.hits["/pages/901"]) == (0, 1)
    reads = [hop for hop in hops if hop in ("_already_done", "_next_turn")]
    assert reads == ([] if store.dialect == "sqlite" else ["_already_done", "_already_done", "_next_turn"]), (
        hops
    )
    assert {"_take", "_drop"} <= set(hops), "writes go to threads either way"


def test_pages_queued_by_a_process_that_died_are_fetched_after_the_next_refresh(
    sqlite_store: Store, server: FixtureServer
) -> None:
    """``akhbar serve`` restarted: pages its last refresh marked queued died with its in-memory
    queue. The next refresh of their source defers them again (they are listed, but known), and a
    page marked a moment ago (another process's job, e.g. ``akhbar refresh``) is left to it."""
    from akhbar.jobs.inline import LOST_AFTER
    from akhbar.store import seen
    from akhbar.store.tables import seen_urls

    follow(sqlite_store, server, "/gen/rss?n=3&start=80")
    urls = [canonical_url(server.url(f"/pages/{n}?utm_source=feed")) for n in (80, 81, 82)]
    now = datetime.now(UTC)
    with sqlite_store.transaction() as connection:
        for url, ago in zip(urls, (LOST_AFTER * 2, LOST_AFTER * 2, timedelta(minutes=1)), strict=True):
            seen.mark_seen(connection, url, source_id=1, status="queued")
            marked = seen_urls.update().where(seen_urls.c.url == url).values(seen_at=now - ago)
            connection.execute(marked)

    async def run() -> None:
        async with open_runtime(sqlite_store, make_settings(sqlite_store.url), Grouping()) as runtime:
            runner = InlineRunner(runtime, concurrency=2)
            assert await schedule_due(sqlite_store, runner) == 1
            outcomes = await runner.run_until_idle()
            assert sorted(p.status for p in outcomes.pages) == ["stored", "stored"]
            assert await runner.pending_urls(1) == set(), "every page job ended"

    asyncio.run(run())
    assert article_count(sqlite_store) == 2
    assert (server.hits["/pages/80"], server.hits["/pages/81"], server.hits["/pages/82"]) == (1, 1, 0)
    with sqlite_store.reading() as connection:
        assert [seen.find_seen(connection, url).status for url in urls] == ["stored", "stored", "queued"]  # type: ignore[union-attr]


def test_inline_runner_serves_until_stopped(sqlite_store: Store, server: FixtureServer) -> None:
    follow(sqlite_store, server, "/gen/rss?n=1&start=50")

    async def run() -> None:
        async with open_runtime(sqlite_store, make_settings(sqlite_store.url), Grouping()) as runtime:
            runner = InlineRunner(runtime, concurrency=2, keep_outcomes=False)
            stop = asyncio.Event()
            task = asyncio.create_task(runner.run_forever(stop, tick=0.1))
            for _ in range(100):
                await asyncio.sleep(0.1)
                if await asyncio.to_thread(article_count, sqlite_store) == 1:
                    break
            stop.set()
            await task

    asyncio.run(run())
    assert article_count(sqlite_store) == 1


@pytest.mark.postgres
def test_procrastinate_worker_runs_the_same_jobs(pg_store: Store, server: FixtureServer) -> None:
    follow(pg_store, server, "/gen/rss?n=3&start=60", "/truncated.xml")
    ensure_schema(pg_store.engine)
    ensure_schema(pg_store.engine)  # idempotent
    app = build_app(pg_store.url)

    async def run() -> None:
        async with open_runtime(pg_store, make_settings(pg_store.url), Grouping()) as runtime:
            async with app.open_async():
                queue = ProcrastinateQueue(app)
                assert await schedule_due(pg_store, queue) == 2
                await queue.defer_refresh(1)  # already queued: the queueing lock keeps one
            # wait=False stops once the queues look empty, possibly while a refresh is still
            # deferring its pages: run again until no akhbar job is left to do
            for _ in range(5):
                await run_worker(app, runtime, concurrency=2, wait=False)
                if not await asyncio.to_thread(pending_jobs, pg_store):
                    break

    asyncio.run(run())
    with pg_store.reading() as connection:
        jobs = connection.execute(sa.text("SELECT task_name, status FROM procrastinate_jobs")).all()
    assert article_count(pg_store) == 3, jobs
    broken = sources_service.show_source(pg_store, 2).source
    assert broken.last_status == "error" and "malformed XML" in (broken.last_error or "")
    # the periodic scheduler may have queued its next tick; every akhbar job ran and none failed
    periodic = ("akhbar.schedule_due", "akhbar.publish_scheduled")
    assert [job for job in jobs if job.status != "succeeded" and job.task_name not in periodic] == []
    assert {job.task_name for job in jobs} >= {"akhbar.refresh_source", "akhbar.fetch_page"}


def test_conninfo_needs_postgresql() -> None:
    assert conninfo("postgresql+psycopg://u:p@h:5/db") == "postgresql://u:p@h:5/db"
    from akhbar.errors import ConfigError

    with pytest.raises(ConfigError):
        conninfo("sqlite:///x.db")


@pytest.mark.slow
def test_host_delay_holds_across_processes_sharing_the_database(store: Store, server: FixtureServer) -> None:
    """Two independent gates (as two workers would have) on one database space requests to one host."""
    second = Store(store.url, create=False)
    delay = 0.25

    async def worker(gate_store: Store) -> None:
        gate = DatabaseHostGate(gate_store)
        for _ in range(3):
            await gate.wait_turn("polite.example", delay)
            server.times.append(("/polite", time.monotonic()))

    async def run() -> None:
        await asyncio.gather(worker(store), worker(second))

    try:
        started = len(server.times)
        asyncio.run(run())
    finally:
        second.close()
    times = sorted(t for path, t in server.times[started:] if path == "/polite")
    assert len(times) == 6
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= delay - 0.05, gaps


@pytest.mark.slow
@pytest.mark.parametrize("limit", [1, 2])
def test_host_concurrency_holds_across_processes_sharing_the_database(
    store: Store, server: FixtureServer, limit: int
) -> None:
    """Two fetchers with their own gates (two workers) never have more than ``limit`` requests in flight."""
    second = Store(store.url, create=False)
    settings = make_settings(store.url, fetch_host_concurrency=limit)
    server.state["slow-peak"] = 0

    async def worker(gate_store: Store, first: int) -> None:
        async with open_runtime(gate_store, settings, Grouping()) as runtime:
            urls = [server.url(f"/slow/{n}?wait=0.3") for n in range(first, first + 3)]
            await asyncio.gather(*(runtime.fetcher.fetch(url) for url in urls))

    async def run() -> None:
        await asyncio.gather(worker(store, 0), worker(second, 3))

    try:
        asyncio.run(run())
    finally:
        second.close()
    assert server.state["slow-peak"] == limit
    assert sum(server.hits[f"/slow/{n}"] for n in range(6)) >= 6


def test_host_slots_are_leased_released_and_expire(store: Store) -> None:
    with store.transaction() as connection:
        assert hosts.take_lease(connection, "h.example", 2, "a", 100.0, 160.0) == 0
        assert hosts.take_lease(connection, "h.example", 2, "b", 100.0, 160.0) == 1
        assert hosts.take_lease(connection, "h.example", 2, "c", 100.0, 160.0) is None
        hosts.drop_lease(connection, "h.example", 0, "not-the-holder")
        assert hosts.take_lease(connection, "h.example", 2, "c", 101.0, 161.0) is None
        hosts.drop_lease(connection, "h.example", 0, "a")
        assert hosts.take_lease(connection, "h.example", 2, "c", 101.0, 161.0) == 0
        assert hosts.take_lease(connection, "other.example", 1, "d", 101.0, 161.0) == 0
        assert hosts.take_lease(connection, "h.example", 2, "e", 170.0, 230.0) == 0, (
            "a dead holder's lease ran out"
        )
        assert hosts.take_lease(connection, "h.example", 3, "f", 171.0, 231.0) == 1, "b's ran out too"
        assert hosts.take_lease(connection, "h.example", 3, "g", 171.0, 231.0) == 2, "a limit raised"
        assert hosts.take_lease(connection, "h.example", 1, "h", 171.0, 231.0) is None, "a limit lowered"


def test_a_free_slot_of_a_host_asked_before_is_taken_in_one_statement(store: Store) -> None:
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    with store.transaction() as connection:
        assert hosts.take_lease(connection, "h.example", 4, "a", 100.0, 160.0) == 0
        sa.event.listen(store.engine, "before_cursor_execute", seen)
        try:
            assert hosts.take_lease(connection, "h.example", 4, "b", 100.0, 160.0) == 1
            assert len(statements) == 1, statements
            hosts.drop_lease(connection, "h.example", 0, "a")
            assert hosts.take_lease(connection, "h.example", 4, "c", 100.0, 160.0) == 0
            assert len(statements) == 3, statements
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", seen)


@pytest.mark.postgres
def test_a_refresh_defers_again_the_queued_pages_no_job_holds(pg_store: Store, server: FixtureServer) -> None:
    """A refresh cut off between marking its pages queued and deferring them: the next run of the
    refresh defers exactly the pages without a job, and a page already recorded is not fetched again."""
    from akhbar.jobs.tasks import requeue_lost_pages, run_page
    from akhbar.services.refresh import PageJob
    from akhbar.store import seen

    follow(pg_store, server, "/gen/rss?n=3&start=70")
    ensure_schema(pg_store.engine)
    app = build_app(pg_store.url)
    urls = [server.url(f"/pages/{n}?utm_source=feed") for n in (70, 71, 72)]
    canonical = [canonical_url(url) for url in urls]
    with pg_store.transaction() as connection:  # the refresh marked all three, deferred only the first
        for url in canonical:
            seen.mark_seen(connection, url, source_id=1, status="queued")

    async def run() -> tuple[int, int, set[str]]:
        settings = make_settings(pg_store.url)
        async with open_runtime(pg_store, settings, Grouping()) as runtime, app.open_async():
            queue = ProcrastinateQueue(app)
            await queue.defer_page(PageJob(1, urls[0]))
            again = await requeue_lost_pages(runtime, queue, 1)
            twice = await requeue_lost_pages(runtime, queue, 1)
            pending = await queue.pending_urls(1)
            first = await run_page(runtime, PageJob(1, urls[0]))
            assert first.status == "stored"
            hits = server.hits["/pages/70"]
            assert (await run_page(runtime, PageJob(1, urls[0]))).status == "unchanged"
            assert server.hits["/pages/70"] == hits, "a page already recorded is not fetched again"
            return again, twice, pending

    again, twice, pending = asyncio.run(run())
    assert (again, twice) == (2, 0)
    assert pending == set(canonical)


@pytest.mark.postgres
def test_the_stalled_job_sweep_retries_a_dead_workers_job(pg_store: Store) -> None:
    """A job left ``doing`` by a worker whose heartbeat stopped goes back to ``todo``; the sweep's
    own finished runs are pruned."""
    from akhbar.jobs.distributed import STALLED_AFTER, retry_stalled_jobs

    ensure_schema(pg_store.engine)
    app = build_app(pg_store.url)

    async def run() -> int:
        async with app.open_async():
            await ProcrastinateQueue(app).defer_refresh(7)
            worker = await app.job_manager.register_worker()
            job = await app.job_manager.fetch_job(queues=None, worker_id=worker)
            assert job is not None and job.task_name == "akhbar.refresh_source"
            assert await retry_stalled_jobs(app) == 0, "a live worker's job stays with it"
            stale = (
                f"UPDATE procrastinate_workers SET last_heartbeat = now() - interval '{STALLED_AFTER + 5} s'"
            )
            await app.connector.execute_query_async(stale)
            retried = await retry_stalled_jobs(app)
            await app.job_manager.delete_old_jobs(nb_hours=1, queue="maintenance")
            return retried

    assert asyncio.run(run()) == 1
    with pg_store.reading() as connection:
        status = connection.execute(sa.text("SELECT status, attempts FROM procrastinate_jobs")).one()
    assert tuple(status) == ("todo", 1)
