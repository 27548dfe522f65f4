"""The distributed runner: Procrastinate on PostgreSQL, for ``akhbar worker`` on any number of machines.

Tasks: ``akhbar.refresh_source`` (queue ``refresh``, one at a time per source through a queueing
lock), ``akhbar.fetch_page`` (queue ``pages``), ``akhbar.fetch_image`` (queue ``images``: an
article's photo, after its page), ``akhbar.schedule_due`` (periodic, every minute, claims due
sources and defers their refresh), ``akhbar.publish_scheduled`` (periodic, every minute,
publishes the newsroom's due articles; each is claimed in the database, so exactly once) and
``akhbar.retry_stalled`` (periodic, every :data:`RECOVERY_EVERY` seconds). Per-host politeness is
booked in the database by the runtime's fetcher, so it holds across all workers.

Waiting is not done in a worker's slot: a job whose host's turn (or a free request slot there) is
more than :data:`PATIENCE` seconds off raises :class:`HostBusy` before sending anything, and
goes back to the queue due at that turn (Procrastinate's retry, one atomic UPDATE of the job), so
the slot fetches from another host meanwhile; an idle worker looks for such jobs every
:data:`POLL_DUE` seconds. Page jobs run before refreshes (:data:`PAGE_PRIORITY`): pages found are
fetched before more feeds are read; the periodic maintenance runs before both.

Faults:

- a job whose database work failed raises, and Procrastinate runs it again after
  :data:`RETRY_WAIT` seconds (up to :data:`RETRY_ATTEMPTS` times), never marking it succeeded;
- a worker beats every :data:`HEARTBEAT` seconds; one silent for :data:`STALLED_AFTER` seconds
  (SIGKILLed, its machine gone, cut off from the database) is dead, and ``akhbar.retry_stalled``
  puts its running jobs back in the queue: a killed worker's job is picked up again within
  :data:`RECOVERY_BOUND` seconds (Procrastinate's stalled-job recipe, with the heartbeat lowered);
- when the database goes away (a restart, ``-m fast`` or ``-m immediate``) Procrastinate stops
  the worker; :func:`run_worker` waits for the database and starts a fresh worker (a new worker id,
  so the jobs the old one could not finish are taken as stalled), and raises
  :class:`WorkerLost` if the database stays away longer than ``reconnect_timeout``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import procrastinate
import psycopg
import sqlalchemy as sa
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException
from procrastinate.schema import SchemaManager

from akhbar.errors import ConfigError, HostBusy, RetryLater, StoreError
from akhbar.jobs.tasks import (
    PATIENCE,
    DatabaseUnavailable,
    publish_scheduled,
    requeue_lost_pages,
    run_image,
    run_page,
    run_refresh,
    schedule_due,
)
from akhbar.services.fetching import TURN_LEAD, Runtime
from akhbar.services.refresh import PageJob
from akhbar.text.urls import canonical_url, host_of

log = logging.getLogger(__name__)
SCHEDULE_CRON = "* * * * *"
HEARTBEAT = 5.0  # seconds between a worker's heartbeats
STALLED_AFTER = 20.0  # seconds without a heartbeat after which a worker is dead
RECOVERY_EVERY = 10  # seconds between two sweeps for stalled jobs
RECOVERY_BOUND = STALLED_AFTER + RECOVERY_EVERY + 10  # a killed worker's job is queued again by then
PRUNE_EVERY = 600  # seconds between two deletions of the finished sweeps
RETRY_WAIT = 5  # seconds before a job whose database work failed runs again
RETRY_ATTEMPTS = 60  # runs of a job (hand-backs for a busy host included) after which a failing one stops
POLL_DUE = 0.5  # seconds between an idle worker's looks for jobs whose scheduled time came
# seconds the queue's operations wait for a connection of Procrastinate's pool (psycopg_pool's own
# default is 30): once PostgreSQL goes away, a worker stops (and starts reconnecting) this long after
# its listener lost the database, a request deferring a job fails this long after
POOL_WAIT = 10.0
PAGE_PRIORITY, IMAGE_PRIORITY, MAINTENANCE_PRIORITY = 2, 1, 10  # refreshes: 0; higher runs first
_DATABASE_RETRY = procrastinate.RetryStrategy(
    max_attempts=RETRY_ATTEMPTS,
    wait=RETRY_WAIT,
    retry_exceptions=[DatabaseUnavailable, sa.exc.SQLAlchemyError, ConnectorException, psycopg.Error],
)
_SCHEMA_LOCK = 7_130_417  # pg_advisory_xact_lock key: one worker at a time installs the job tables
_NEXT_TURN = "SELECT next_allowed FROM fetch_hosts WHERE host = %(host)s"
_PENDING_PAGES = """
SELECT args->'job'->>'url' AS url FROM procrastinate_jobs
 WHERE task_name = 'akhbar.fetch_page' AND status IN ('todo', 'doing')
   AND args->'job'->>'source_id' = %(source)s
