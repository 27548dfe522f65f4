"""``akhbar refresh [--all]``: poll due sources now, in this process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.cli.output import command, plural, total
from akhbar.cli.progress import Bars, bars

if TYPE_CHECKING:
    from akhbar.jobs.inline import Outcomes

_TICK = 0.2  # seconds between two updates of the bars


async def _watch(outcomes: Outcomes, pages_found: Callable[[], int], display: Bars, sources: int) -> None:
    """Move the bars as refreshes and page fetches finish (pages are found as sources are polled)."""
    polled = display.add("sources", sources, "sources")
    pages = display.add("pages", None, "pages")
    while True:
        polled.update(completed=len(outcomes.refreshes))
        pages.update(completed=len(outcomes.pages), total=pages_found())
        await asyncio.sleep(_TICK)


def _run(ctx: Context, everything: bool, display: Bars) -> Outcomes:
    from akhbar.jobs.inline import InlineRunner
    from akhbar.jobs.tasks import schedule_due
    from akhbar.services.fetching import open_runtime
    from akhbar.services.refresh import PageJob
    from akhbar.services.sources import list_sources

    class Counting(InlineRunner):
        """Counts the pages its refreshes find, for the bar's total."""

        found = 0

        async def defer_page(self, job: PageJob) -> None:
            self.found += 1
            await super().defer_page(job)

    store, settings = ctx.store(), ctx.settings()

    async def run() -> Outcomes:
        async with open_runtime(store, settings, ctx.grouping()) as runtime:
            runner = Counting(runtime, concurrency=settings.worker_concurrency)
            if everything:
                sources = list_sources(store)
                for source in sources:
                    await runner.defer_refresh(source.id)
                count = len(sources)
            else:
                count = await schedule_due(store, runner)
            watcher = asyncio.create_task(_watch(runner.outcomes, lambda: runner.found, display, count))
            try:
                return await runner.run_until_idle()
            finally:
                watcher.cancel()

    return asyncio.run(run())


@click.command("refresh")
@click.option("--all", "everything", is_flag=True, help="Poll every source, due or not.")
@format_option
@pass_context
def refresh_command(ctx: Context, everything: bool, output_format: str) -> None:
    """Poll the sources that are due (or all) and fetch, extract and store their new pages."""
    started = time.monotonic()
    with bars() as display:
        outcomes = _run(ctx, everything, display)
    for refresh in outcomes.refreshes:
        if output_format == "json":
            echo_json(asdict(refresh))
        else:
            detail = (
                f": {refresh.reason}" if refresh.reason else f" ({plural(refresh.new_pages, 'new page')})"
            )
            click.echo(f"#{refresh.source_id:<4} {refresh.status}{detail}")
    if not outcomes.refreshes:
        none = "no sources followed yet" if everything else "no sources are due now (--all polls them all)"
        total(f"{none}; follow one with {command('sources add URL')}", output_format)
        return
    counts: dict[str, int] = {}
    for page in outcomes.pages:
        counts[page.status] = counts.get(page.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no new pages"
    seconds = time.monotonic() - started
    total(
        f"refreshed {plural(len(outcomes.refreshes), 'source')} in {seconds:.1f} s: {summary}", output_format
    )
