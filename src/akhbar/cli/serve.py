"""``akhbar serve`` and ``akhbar demo``."""

from __future__ import annotations

import click

from akhbar.cli.app import Context, pass_context
from akhbar.jobs.embedded import start_embedded_runner
from akhbar.services import demo, editorial


def _serve(ctx: Context) -> None:
    # The web stack is imported only when serving, so other commands start fast.
    from akhbar.web import create_app
    from akhbar.web.serving import serve

    settings = ctx.settings()
    app = create_app(ctx.store(), site_name=settings.site_name, settings=settings, grouping=ctx.grouping())
    click.echo(f"akhbar: serving http://{settings.host}:{settings.port}/", err=True)
    # Embedded mode (SQLite): poll sources and ingest in this process; on PostgreSQL workers do it.
    embedded = ctx.store().dialect == "sqlite"
    halt = start_embedded_runner(ctx.store(), settings, ctx.grouping()) if embedded else None
    try:
        serve(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower())
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
    ctx.settings(host=host, port=port)
    results = demo.load_demo(ctx.store(), ctx.grouping())
    stored = sum(1 for r in results if r.status in {"stored", "updated", "unchanged"})
    click.echo(f"akhbar: demo set loaded ({stored} articles of {len(results)} pages)", err=True)
    if not editorial.list_users(ctx.store()):
        click.echo("akhbar: to write articles at /admin/, add an editor: akhbar users add EMAIL", err=True)
    if not no_serve:
        _serve(ctx)