"""


class _Retry(procrastinate.BaseRetryStrategy):
    """A job handed back for a busy host runs again at the host's turn (it sent nothing, so as
    often as it takes); one whose database work failed, every :data:`RETRY_WAIT` seconds."""

    def get_retry_decision(
        self, *, exception: BaseException, job: procrastinate.jobs.Job
    ) -> procrastinate.RetryDecision | None:
        if isinstance(exception, HostBusy):
            return procrastinate.RetryDecision(retry_at=datetime.fromtimestamp(exception.retry_at, UTC))
        return _DATABASE_RETRY.get_retry_decision(exception=exception, job=job)


_RETRY = _Retry()


class _HandBackIsNoError(logging.Filter):
    """Procrastinate logs a job handed back for a busy host as "Error, to retry" with the exception's
    traceback; it is the normal course of polite fetching, so the traceback is left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], HostBusy):
            record.msg = f"{record.msg} ({record.exc_info[1]}: handed back)"
            record.exc_info, record.exc_text = None, None
        return True


class WorkerLost(StoreError):
    """The database stayed unreachable longer than the worker waits for it."""


def conninfo(database_url: str) -> str:
    """The libpq connection string for a SQLAlchemy ``postgresql+psycopg://`` URL."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ConfigError("worker: distributed jobs need PostgreSQL (set AKHBAR_DATABASE_URL)")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_schema(engine: sa.Engine) -> None:
    """Install Procrastinate's tables once; concurrent workers wait on an advisory lock."""
    with engine.begin() as connection:
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        if sa.inspect(connection).has_table("procrastinate_jobs"):
            return
        log.info("worker: installing Procrastinate's job tables")
        cursor = connection.connection.cursor()  # the DBAPI cursor: no placeholder parsing without params
        try:
            cursor.execute(SchemaManager.get_schema())
        finally:
            cursor.close()


class ProcrastinateQueue:
    """The queue interface over Procrastinate's tables.

    A page whose host's next turn is further off than :data:`PATIENCE` is deferred due at that turn
    (it would only be handed back before), and the next pages of that host deferred through this
    queue ``spacing`` seconds apart after it: a refresh's pages wait in the queue, not in a slot.
    """

    def __init__(self, app: procrastinate.App, spacing: float = 0.0) -> None:
        self.app = app
        self.spacing = spacing
        self._deferred: Counter[str] = Counter()  # pages deferred per host through this queue

    async def _host_turn(self, url: str) -> datetime | None:
        """When a page of ``url``'s host may be due (None: now)."""
        host = host_of(url)
        rows = await self.app.connector.execute_query_all_async(_NEXT_TURN, host=host)
        ahead, self._deferred[host] = self._deferred[host], self._deferred[host] + 1
        if not rows:
            return None
        due = float(rows[0]["next_allowed"]) - TURN_LEAD + ahead * self.spacing
        return datetime.fromtimestamp(due, UTC) if due > time.time() + PATIENCE else None

    async def defer_refresh(self, source_id: int, *, tries: int = 0, at: datetime | None = None) -> None:
        """Queue a refresh of ``source_id`` (at ``at``, with its feed's failed ``tries``, for a retry)."""
        deferrer = self.app.configure_task(
            "akhbar.refresh_source", queue="refresh", queueing_lock=f"refresh-{source_id}", schedule_at=at
        )
        try:
            await deferrer.defer_async(source_id=source_id, **({"tries": tries} if tries else {}))
        except AlreadyEnqueued:
            log.debug("jobs: refresh of #%s already queued", source_id)

    async def defer_page(self, job: PageJob, *, at: datetime | None = None) -> None:
        """Queue ``job``, due at its host's turn (see the class), or at ``at`` when given."""
        deferrer = self.app.configure_task(
            "akhbar.fetch_page",
            queue="pages",
            priority=PAGE_PRIORITY,
            schedule_at=at or await self._host_turn(job.url),
        )
        await deferrer.defer_async(job=job.to_json())

    async def defer_image(self, article_id: int) -> None:
        deferrer = self.app.configure_task(
            "akhbar.fetch_image", queue="images", queueing_lock=f"image-{article_id}", priority=IMAGE_PRIORITY
        )
        try:
            await deferrer.defer_async(article_id=article_id)
        except AlreadyEnqueued:
            log.debug("jobs: photo of article #%s already queued", article_id)

    async def pending_urls(self, source_id: int) -> set[str]:
        rows = await self.app.connector.execute_query_all_async(_PENDING_PAGES, source=str(source_id))
        return {canonical_url(row["url"]) for row in rows if row["url"]}


