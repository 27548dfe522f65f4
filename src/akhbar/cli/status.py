"""``akhbar status [--format json]``: what ``/readyz`` and ``/metrics`` say, at the command line.

Exit status 0 when the database answers with the schema this akhbar needs, 1 otherwise (so a
deploy script or a health check can run it).
"""

from __future__ import annotations

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context


@click.command("status")
@format_option
@pass_context
def status_command(ctx: Context, output_format: str) -> None:
    """Database reachable, schema current, articles, sources, pages and jobs."""
    from akhbar.services.status import status
    from akhbar.store.engine import create_engine

    engine = create_engine(ctx.settings().database_url)  # not ctx.store(): that refuses an old schema
    try:
        found = status(engine)
    finally:
        engine.dispose()
    ready = found.readiness
    if output_format == "json":
        echo_json(found.to_json())
    else:
        click.echo(f"ready: {'yes' if ready.ready else 'no'}")
        click.echo(f"database: {'reachable' if ready.database else 'unreachable'}")
        click.echo(f"schema: {ready.revision or 'none'} (this akhbar needs {ready.head})")
        if ready.problem:
            click.echo(f"problem: {ready.problem}")
        if ready.ready:
            click.echo(f"articles: {found.articles}")
            click.echo(f"sources: {found.sources} ({found.unhealthy_sources} unhealthy)")
            pages = ", ".join(f"{state} {n}" for state, n in sorted(found.pages.items())) or "none"
            click.echo(f"pages: {pages}")
            jobs = ", ".join(f"{state} {n}" for state, n in sorted(found.jobs.items()))
            click.echo(f"jobs: {jobs or 'none (no PostgreSQL job queue)'}")
            click.echo(f"queue depth: {found.queue_depth}")
    if not ready.ready:
        raise SystemExit(1)
