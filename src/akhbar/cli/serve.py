"""``akhbar serve`` and ``akhbar demo``.

``akhbar serve --workers N`` runs N web processes under uvicorn's supervisor. Each keeps its own
page cache, current because each reads the data version from the database (at most a second
stale); their request metrics are summed through ``PROMETHEUS_MULTIPROC_DIR``, a fresh directory
made here. On SQLite the embedded job runner stays in this (the supervising) process.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import click

from akhbar.cli.app import Context, pass_context
from akhbar.cli.output import command, note
from akhbar.config import REGISTRY, Settings


def _uvicorn_level(ctx: Context, configured: str) -> str:
    """The server's own log (start-up, requests): as configured, quieter with -q, louder with -v."""
    if ctx.verbosity < 0:
        return "warning"
    if ctx.verbosity > 0:
        return "debug" if ctx.verbosity > 1 else "info"
    return configured.lower()


def _pass_down(ctx: Context, settings: Settings) -> None:
    """The command line's settings, as the ``AKHBAR_*`` variables the serving processes read."""
    for setting in REGISTRY:
        if settings.origins.get(setting.name) == "command line":
            os.environ[setting.env_var] = str(getattr(settings, setting.name))
    if ctx.config_file is not None:
        os.environ["AKHBAR_CONFIG"] = str(ctx.config_file)


def _serve(ctx: Context) -> None:
    # The web stack is imported only when serving, so other commands start fast.
    from akhbar.cli.logs import levels, uvicorn_config
    from akhbar.jobs.embedded import start_embedded_runner
    from akhbar.memory import keep_web_buffers
    from akhbar.web import create_app
    from akhbar.web.serving import serve

    settings = ctx.settings()
    workers = settings.web_workers
    app = None
    if workers == 1:
        keep_web_buffers()  # this process serves: each page's compression reuses the last one's memory
        app = create_app(
            ctx.store(), site_name=settings.site_name, settings=settings, grouping=ctx.grouping()
        )
    else:  # the serving processes start afresh, with glibc's own thresholds
        _pass_down(ctx, settings)
        metrics_dir = tempfile.mkdtemp(prefix="akhbar-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    processes = f" in {workers} processes" if workers > 1 else ""
    note(f"serving http://{settings.host}:{settings.port}/{processes} (Ctrl-C stops)")
    # Embedded mode (SQLite): poll sources and ingest in this process; on PostgreSQL workers do it.
    embedded = ctx.store().dialect == "sqlite"
    halt = start_embedded_runner(ctx.store(), settings, ctx.grouping()) if embedded else None
    level = _uvicorn_level(ctx, settings.log_level)
    own, libraries = levels(settings, ctx.verbosity)
    try:
        serve(
            app,
            host=settings.host,
            port=settings.port,
            log_level=level,
            workers=workers,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            log_config=uvicorn_config(
                level, as_json=settings.log_format == "json", own=own, libraries=libraries
            ),
        )
    finally:
        if halt is not None:
            halt()
        if workers > 1:
            shutil.rmtree(os.environ.pop("PROMETHEUS_MULTIPROC_DIR"), ignore_errors=True)


@click.command("serve")
@click.option("--host", help="Listen address (setting host).")
@click.option("--port", type=int, help="Listen port (setting port).")
@click.option("--workers", type=click.IntRange(1, 64), help="Web processes (setting web_workers).")
@pass_context
def serve_command(ctx: Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the portal and the API."""
    ctx.settings(host=host, port=port, web_workers=workers)
    _serve(ctx)


@click.command("demo")
@click.option("--host", help="Listen address (setting host).")
@click.option("--port", type=int, help="Listen port (setting port).")
@click.option("--no-serve", is_flag=True, help="Load the demo set and exit.")
@pass_context
def demo_command(ctx: Context, host: str | None, port: int | None, no_serve: bool) -> None:
    """Create the data directory, load the bundled demo set, and serve it."""
    from akhbar.services import demo, editorial

    settings = ctx.settings(host=host, port=port)
    loaded = demo.load_demo(ctx.store(), ctx.grouping(), settings)
    results = loaded.results
    stored = sum(1 for r in results if r.status in {"stored", "updated", "unchanged"})
    extras = ", an editor's article with its photo" if loaded.photo is not None else ""
    extras += ", a breaking flag" if loaded.breaking_id is not None else ""
    note(f"demo set loaded into {settings.data_dir} ({stored} articles of {len(results)} pages{extras})")
    follow, search = command("sources add URL"), command("search WORDS")
    note(f"next, in another terminal: follow a feed: {follow}; search: {search}")
    if not editorial.list_users(ctx.store()):
        note(f"to write articles at /admin/, add an editor: {command('users add EMAIL')}")
    if not no_serve:
        _serve(ctx)
