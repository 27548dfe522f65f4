"""``akhbar serve`` and ``akhbar demo``."""

from __future__ import annotations

import click

from akhbar.cli.app import Context, pass_context
from akhbar.cli.output import command, note


def _uvicorn_level(ctx: Context, configured: str) -> str:
    """The server's own log (start-up, requests): as configured, quieter with -q, louder with -v."""
    if ctx.verbosity < 0:
        return "warning"
    if ctx.verbosity > 0:
        return "debug" if ctx.verbosity > 1 else "info"
    return configured.lower()


def _serve(ctx: Context) -> None:
    # The web stack is imported only when serving, so other commands start fast.
    from akhbar.jobs.embedded import start_embedded_runner
    from akhbar.web import create_app
    from akhbar.web.serving import serve

    settings = ctx.settings()
    app = create_app(ctx.store(), site_name=settings.site_name, settings=settings, grouping=ctx.grouping())
    note(f"serving http://{settings.host}:{settings.port}/ (Ctrl-C stops)")
    # Embedded mode (SQLite): poll sources and ingest in this process; on PostgreSQL workers do it.
    embedded = ctx.store().dialect == "sqlite"
    halt = start_embedded_runner(ctx.store(), settings, ctx.grouping()) if embedded else None
    try:
        serve(app, host=settings.host, port=settings.port, log_level=_uvicorn_level(ctx, settings.log_level))
    finally:
        if halt is not None:
            halt()


@click.command("serve")
@click.option("--host", help="Listen address (setting host).")
@click.option("--port", type=int, help="Listen port (setting port).")
@pass_context
def serve_command(ctx: Context, host: str | None, port: int | None) -> None:
    """Serve the portal and the API."""
    ctx.settings(host=host, port=port)
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