def _runtime(context: procrastinate.JobContext) -> Runtime:
    runtime = context.additional_context.get("runtime")
    if not isinstance(runtime, Runtime):
        raise RuntimeError("jobs: the worker was started without a runtime in its job context")
    return runtime


async def retry_stalled_jobs(app: procrastinate.App) -> int:
    """Queue again the running jobs of workers silent for :data:`STALLED_AFTER` seconds."""
    retried = 0
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER):
        try:
            await app.job_manager.retry_job(job)
        except ConnectorException as exc:  # e.g. the same refresh queued meanwhile (its queueing lock)
            log.warning("jobs: stalled job %s not retried: %s", job.id, exc)
            continue
        log.warning("jobs: job %s (%s) of a dead worker queued again", job.id, job.task_name)
        retried += 1
    return retried


def build_app(database_url: str) -> procrastinate.App:
    """A Procrastinate app with akhbar's tasks, connected to ``database_url``."""
    connector = procrastinate.PsycopgConnector(conninfo=conninfo(database_url), timeout=POOL_WAIT)
    app = procrastinate.App(connector=connector)
    worker_log = logging.getLogger("procrastinate.worker")
    if not any(isinstance(f, _HandBackIsNoError) for f in worker_log.filters):
        worker_log.addFilter(_HandBackIsNoError())

    @app.task(name="akhbar.refresh_source", queue="refresh", pass_context=True, retry=_RETRY)
    async def refresh_source(context: procrastinate.JobContext, source_id: int, tries: int = 0) -> None:
        runtime = _runtime(context)
        queue = ProcrastinateQueue(context.app, spacing=runtime.settings.fetch_host_delay + TURN_LEAD)
        try:
            await run_refresh(runtime, queue, source_id, PATIENCE, tries)
        except RetryLater as later:  # this job is done; the retry is a job of its own, due later
            log.info("jobs: %s", later)
            due = datetime.fromtimestamp(later.retry_at, UTC)
            await queue.defer_refresh(source_id, tries=later.tries, at=due)
            return
        await requeue_lost_pages(_runtime(context), queue, source_id)

    @app.task(
        name="akhbar.fetch_page", queue="pages", pass_context=True, retry=_RETRY, priority=PAGE_PRIORITY
    )
    async def fetch_page(context: procrastinate.JobContext, job: dict[str, Any]) -> None:
        queue = ProcrastinateQueue(context.app)
        page = PageJob.from_json(job)
        try:
            await run_page(_runtime(context), page, queue, PATIENCE)
        except RetryLater as later:  # this job is done; the next try is a job of its own, due later
            log.info("jobs: %s", later)
            await queue.defer_page(
                replace(page, tries=later.tries), at=datetime.fromtimestamp(later.retry_at, UTC)
            )

    @app.task(
        name="akhbar.fetch_image", queue="images", pass_context=True, retry=_RETRY, priority=IMAGE_PRIORITY
    )
    async def fetch_image(context: procrastinate.JobContext, article_id: int) -> None:
        await run_image(_runtime(context), article_id, PATIENCE)

    @app.periodic(cron=SCHEDULE_CRON)
    @app.task(
        name="akhbar.schedule_due",
        queue="refresh",
        pass_context=True,
        queueing_lock="schedule",
        priority=MAINTENANCE_PRIORITY,
    )
    async def schedule(context: procrastinate.JobContext, timestamp: int) -> None:
        runtime = _runtime(context)
        queue = ProcrastinateQueue(context.app)
        count = await schedule_due(runtime.store, queue, photos=runtime.settings.images)
        log.info("jobs: scheduled %s due sources (tick %s)", count, timestamp)

    @app.periodic(cron=SCHEDULE_CRON)
    @app.task(
        name="akhbar.publish_scheduled",
        queue="refresh",
        pass_context=True,
        queueing_lock="publish",
        priority=MAINTENANCE_PRIORITY,
    )
    async def publish(context: procrastinate.JobContext, timestamp: int) -> None:
        await publish_scheduled(_runtime(context))

    @app.periodic(cron=f"* * * * * */{RECOVERY_EVERY}")
    @app.task(
        name="akhbar.retry_stalled",
        queue="maintenance",
        pass_context=True,
        queueing_lock="stalled",
        priority=MAINTENANCE_PRIORITY,
    )
    async def retry_stalled(context: procrastinate.JobContext, timestamp: int) -> None:
        await retry_stalled_jobs(context.app)
        if timestamp % PRUNE_EVERY < RECOVERY_EVERY:  # its own runs, 8,640 a day, are not kept
            await context.app.job_manager.delete_old_jobs(nb_hours=1, queue="maintenance")

    return app


