"""``akhbar bench fleet``: many sources polled by 1, 2 and 4 ``akhbar worker`` processes on one PostgreSQL.

The loopback web (akhbar.bench.fleetsite) serves 10,000 feeds on a few hundred hosts with latency,
slow and failing hosts. For each number of workers the database is emptied, the feeds followed
(the OPML import path), and the workers started as operators start them (``akhbar worker``, the
default settings: host delay, host concurrency and worker concurrency). The bench then plays the
scheduler: it claims due sources and defers their refreshes (the code of the periodic task) as
the refresh queue drains, so workers always have feeds and pages to fetch, as a fleet in steady
state does. After a warm-up, pages/s are counted from the server's own log over a fixed window.

Checked after each run, from the server's log: requests in flight per host never above
``fetch_host_concurrency``, two requests to one host never started closer than
``fetch_host_delay``; from the database: no page URL stored as two articles, no page lost (marked
``queued`` by a refresh while no page job, waiting, handed back or running, holds it); each
worker's memory (its process tree: the embedding model's child included) sampled throughout.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from akhbar.bench.fleetchecks import GAP_TOLERANCE, lost_pages, politeness, refetched, stored
from akhbar.bench.fleetsite import Plan, SiteHandle, serving
from akhbar.bench.ingestsite import corpus
from akhbar.bench.report import PeakTreeMemory, Target, tree_cpu_seconds
from akhbar.config import load_settings
from akhbar.store import Store, tables

SCHEDULE_EVERY = 0.5  # seconds between two scheduler ticks of the bench
_MARKER = "akhbar_bench_fleet"  # a table naming a database the bench may empty


@dataclass(frozen=True)
class FleetRun:
    workers: int
    stories: bool
    seconds: float  # the measured window
    pages_per_second: float  # pages answered 200 per second in the window
    requests_per_second: float  # every request (feeds, pages, robots, failures) per second
    worker_peak_mb: tuple[float, ...]  # each worker's process tree, highest seen
    articles: int
    duplicate_articles: int  # page URLs stored as more than one article
    lost_pages: int  # pages marked queued that no page job holds any more (never to be fetched)
    refetched_pages: int  # page URLs answered 200 more than once (fetched again needlessly)
    politeness_violations: int
    max_in_flight: int  # most requests in flight at one host
    min_gap: float  # shortest time between two request starts at one host (seconds)
    examples: tuple[str, ...]  # the first violations, in words
    site_lag: float  # the site's event loop woke up at most this late: logged times are this rough
    worker_cores: float  # the workers' CPU seconds per second of the window (cores kept busy)
    site_strict_violations: int  # gaps short of the delay by more than GAP_TOLERANCE, lag or not


@dataclass(frozen=True)
class FleetBench:
    sources: int
    hosts: int
    host_delay: float
    host_concurrency: int
    worker_concurrency: int
    runs: tuple[FleetRun, ...]
    latency_scale: float = 1.0
    extract_processes: int = 0  # each worker's extraction processes

    def run(self, workers: int, stories: bool) -> FleetRun | None:
        return next((r for r in self.runs if r.workers == workers and r.stories == stories), None)

    def targets(self) -> list[Target]:
        found = []
        one, four = self.run(1, False), self.run(4, False)
        if one and four:
            found.append(Target("4 workers / 1 worker, pages/s", _ratio(four, one), 3.0))
        one_on, two_on = self.run(1, True), self.run(2, True)
        if one_on and two_on:
            found.append(Target("2 workers / 1 worker, pages/s, stories on", _ratio(two_on, one_on), 1.5))
            extra = sum(two_on.worker_peak_mb) - sum(one_on.worker_peak_mb)
            found.append(
                Target("memory per extra worker, stories on", extra, 300.0, " MB", higher_is_better=False)
            )
        violations = sum(r.politeness_violations for r in self.runs)
        found.append(Target("politeness violations", violations, 1, higher_is_better=False))
        duplicates = sum(r.duplicate_articles for r in self.runs)
        found.append(Target("duplicate articles", duplicates, 1, higher_is_better=False))
        lost = sum(r.lost_pages for r in self.runs)
        found.append(Target("lost pages", lost, 1, higher_is_better=False))
        return found


def _ratio(many: FleetRun, one: FleetRun) -> float:
    return many.pages_per_second / one.pages_per_second if one.pages_per_second else float("nan")


def _reset(url: str) -> None:
    """Empty the bench database (only one that is empty or that this bench filled before)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            if tables and _MARKER not in tables:
                raise ValueError(
                    f"bench fleet: {engine.url.database} holds tables the bench did not make: "
                    "give an empty database"
                )
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
            connection.execute(sa.text(f"CREATE TABLE {_MARKER} (made_at timestamptz DEFAULT now())"))
    finally:
        engine.dispose()


