"""A job does not wait for a busy host in its worker slot: it hands the job back to the queue, due at
the host's turn, and the slot fetches from another host meanwhile (issue 19: fleet scaling).

The turn is booked in the database only when the caller will wait for it, so a hand-back books
nothing; real SQLite and PostgreSQL, real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from akhbar.errors import HostBusy
from akhbar.fetch import Fetcher, FetchPolicy
from akhbar.jobs.distributed import ProcrastinateQueue, build_app, ensure_schema, run_worker
from akhbar.jobs.inline import InlineRunner
from akhbar.jobs.tasks import run_page
from akhbar.services.fetching import TURN_LEAD, DatabaseHostGate, open_runtime
from akhbar.services.refresh import PageJob
from akhbar.services.stories import Grouping
from akhbar.store import Store, hosts
from akhbar.text.urls import host_of
from httpserver import FixtureServer
from test_jobs import article_count, follow, pending_jobs
from test_sources_refresh import make_settings

DELAY = 1.0


@pytest.fixture
def servers() -> Iterator[tuple[FixtureServer, FixtureServer]]:
    """Two hosts (two ports) of their own: the politeness of each is counted from its own log."""
    first, second = FixtureServer().start(), FixtureServer().start()
    yield first, second
    first.stop()
    second.stop()


def test_a_turn_further_off_than_the_caller_waits_is_not_booked(store: Store) -> None:
    with store.transaction() as connection:
        assert hosts.next_turn(connection, "h.example") is None
        assert hosts.reserve_slot(connection, "h.example", 1.0, 100.0) == 100.0
        assert hosts.reserve_slot(connection, "h.example", 1.0, 100.2, latest=100.5) is None
        assert hosts.next_turn(connection, "h.example") == 101.0, "nothing was booked"
        assert hosts.reserve_slot(connection, "h.example", 1.0, 100.2, latest=101.0) == 101.0
        assert hosts.next_turn(connection, "h.example") == 102.0
        assert hosts.reserve_slot(connection, "new.example", 1.0, 50.0, latest=50.0) == 50.0
        assert hosts.reserve_slot(connection, "h.example", 1.0, 200.0, latest=200.0) == 200.0, "an idle host"


@pytest.mark.postgres
def test_a_first_booking_committed_by_another_worker_meanwhile_is_booked_after(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers' first requests to a new host: the second's UPDATE finds no row, then the first's
    booking is committed (PostgreSQL reads it at the next statement). The second books after it; it
    is not told the host is busy although it would wait for ever."""
    other = Store(pg_store.url, create=False)
    looked, raced = hosts.next_turn, []

    def first_worker_commits_then_look(connection: sa.Connection, host: str) -> float | None:
        if not raced:
            raced.append(host)
            with other.transaction() as theirs:
                assert hosts.reserve_slot(theirs, host, 1.0, 100.0) == 100.0
        return looked(connection, host)

    monkeypatch.setattr(hosts, "next_turn", first_worker_commits_then_look)
    try:
        with pg_store.transaction() as connection:
            assert hosts.reserve_slot(connection, "new.example", 1.0, 100.0) == 101.0
        with pg_store.transaction() as connection:
            assert hosts.reserve_slot(connection, "new.example", 1.0, 100.0, latest=101.5) is None
    finally:
        other.close()
    with pg_store.reading() as connection:
        assert looked(connection, "new.example") == 102.0


def test_the_gate_raises_host_busy_instead_of_waiting_past_its_patience(store: Store) -> None:
    gate, other = DatabaseHostGate(store), DatabaseHostGate(store)

    async def run() -> None:
        await gate.wait_turn("busy.example", DELAY)
        started = time.monotonic()
        with pytest.raises(HostBusy) as busy:
            await other.wait_turn("busy.example", DELAY, patience=0.2)
        assert time.monotonic() - started < 0.5, "it did not wait"
        with store.reading() as connection:
            turn = hosts.next_turn(connection, "busy.example")
        assert turn is not None and busy.value.retry_at == pytest.approx(turn - TURN_LEAD)
        assert busy.value.retry_at - time.time() > DELAY - 0.3
        async with gate.occupy("slots.example", 1, 30.0):
            with pytest.raises(HostBusy):
                async with other.occupy("slots.example", 1, 30.0, patience=0.2):
                    pytest.fail("the only slot is taken")
        async with other.occupy("slots.example", 1, 30.0, patience=0.2):
            pass  # given back: free again
        with pytest.raises(HostBusy):
            async with other.occupy("busy.example", 2, 30.0, patience=0.2):
                pytest.fail("a slot is free, but the turn is further off than the patience")
        with store.transaction() as connection:
            assert hosts.take_lease(connection, "busy.example", 1, "x", time.time(), time.time() + 5) == 0, (
                "no lease was taken for the job handed back"
            )

    asyncio.run(run())


