"""``akhbar worker [--concurrency N]``: a Procrastinate worker (PostgreSQL mode).

It survives a database restart by reconnecting (see :mod:`akhbar.jobs.distributed`); if the
database stays away longer than ``worker_reconnect_timeout`` it exits with status 1, so a
supervisor (systemd ``Restart=on-failure``) starts it again and the operator sees the failure.
"""

from __future__ import annotations

import asyncio

import click

from akhbar.cli.app import Context, pass_context
from akhbar.cli.output import note


@click.command("worker")
@click.option("--concurrency", type=click.IntRange(1, 256), help="Jobs at once (setting worker_concurrency).")
@pass_context
def worker_command(ctx: Context, concurrency: int | None) -> None:
    """Run jobs from PostgreSQL until stopped; any number of workers on any machines."""
    from akhbar.jobs import distributed  # Procrastinate is loaded only by workers
    from akhbar.services.fetching import open_runtime

    settings = ctx.settings(worker_concurrency=concurrency)
    app = distributed.build_app(settings.database_url)  # refuses SQLite with a reason
    store = ctx.store()
    distributed.ensure_schema(store.engine)

    async def run() -> None:
        async with open_runtime(store, settings, ctx.grouping()) as runtime:
            await distributed.run_worker(
                app,
                runtime,
                concurrency=settings.worker_concurrency,
                reconnect_timeout=settings.worker_reconnect_timeout,
            )

    note(f"worker running {settings.worker_concurrency} jobs at once (Ctrl-C stops)")
    asyncio.run(run())
