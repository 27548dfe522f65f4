"""``akhbar extract``, ``akhbar ingest`` and ``akhbar reprocess``."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.errors import InputError
from akhbar.models import Rejected
from akhbar.services import archives, extraction, ingest, refresh
from akhbar.services.fetching import open_runtime
from akhbar.services.stories import Grouping
from akhbar.store import Store

_URL_PREFIXES = ("http://", "https://")
url_option = click.option(
    "--url",
    "page_url",
    help="The public address of the page in the one file given (else the one it declares).",
)


@click.command("extract")
@click.argument("path_or_url")
@click.option(
    "--format", "output_format", type=click.Choice(["json", "text"]), default="json", show_default=True
)
@url_option
@pass_context
def extract_command(ctx: Context, path_or_url: str, output_format: str, page_url: str | None) -> None:
    """Extract one page (file or URL) or text dump and print it; nothing is stored."""
    if path_or_url.startswith(_URL_PREFIXES):
        if page_url is not None:
            raise InputError("--url is for a file; a fetched page is at the address it was fetched from")
        outcome = asyncio.run(extraction.extract_url(ctx.settings(), path_or_url))
    else:
        outcome = extraction.extract_file(Path(path_or_url), url=page_url)
    if isinstance(outcome, Rejected):
        raise InputError(f"{path_or_url}: not an article: {outcome.reason}")
    if output_format == "json":
        echo_json(outcome.to_json())
        return
    click.echo(outcome.title)
    click.echo(f"{outcome.site_name or '-'} · {outcome.published or '-'} · {outcome.language or '-'}")
    click.echo()
    for paragraph in outcome.body_paragraphs:
        click.echo(paragraph + "\n")


def _ingest_results(ctx: Context, paths: tuple[str, ...]) -> Iterator[ingest.IngestResult]:
    """URLs are fetched under the fetcher's rules, archives read record by record, the rest as files."""
    store = ctx.store()
    urls = [path for path in paths if path.startswith(_URL_PREFIXES)]
    if urls:
        settings = ctx.settings()

        async def fetch_all() -> list[ingest.IngestResult]:
            async with open_runtime(store, settings, ctx.grouping()) as runtime:
                return await refresh.ingest_urls(runtime, urls)

        yield from asyncio.run(fetch_all())
    files = []
    for path in paths:
        if path.startswith(_URL_PREFIXES):
            continue
        if archives.is_archive(path) and Path(path).is_file():
            yield from _ingest_archive(store, ctx.grouping(), Path(path))
        else:
            files.append(path)
    if files:
        yield from ingest.ingest_paths(store, files, grouping=ctx.grouping())


def _ingest_archive(store: Store, grouping: Grouping, path: Path) -> Iterator[ingest.IngestResult]:
    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(f"reading {path.name}", total=path.stat().st_size)
        yield from archives.ingest_archive(
            store, path, grouping=grouping, progress=lambda done: bar.update(task, completed=done)
        )


def _ingest_at(ctx: Context, paths: tuple[str, ...], page_url: str) -> Iterator[ingest.IngestResult]:
    """One saved page ingested at the address ``--url`` gives it."""
    if len(paths) != 1 or paths[0].startswith(_URL_PREFIXES) or archives.is_archive(paths[0]):
        raise InputError("--url gives the address of one saved page: name exactly one file")
    yield ingest.ingest_file(ctx.store(), Path(paths[0]), url=page_url, grouping=ctx.grouping())


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@format_option
@url_option
@pass_context
def ingest_command(ctx: Context, paths: tuple[str, ...], output_format: str, page_url: str | None) -> None:
    """Fetch URLs or read files, directories and .warc(.gz) archives; extract and store them."""
    failures = 0
    results = _ingest_at(ctx, paths, page_url) if page_url is not None else _ingest_results(ctx, paths)
    for result in results:
        if output_format == "json":
            echo_json(asdict(result))
        elif result.status in {"stored", "updated"}:
            click.echo(f"{result.status:9} #{result.article_id} {result.title}  ({result.location})")
        elif result.status != "error":
            click.echo(
                f"{result.status:9} {result.location}" + (f": {result.reason}" if result.reason else "")
            )
        if result.status == "error":
            failures += 1
            click.echo(f"akhbar: {result.location}: {result.reason}", err=True)
    if failures:
        sys.exit(2)


@click.command("reprocess")
@click.option("--source", "source_id", type=int, help="Only documents of this source.")
@format_option
@pass_context
def reprocess_command(ctx: Context, source_id: int | None, output_format: str) -> None:
    """Re-run extraction on stored raw documents, updating articles and rejections in place."""
    counts: dict[str, int] = {}
    for result in ingest.reprocess(ctx.store(), grouping=ctx.grouping(), source_id=source_id):
        counts[result.status] = counts.get(result.status, 0) + 1
        if output_format == "json":
            echo_json(asdict(result))
    if output_format == "text":
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing stored"
        click.echo(f"reprocessed: {summary}")