def test_a_turn_missed_by_a_late_wake_up_moves_to_when_the_request_can_leave(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loop that wakes 0.3 s late (past TURN_LEAD) every time misses the turn it booked within
    its patience: nobody booked the host after it, so the turn moves to when the request can
    leave, instead of a new turn booked (missed again the same way, for ever) or HostBusy."""
    gate = DatabaseHostGate(store)
    slept = asyncio.sleep
    moves: list[tuple[float, float | None, float]] = []  # (called at, the turn moved to, returned at)
    move = gate._move

    def spied(host: str, slot: float, delay: float) -> float | None:
        called = time.time()
        moved = move(host, slot, delay)
        moves.append((called, moved, time.time()))
        return moved

    monkeypatch.setattr(gate, "_move", spied)

    async def late(seconds: float) -> None:
        await slept(seconds + 0.3)

    async def attempt(host: str) -> tuple[float, float | None]:
        first = await gate.wait_turn(host, DELAY)
        assert first is not None
        await slept(DELAY - 0.05)  # the next turn is now within the patience
        monkeypatch.setattr("akhbar.services.fetching.asyncio.sleep", late)
        try:
            return first, await asyncio.wait_for(gate.wait_turn(host, DELAY, patience=0.2), 10)
        finally:
            monkeypatch.setattr("akhbar.services.fetching.asyncio.sleep", slept)

    async def run() -> None:
        # the booking of the second turn must come back before that turn (0.15 s after the sleep
        # above) for the late wake-up to happen at all; on a loaded machine it sometimes comes back
        # after it, and that request simply leaves on time: such a try proves nothing, another is made
        for tries in range(1, 6):
            host = f"late-{tries}.example"
            first, depart_by = await attempt(host)
            if moves:
                break
        else:
            pytest.fail(
                "no turn was moved: the booking came back after the turn every time, or a late turn is not moved"
            )
        # the turn moved to the moment of the move (a wall-clock check after the return would time
        # the loaded machine's thread hop back, not the gate)
        called, moved, returned = moves[-1]
        assert depart_by is not None and moved is not None and depart_by == moved + TURN_LEAD
        assert called <= moved <= returned, "it leaves within its moved turn: the move's own moment"
        start = depart_by - TURN_LEAD
        assert start - (first - TURN_LEAD) >= DELAY + 0.3, "its turn moved to after the late wake-up"
        with store.reading() as connection:
            turn = hosts.next_turn(connection, host)
        assert turn == pytest.approx(start + DELAY + TURN_LEAD), "the next request is spaced from this one"

    asyncio.run(run())


def test_a_fetch_with_patience_sends_nothing_when_its_host_is_busy(
    sqlite_store: Store, servers: tuple[FixtureServer, FixtureServer]
) -> None:
    server = servers[0]
    settings = make_settings(sqlite_store.url, fetch_host_delay=DELAY)

    started: list[float] = []

    async def run() -> None:
        async with open_runtime(sqlite_store, settings, Grouping()) as runtime:
            started.append(time.monotonic())  # the first request's turn is booked after this
            await runtime.fetcher.fetch(server.url("/pages/1"))
            with pytest.raises(HostBusy) as busy:
                await runtime.fetcher.fetch(server.url("/pages/2"), patience=0.2)
            assert server.hits["/pages/2"] == 0
            # come back at the time HostBusy names, as a job runner does: the turn is within the
            # patience then, and a late wake-up moves it (nobody else books this host)
            await asyncio.sleep(max(0.0, busy.value.retry_at - time.time()))
            result = await runtime.fetcher.fetch(server.url("/pages/2"), patience=0.2)
            assert result.status == 200 and server.hits["/pages/2"] == 1

    asyncio.run(run())
    assert server.hits["/robots.txt"] == 1
    times = [t for path, t in server.times if path != "/robots.txt"]
    # the second request leaves a delay after the first one's turn, which comes after ``started``;
    # the first one's arrival may come later than its turn (robots.txt is read first: on a loaded
    # machine the two arrivals were 0.92 s apart for a delay of 1 s, with every turn kept)
    assert times[1] - started[0] >= DELAY - 0.01


class _LateOnce:
    """A host gate whose first turn has passed by the time it is given (a process that woke up
    late); the later ones leave plenty of time."""

    def __init__(self) -> None:
        self.turns = 0

    async def wait_turn(self, host: str, min_delay: float, patience: float | None = None) -> float | None:
        self.turns += 1
        return time.time() - 0.5 if self.turns == 1 else time.time() + 5.0

    def occupy(
        self, host: str, limit: int, lease: float, patience: float | None = None
    ) -> contextlib.AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()


def test_a_request_that_would_leave_after_its_turn_is_not_sent(
    servers: tuple[FixtureServer, FixtureServer],
) -> None:
    """The turn is checked on the wire: a request whose connection opened past its turn writes
    nothing (the host would see it closer than its delay to the next one) and waits for another."""
    server, gate = servers[0], _LateOnce()
    policy = FetchPolicy.from_settings(make_settings("sqlite://"))

    async def run() -> int:
        async with Fetcher(policy, gate=gate) as fetcher:
            return (await fetcher.fetch(server.url("/pages/3"))).status

    assert asyncio.run(run()) == 200
    assert (server.hits["/robots.txt"], server.hits["/pages/3"]) == (1, 1)
    assert gate.turns == 3, "robots.txt missed its first turn and took a second one"


@pytest.mark.postgres
def test_a_worker_fetches_from_another_host_while_a_busy_hosts_job_waits_in_the_queue(
    pg_store: Store,
    servers: tuple[FixtureServer, FixtureServer],
) -> None:
    """One worker, one job at a time: pages A1, A2 (one host) and B1 (another), queued in that order.
    A2's turn is seconds after A1's, so A2 goes back to the queue and B1 is fetched before it (in a
    slot held by A2 it would come after); every page ends stored once, the hand-back is no
    failure, and host A saw its delay. The delay is long enough for a slow first extraction."""
    a, b = servers
    ensure_schema(pg_store.engine)
    app = build_app(pg_store.url)
    delay = 3.0
    settings = make_settings(pg_store.url, fetch_host_delay=delay)
    urls = [a.url("/pages/11"), a.url("/pages/12"), b.url("/pages/13")]

    warm = FixtureServer().start()

    async def run() -> None:
        async with open_runtime(pg_store, settings, Grouping()) as runtime:
            # a first extraction loads its libraries (seconds on a busy machine): not while timed
            assert (await run_page(runtime, PageJob(None, warm.url("/pages/10")))).status == "stored"
            async with app.open_async():
                for url in urls:
                    await ProcrastinateQueue(app).defer_page(PageJob(None, url))
            await _work_until_done(app, runtime, pg_store)

    try:
        asyncio.run(run())
    finally:
        warm.stop()
    assert article_count(pg_store) == 4
    order = _first_requests(a, b)
    assert order.index("B /pages/13") < order.index("A /pages/12"), order
    with pg_store.reading() as connection:
        jobs = connection.execute(
            sa.text(
                "SELECT args->'job'->>'url' AS url, status, attempts FROM procrastinate_jobs "
                "WHERE task_name = 'akhbar.fetch_page' ORDER BY id"
            )
        ).all()
    assert [job.status for job in jobs] == ["succeeded"] * 3
    assert jobs[1].attempts >= 1, "A2 was handed back"
    assert host_of(urls[0]) != host_of(urls[2])
    page_times = sorted(t for path, t in a.times)
    assert min(b2 - b1 for b1, b2 in itertools.pairwise(page_times)) >= delay - 0.05


async def _work_until_done(app: Any, runtime: Any, store: Store, limit: float = 60) -> None:
    """One worker, one job at a time, run again until no job is left to do (or ``limit`` seconds)."""
    deadline = time.monotonic() + limit
    while await asyncio.to_thread(pending_jobs, store) and time.monotonic() < deadline:
        await run_worker(app, runtime, concurrency=1, wait=False)  # stops when nothing is due
        await asyncio.sleep(0.2)


def _first_requests(a: FixtureServer, b: FixtureServer) -> list[str]:
    tagged: list[tuple[float, Any]] = [(t, f"A {p}") for p, t in a.times] + [
        (t, f"B {p}") for p, t in b.times
    ]
    return [name for _, name in sorted(tagged)]


@pytest.mark.postgres
def test_pages_of_a_host_not_free_are_deferred_due_at_its_turns(pg_store: Store) -> None:
    """A refresh's pages wait in the queue, not in a slot: due at their host's next turns, spaced."""
    ensure_schema(pg_store.engine)
    app = build_app(pg_store.url)
    with pg_store.transaction() as connection:
        turn = hosts.reserve_slot(connection, "busy.example", 3.0, time.time()) or 0.0
    spacing = 1.5

    async def run() -> None:
        async with app.open_async():
            queue = ProcrastinateQueue(app, spacing=spacing)
            for url in ("http://busy.example/a", "http://busy.example/b", "http://idle.example/c"):
                await queue.defer_page(PageJob(None, url))

    asyncio.run(run())
    with pg_store.reading() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT args->'job'->>'url' AS url, extract(epoch FROM scheduled_at) AS due "
                "FROM procrastinate_jobs WHERE task_name = 'akhbar.fetch_page' ORDER BY id"
            )
        ).all()
    next_turn = turn + 3.0
    assert float(rows[0].due) == pytest.approx(next_turn - TURN_LEAD, abs=0.01)
    assert float(rows[1].due) == pytest.approx(next_turn - TURN_LEAD + spacing, abs=0.01)
    assert rows[2].due is None, "a host never booked: due now"


def test_the_embedded_runner_fetches_another_host_while_a_busy_hosts_page_waits(
    sqlite_store: Store, servers: tuple[FixtureServer, FixtureServer]
) -> None:
    """The SQLite runner (``akhbar serve``) hands jobs back as the PostgreSQL workers do: one slot,
    pages A1, A2, A3 (one host) and B1 (another) queued in that order. A2 and A3 wait outside the
    slot for their turns, so B1 is fetched before them; they come back one a turn, each page is
    stored once, and host A saw its delay between requests."""
    a, b = servers
    delay = 2.0
    settings = make_settings(sqlite_store.url, fetch_host_delay=delay)
    urls = [a.url("/pages/21"), a.url("/pages/22"), a.url("/pages/23"), b.url("/pages/24")]
    warm = FixtureServer().start()

    async def run() -> int:
        async with open_runtime(sqlite_store, settings, Grouping()) as runtime:
            # a first extraction loads its libraries (seconds on a busy machine): not while timed
            assert (await run_page(runtime, PageJob(None, warm.url("/pages/20")))).status == "stored"
            runner = InlineRunner(runtime, concurrency=1)
            for url in urls:
                await runner.defer_page(PageJob(None, url))
            outcomes = await runner.run_until_idle()
            assert sorted(p.status for p in outcomes.pages) == ["stored"] * 4
            return runner.hand_backs

    try:
        hand_backs = asyncio.run(run())
    finally:
        warm.stop()
    assert article_count(sqlite_store) == 5
    order = _first_requests(a, b)
    assert order.index("B /pages/24") < order.index("A /pages/22"), order
    # A2 and A3 come back once or twice each (on a slow machine a page back for its turn can find
    # the host's request before it still under way): a few times, not again and again
    assert 2 <= hand_backs <= 6, "A2 and A3 each came back a few times, not again and again"
    page_times = sorted(t for path, t in a.times if path.startswith("/pages/"))
    assert len(page_times) == 3
    assert min(t2 - t1 for t1, t2 in itertools.pairwise(page_times)) >= delay - 0.05


def test_a_failing_page_waits_for_its_retry_outside_the_slot(
    sqlite_store: Store, servers: tuple[FixtureServer, FixtureServer]
) -> None:
    """One slot: a page of host A answers 503 twice before it works, then a page of host B is queued.
    Each retry of A's page comes back after its backoff instead of sleeping in the slot, so B's page
    is fetched between A's tries; A's page is stored once, after three requests."""
    a, b = servers
    settings = make_settings(sqlite_store.url, fetch_host_delay=0, fetch_backoff=0.5, fetch_retries=3)
    failing, other = a.url("/recovers/41?fails=2"), b.url("/pages/42")
    warm = FixtureServer().start()

    async def run() -> int:
        async with open_runtime(sqlite_store, settings, Grouping()) as runtime:
            assert (await run_page(runtime, PageJob(None, warm.url("/pages/40")))).status == "stored"
            runner = InlineRunner(runtime, concurrency=1)
            await runner.defer_page(PageJob(None, failing))
            await runner.defer_page(PageJob(None, other))
            outcomes = await runner.run_until_idle()
            assert sorted(p.status for p in outcomes.pages) == ["stored", "stored"], outcomes.pages
            return runner.hand_backs

    try:
        hand_backs = asyncio.run(run())
    finally:
        warm.stop()
    assert hand_backs == 2
    assert a.hits["/recovers/41"] == 3
    a_times = sorted(t for path, t in a.times if path == "/recovers/41")
    b_time = next(t for path, t in b.times if path == "/pages/42")
    assert len(a_times) == 3 and a_times[0] < b_time < a_times[1], "B was fetched during A's first backoff"
    assert article_count(sqlite_store) == 3


def test_a_failing_feed_waits_for_its_retry_outside_the_slot(
    sqlite_store: Store, servers: tuple[FixtureServer, FixtureServer]
) -> None:
    """The same for a refresh: host A's feed answers 503 twice; its refresh comes back after each
    backoff, with its tries, while host B's page is fetched in the slot; the third request answers
    and the refresh is recorded once, as no failure of the feed's host."""
    a, b = servers
    settings = make_settings(sqlite_store.url, fetch_host_delay=0, fetch_backoff=0.5, fetch_retries=3)
    follow(sqlite_store, a, "/recovers/51?fails=2")
    with sqlite_store.reading() as connection:
        (source_id,) = connection.execute(sa.text("SELECT id FROM sources")).scalars()

    async def run() -> tuple[int, list[str]]:
        async with open_runtime(sqlite_store, settings, Grouping()) as runtime:
            runner = InlineRunner(runtime, concurrency=1)
            await runner.defer_refresh(source_id)
            running = asyncio.create_task(runner.run_until_idle())
            while not runner.hand_backs:  # B's page comes once the feed waits (a page queued
                await asyncio.sleep(0.01)  # beside it would run first: pages before feeds)
            await runner.defer_page(PageJob(None, b.url("/pages/52")))
            outcomes = await running
            return runner.hand_backs, [r.reason or "" for r in outcomes.refreshes]

    hand_backs, reasons = asyncio.run(run())
    assert hand_backs == 2 and len(reasons) == 1
    assert "503" not in reasons[0], reasons
    a_times = sorted(t for path, t in a.times if path == "/recovers/51")
    b_time = next(t for path, t in b.times if path == "/pages/52")
    assert len(a_times) == 3 and a_times[0] < b_time < a_times[1], "B was fetched during the feed's backoff"


@pytest.mark.postgres
def test_a_worker_defers_a_failing_pages_retry_as_a_job_of_its_own(
    pg_store: Store, servers: tuple[FixtureServer, FixtureServer]
) -> None:
    """On PostgreSQL a page that answers 503 twice is tried by three jobs, each succeeded, the later
    ones due after their backoff and carrying the tries; the page is stored once."""
    a, _ = servers
    ensure_schema(pg_store.engine)
    app = build_app(pg_store.url)
    settings = make_settings(pg_store.url, fetch_host_delay=0, fetch_backoff=0.5, fetch_retries=3)
    url = a.url("/recovers/61?fails=2")

    async def run() -> None:
        async with open_runtime(pg_store, settings, Grouping()) as runtime:
            async with app.open_async():
                await ProcrastinateQueue(app).defer_page(PageJob(None, url))
            await _work_until_done(app, runtime, pg_store)

    asyncio.run(run())
    assert article_count(pg_store) == 1
    assert a.hits["/recovers/61"] == 3
    with pg_store.reading() as connection:
        jobs = connection.execute(
            sa.text(
                "SELECT status, coalesce((args->'job'->>'tries')::int, 0) AS tries FROM procrastinate_jobs "
                "WHERE task_name = 'akhbar.fetch_page' ORDER BY id"
            )
        ).all()
    assert [(job.status, job.tries) for job in jobs] == [("succeeded", 0), ("succeeded", 1), ("succeeded", 2)]