async def _database_back(database_url: str, timeout: float, stopping: asyncio.Event) -> bool:
    """Wait (with growing pauses) until PostgreSQL answers, at most ``timeout`` seconds."""
    deadline, pause = time.monotonic() + timeout, 0.5
    while not stopping.is_set():
        try:
            connection = await psycopg.AsyncConnection.connect(conninfo(database_url), connect_timeout=5)
            await connection.close()
            return True
        except psycopg.Error as exc:
            if time.monotonic() + pause > deadline:
                log.error("worker: the database is still unreachable after %.0f s: %s", timeout, exc)
                return False
            log.info("worker: waiting for the database: %s", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=pause)
        pause = min(pause * 2, 10.0)
    return True


async def _run_once(app: procrastinate.App, runtime: Runtime, concurrency: int, wait: bool) -> None:
    async with app.open_async():
        await app.run_worker_async(
            concurrency=concurrency,
            wait=wait,
            additional_context={"runtime": runtime},
            install_signal_handlers=False,
            update_heartbeat_interval=HEARTBEAT,
            fetch_job_polling_interval=POLL_DUE,
            stalled_worker_timeout=STALLED_AFTER,
            shutdown_graceful_timeout=60,
        )


async def run_worker(
    app: procrastinate.App,
    runtime: Runtime,
    *,
    concurrency: int,
    wait: bool = True,
    reconnect_timeout: float = 300.0,
) -> None:
    """Run a worker until SIGINT/SIGTERM (``wait``) or until no job is due (``wait=False``: a job
    handed back for a busy host, due at the host's turn, is left for the next run).

    When the worker stops for any other reason (the database went away), wait for the database and
    run a fresh worker; raise :class:`WorkerLost` when it stays away ``reconnect_timeout`` seconds.
    """
    if not wait:
        await _run_once(app, runtime, concurrency, wait)
        return
    stopping = asyncio.Event()
    current: asyncio.Task[None] | None = None

    def stop() -> None:
        stopping.set()
        if current is not None:
            current.cancel()  # Procrastinate's graceful stop: running jobs end first

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)
    try:
        while not stopping.is_set():
            current = asyncio.create_task(_run_once(app, runtime, concurrency, wait))
            try:
                await current
            except asyncio.CancelledError:
                if not stopping.is_set():
                    raise
            except Exception as exc:  # the database went away mid-shutdown, or could not be reached
                log.warning("worker: stopped by %s: %s", type(exc).__name__, exc)
            if stopping.is_set():
                break
            log.warning("worker: the job queue stopped (database restarted?); reconnecting")
            if not await _database_back(runtime.store.url, reconnect_timeout, stopping):
                raise WorkerLost(f"worker: the database stayed unreachable for {reconnect_timeout:.0f} s")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError, RuntimeError):
                loop.remove_signal_handler(signum)
