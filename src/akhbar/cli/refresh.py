"""``akhbar refresh [--all]``: poll due sources now, in this process."""

from __future__ import annotations

import asyncio
from dataclasses import asdict

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.jobs.inline import InlineRunner, Outcomes
from akhbar.jobs.tasks import schedule_due
from akhbar.services.fetching import open_runtime
from akhbar.services.sources import list_sources


@click.command("refresh")
@click.option("--all", "everything", is_flag=True, help="Poll every source, due or not.")
@format_option
@pass_context
def refresh_command(ctx: Context, everything: bool, output_format: str) -> None:
    """Poll the sources that are due (or all) and fetch, extract and store their new pages."""
    store, settings = ctx.store(), ctx.settings()

    async def run() -> Outcomes:
        async with open_runtime(store, settings, ctx.grouping()) as runtime:
            runner = InlineRunner(runtime, concurrency=settings.worker_concurrency)
            if everything:
                for source in list_sources(store):
                    await runner.defer_refresh(source.id)
            else:
                await schedule_due(store, runner)
            return await runner.run_until_idle()

    outcomes = asyncio.run(run())
    for refresh in outcomes.refreshes:
        if output_format == "json":
            echo_json(asdict(refresh))
        else:
            detail = f": {refresh.reason}" if refresh.reason else f" ({refresh.new_pages} new pages)"
            click.echo(f"#{refresh.source_id:<4} {refresh.status}{detail}")
    if output_format == "text":
        counts: dict[str, int] = {}
        for page in outcomes.pages:
            counts[page.status] = counts.get(page.status, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no new pages"
        click.echo(f"refreshed {len(outcomes.refreshes)} sources: {summary}")
