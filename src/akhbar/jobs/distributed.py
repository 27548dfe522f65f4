"""The distributed runner: Procrastinate on PostgreSQL, for ``akhbar worker`` on any number of machines.

Tasks: ``akhbar.refresh_source`` (queue ``refresh``, one at a time per source through a queueing
lock), ``akhbar.fetch_page`` (queue ``pages``), ``akhbar.fetch_image`` (queue ``images``: an
article's photo, after its page), ``akhbar.schedule_due`` (periodic, every minute, claims due
sources and defers their refresh) and ``akhbar.publish_scheduled`` (periodic, every minute,
publishes the newsroom's due articles; each is claimed in the database, so exactly once).
Per-host politeness is booked in the database by
the runtime's fetcher, so it holds across all workers.
"""

from __future__ import annotations

import logging
from typing import Any

import procrastinate
import sqlalchemy as sa
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.schema import SchemaManager

from akhbar.errors import ConfigError
from akhbar.jobs.tasks import publish_scheduled, run_image, run_page, run_refresh, schedule_due
from akhbar.services.fetching import Runtime
from akhbar.services.refresh import PageJob

log = logging.getLogger(__name__)
SCHEDULE_CRON = "* * * * *"
_SCHEMA_LOCK = 7_130_417  # pg_advisory_xact_lock key: one worker at a time installs the job tables


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
    """The queue interface over Procrastinate's tables."""

    def __init__(self, app: procrastinate.App) -> None:
        self.app = app

    async def defer_refresh(self, source_id: int) -> None:
        deferrer = self.app.configure_task(
            "akhbar.refresh_source", queue="refresh", queueing_lock=f"refresh-{source_id}"
        )
        try:
            await deferrer.defer_async(source_id=source_id)
        except AlreadyEnqueued:
            log.debug("jobs: refresh of #%s already queued", source_id)

    async def defer_page(self, job: PageJob) -> None:
        await self.app.configure_task("akhbar.fetch_page", queue="pages").defer_async(job=job.to_json())

    async def defer_image(self, article_id: int) -> None:
        deferrer = self.app.configure_task(
            "akhbar.fetch_image", queue="images", queueing_lock=f"image-{article_id}"
        )
        try:
            await deferrer.defer_async(article_id=article_id)
        except AlreadyEnqueued:
            log.debug("jobs: photo of article #%s already queued", article_id)


def _runtime(context: procrastinate.JobContext) -> Runtime:
    runtime = context.additional_context.get("runtime")
    if not isinstance(runtime, Runtime):
        raise RuntimeError("jobs: the worker was started without a runtime in its job context")
    return runtime


def build_app(database_url: str) -> procrastinate.App:
    """A Procrastinate app with akhbar's tasks, connected to ``database_url``."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url)))

    @app.task(name="akhbar.refresh_source", queue="refresh", pass_context=True)
    async def refresh_source(context: procrastinate.JobContext, source_id: int) -> None:
        await run_refresh(_runtime(context), ProcrastinateQueue(context.app), source_id)

    @app.task(name="akhbar.fetch_page", queue="pages", pass_context=True)
    async def fetch_page(context: procrastinate.JobContext, job: dict[str, Any]) -> None:
        await run_page(_runtime(context), PageJob.from_json(job), ProcrastinateQueue(context.app))

    @app.task(name="akhbar.fetch_image", queue="images", pass_context=True)
    async def fetch_image(context: procrastinate.JobContext, article_id: int) -> None:
        await run_image(_runtime(context), article_id)

    @app.periodic(cron=SCHEDULE_CRON)
    @app.task(name="akhbar.schedule_due", queue="refresh", pass_context=True, queueing_lock="schedule")
    async def schedule(context: procrastinate.JobContext, timestamp: int) -> None:
        runtime = _runtime(context)
        queue = ProcrastinateQueue(context.app)
        count = await schedule_due(runtime.store, queue, photos=runtime.settings.images)
        log.info("jobs: scheduled %s due sources (tick %s)", count, timestamp)

    @app.periodic(cron=SCHEDULE_CRON)
    @app.task(name="akhbar.publish_scheduled", queue="refresh", pass_context=True, queueing_lock="publish")
    async def publish(context: procrastinate.JobContext, timestamp: int) -> None:
        await publish_scheduled(_runtime(context))

    return app


async def run_worker(
    app: procrastinate.App, runtime: Runtime, *, concurrency: int, wait: bool = True
) -> None:
    """Run a worker until stopped (``wait``) or until the queues are empty (``wait=False``)."""
    async with app.open_async():
        await app.run_worker_async(
            concurrency=concurrency,
            wait=wait,
            additional_context={"runtime": runtime},
            install_signal_handlers=wait,
        )