def _follow(url: str, site: SiteHandle, sources: int) -> None:
    """akhbar's schema, Procrastinate's, and the sources, held back (the bench makes them due as the
    queue drains: the workers' own periodic scheduler would defer all of them at its first tick,
    and pages found would wait behind them). Written in one transaction: following 10,000 feeds
    one by one (``akhbar sources import``) takes minutes on a busy machine, and is not measured."""
    from akhbar.jobs import distributed

    store = Store(url)  # creates akhbar's schema
    try:
        distributed.ensure_schema(store.engine)
        settings = load_settings({"database_url": url}, environ={}, config_file=Path(os.devnull))
        now = datetime.now(UTC)
        rows = [
            {
                "url": site.feed_url(n),
                "kind": "feed",
                "name": f"Site {n}",
                "created_at": now,
                "poll_interval": settings.poll_interval,
                "next_poll_at": now + timedelta(days=30),
            }
            for n in range(sources)
        ]
        with store.transaction() as connection:
            connection.execute(sa.insert(tables.sources), rows)
    finally:
        store.close()


def _environment(url: str, stories: bool, extract_processes: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
    env.update(
        AKHBAR_DATABASE_URL=url,
        AKHBAR_FETCH_ALLOW_NETWORKS="127.0.0.0/8",  # the fleet's loopback hosts only
        AKHBAR_STORIES="on" if stories else "off",
        AKHBAR_EXTRACT_PROCESSES=str(extract_processes),
        AKHBAR_CONFIG=os.devnull,
    )
    return env


class _Scheduler:
    """The periodic scheduler's work, done by the bench: claim due sources, defer their refresh,
    keeping ``backlog`` refreshes waiting so the workers never run dry of feeds."""

    def __init__(self, url: str, backlog: int) -> None:
        from akhbar.jobs import distributed

        self.store = Store(url)
        self.app = distributed.build_app(url)
        self.queue = distributed.ProcrastinateQueue(self.app)
        self.backlog = backlog

    def _waiting(self) -> int:
        sql = (  # due now: one handed back for a busy host waits for its turn, it is not work to do
            "SELECT count(*) FROM procrastinate_jobs WHERE queue_name = 'refresh' AND status = 'todo' "
            "AND (scheduled_at IS NULL OR scheduled_at <= now())"
        )
        with self.store.reading() as connection:
            return int(connection.execute(sa.text(sql)).scalar() or 0)

    def _release(self, count: int) -> None:
        """Make the next ``count`` held sources due (see :func:`_follow`)."""
        sql = (
            "UPDATE sources SET next_poll_at = now() WHERE id IN (SELECT id FROM sources "
            "WHERE next_poll_at > now() + interval '1 day' ORDER BY id LIMIT :n)"
        )
        with self.store.transaction() as connection:
            connection.execute(sa.text(sql), {"n": count})

    async def tick(self) -> int:
        from akhbar.jobs.tasks import schedule_due

        room = self.backlog - self._waiting()
        if room <= 0:
            return 0
        self._release(room)
        return await schedule_due(self.store, self.queue, limit=room)

    def close(self) -> None:
        self.store.close()


def _run_workers(
    url: str, workers: int, stories: bool, shape: Shape, warmup: float, backlog: int
) -> tuple[list[float], float, float, float]:
    """Start the workers, schedule for warm-up + window, stop them; (peak MB each, window start, end,
    the workers' CPU seconds in the window)."""
    import asyncio

    env = _environment(url, stories, shape.extract_processes)
    command = [sys.executable, "-m", "akhbar", "worker"]
    scratch = Path(tempfile.mkdtemp(prefix="akhbar-fleet-"))
    logs = [scratch / f"worker{n}.log" for n in range(workers)]
    processes = [_start_worker(command, env, log) for log in logs]
    memories = [PeakTreeMemory(p.pid) for p in processes]
    scheduler = _Scheduler(url, backlog)

    async def schedule_until(end: float) -> None:
        async with scheduler.app.open_async():
            while time.time() < end:
                await scheduler.tick()
                await asyncio.sleep(SCHEDULE_EVERY)

    try:
        with ExitStack() as watching:
            for memory in memories:
                watching.enter_context(memory.watching())
            _wait_ready(processes, logs)
            started = time.time() + warmup
            ended = started + shape.seconds
            asyncio.run(schedule_until(started))
            cpu = sum(tree_cpu_seconds(p.pid) for p in processes)
            asyncio.run(schedule_until(ended))
            cpu = sum(tree_cpu_seconds(p.pid) for p in processes) - cpu
    finally:
        scheduler.close()
        _stop(processes)
        shutil.rmtree(scratch, ignore_errors=True)
    return [m.peak_mb for m in memories], started, ended, cpu


def _start_worker(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the child holds its own copy of the descriptor
        return subprocess.Popen(command, env=env, stdout=out, stderr=out)


def _wait_ready(processes: list[subprocess.Popen[bytes]], logs: list[Path], timeout: float = 180) -> None:
    """Until every worker says it runs (start-up takes seconds, more on a busy machine)."""
    deadline = time.time() + timeout
    waiting = list(zip(processes, logs, strict=True))
    while waiting:
        for process, log in list(waiting):
            text = log.read_text(errors="replace")
            if "worker running" in text:
                waiting.remove((process, log))
            elif process.poll() is not None:
                raise RuntimeError(f"bench fleet: a worker exited with {process.returncode}:\n{text[-2000:]}")
        if time.time() > deadline:
            raise RuntimeError(f"bench fleet: {len(waiting)} worker(s) not running after {timeout:g} s")
        time.sleep(0.2)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.time() + 20
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Shape:
    """What one bench run covers."""

    sources: int = 10_000
    pages_per_source: int = 2
    workers: tuple[int, ...] = (1, 2, 4)
    stories_workers: tuple[int, ...] = (1, 2)
    warmup: float = 15.0  # seconds before the window (workers start, the model loads: twice that)
    seconds: float = 60.0  # the measured window
    latency_scale: float = 1.0  # the hosts' latencies times this (> 1: fetching dominates the CPU more)
    # Each worker's extraction processes. Several workers on one machine already use its cores, so
    # the default is what the README advises then: 0, each worker extracting in its own threads.
    extract_processes: int = 0


def _one_run(url: str, site: SiteHandle, shape: Shape, workers: int, stories: bool) -> FleetRun:
    settings = load_settings({"database_url": url}, environ={}, config_file=Path(os.devnull))
    _reset(url)
    _follow(url, site, shape.sources)
    site.take_log()  # nothing of the previous run's stragglers
    warmup = shape.warmup * (2 if stories else 1)
    backlog = 2 * workers * settings.worker_concurrency
    peaks, start, end, cpu = _run_workers(url, workers, stories, shape, warmup, backlog)
    time.sleep(1.0)  # requests cut short by the stop are logged as they end
    log, lag = site.take_log()
    window = [r for r in log if start <= r.ended < end]
    pages = sum(1 for r in window if "/p/" in r.path and r.status == 200)
    delay, limit = settings.fetch_host_delay, settings.fetch_host_concurrency
    strict = politeness(log, delay, limit)[0]
    # a gap the site's lagging clock may have shortened is no evidence: judged beyond that lag
    violations, most, shortest, examples = politeness(log, delay, limit, tolerance=max(GAP_TOLERANCE, lag))
    articles, duplicates = stored(url)
    return FleetRun(
        workers,
        stories,
        end - start,
        pages / (end - start),
        len(window) / (end - start),
        tuple(peaks),
        articles,
        duplicates,
        lost_pages(url),
        refetched(log),
        violations,
        most,
        shortest,
        tuple(examples),
        lag,
        cpu / (end - start),
        strict,
    )


def bench_fleet(url: str, data_dir: Path | None, shape: Shape, progress: Callable[[str], None]) -> FleetBench:
    """Every run of ``shape`` against the PostgreSQL database ``url`` (emptied before each run)."""
    if sa.make_url(url).get_backend_name() != "postgresql":
        raise ValueError(
            "bench fleet: workers share a PostgreSQL database: give --database-url postgresql+psycopg://..."
        )
    settings = load_settings({"database_url": url}, environ={}, config_file=Path(os.devnull))
    plan = Plan(latency_scale=shape.latency_scale)
    runs = []
    with serving(plan, shape.sources, shape.pages_per_source, list(corpus(data_dir))) as site:
        hosts = len(site.hosts)
        for stories, counts in ((False, shape.workers), (True, shape.stories_workers)):
            for workers in counts:
                progress(f"{workers} worker(s), stories {'on' if stories else 'off'}")
                runs.append(_one_run(url, site, shape, workers, stories))
    return FleetBench(
        shape.sources,
        hosts,
        settings.fetch_host_delay,
        settings.fetch_host_concurrency,
        settings.worker_concurrency,
        tuple(runs),
        shape.latency_scale,
        shape.extract_processes,
    )
