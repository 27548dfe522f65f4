"""``akhbar extract``, ``akhbar ingest`` and ``akhbar reprocess``."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.cli.output import note, one_line, plural, total
from akhbar.cli.progress import Bars, bars
from akhbar.cli.tally import Tally, kind
from akhbar.errors import InputError

if TYPE_CHECKING:
    from akhbar.services.ingest import IngestResult

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
    from akhbar.models import Rejected
    from akhbar.services import extraction

    if path_or_url.startswith(_URL_PREFIXES) and page_url is not None:
        raise InputError("--url is for a file; a fetched page is at the address it was fetched from")
    try:
        if path_or_url.startswith(_URL_PREFIXES):
            outcome = asyncio.run(extraction.extract_url(ctx.settings(), path_or_url))
        else:
            outcome = extraction.extract_file(Path(path_or_url), url=page_url)
    except InputError as exc:  # "empty", "cannot read: ...": say which input
        raise InputError(f"{path_or_url}: {exc}") from exc
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


def fetch_photos(ctx: Context, results: list[IngestResult]) -> str:
    """``--fetch-images``: fetch the photos of the articles just stored from files, under the
    fetcher's rules; a line saying how it went."""
    from akhbar.services import images
    from akhbar.services.fetching import open_runtime

    stored = [r.article_id for r in results if r.article_id is not None and r.status in {"stored", "updated"}]

    async def fetch_all() -> list[images.ImageResult]:
        async with open_runtime(ctx.store(), ctx.settings(), ctx.grouping()) as runtime:
            return await images.fetch_photos(runtime, stored)

    done = asyncio.run(fetch_all())
    counts = {status: sum(1 for r in done if r.status == status) for status in ("stored", "failed")}
    return f"photos: {counts['stored']} stored, {counts['failed']} failed"


def _ingest_results(ctx: Context, paths: tuple[str, ...], display: Bars) -> Iterator[IngestResult]:
    """URLs are fetched under the fetcher's rules, archives read record by record, the rest as files."""
    from akhbar.services import archives

    store = ctx.store()
    urls = [path for path in paths if path.startswith(_URL_PREFIXES)]
    if urls:  # the fetcher (httpx, feeds, sitemaps) is imported only when there is something to fetch
        from akhbar.services import ingest, refresh
        from akhbar.services.fetching import open_runtime

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
            yield from _ingest_archive(ctx, Path(path), display)
        else:
            files.append(path)
    if files:
        yield from _ingest_files(ctx, files, display)


def _ingest_files(ctx: Context, files: list[str], display: Bars) -> Iterator[IngestResult]:
    from akhbar.services import ingest
    from akhbar.services.extractors import in_thread

    found = ingest.inputs(files)
    if found.left_out:
        shown = ", ".join(Path(path).name for path in found.left_out[:3])
        more = f" and {len(found.left_out) - 3} more" if len(found.left_out) > 3 else ""
        note(
            f"skipped {plural(len(found.left_out), 'file')} that are not pages by their name ({shown}{more});"
            f" in folders only {', '.join(found.suffixes)} are read (name a file to ingest it anyway)"
        )
    bar = display.add("files", found.files, "files")
    # a few pages are extracted here: worker processes would take longer to start than they take
    extractor = in_thread if found.small else ctx.extractor()
    for result in ingest.ingest_paths(ctx.store(), files, grouping=ctx.grouping(), extractor=extractor):
        bar.advance()
        yield result


def _ingest_archive(ctx: Context, path: Path, display: Bars) -> Iterator[IngestResult]:
    from akhbar.services import archives

    bar = display.add(path.name, path.stat().st_size, "bytes")
    yield from archives.ingest_archive(
        ctx.store(),
        path,
        grouping=ctx.grouping(),
        progress=lambda done: bar.update(completed=done),
        extractor=ctx.extractor(),
    )


def _echo_result(result: IngestResult, output_format: str) -> None:
    if output_format == "json":
        echo_json(asdict(result))
    elif result.status in {"stored", "updated"}:
        copy = f"  (copy of #{result.duplicate_of})" if result.duplicate_of is not None else ""
        click.echo(
            f"{kind(result):9} #{result.article_id} {one_line(result.title or '')}{copy}  ({result.location})"
        )
    elif result.status != "error":
        click.echo(f"{result.status:9} {result.location}" + (f": {result.reason}" if result.reason else ""))
    if result.status == "error":
        click.echo(f"akhbar: {result.location}: {result.reason}", err=True)


def _ingest_at(ctx: Context, paths: tuple[str, ...], page_url: str) -> Iterator[IngestResult]:
    """One saved page ingested at the address ``--url`` gives it."""
    from akhbar.services import archives, ingest

    if len(paths) != 1 or paths[0].startswith(_URL_PREFIXES) or archives.is_archive(paths[0]):
        raise InputError("--url gives the address of one saved page: name exactly one file")
    yield ingest.ingest_file(ctx.store(), Path(paths[0]), url=page_url, grouping=ctx.grouping())


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@format_option
@url_option
@click.option(
    "--fetch-images",
    is_flag=True,
    help="Also fetch the photos that files and archives name (pages fetched from URLs always get theirs).",
)
@pass_context
def ingest_command(
    ctx: Context, paths: tuple[str, ...], output_format: str, page_url: str | None, fetch_images: bool
) -> None:
    """Fetch URLs or read files, directories and .warc(.gz) archives; extract and store them.

    Each input gets one line; a last line gives the totals. An input that cannot be read is named on
    standard error and the run exits with 2 after the others are done. Photos named by files are
    not fetched unless ``--fetch-images`` says so (pages fetched from URLs get theirs, as the
    ``images`` setting says).
    """
    tally = Tally()
    kept: list[IngestResult] = []
    ctx.start_embedding_service()  # the model loads while the inputs are read and extracted
    with bars() as display:
        results = _ingest_at(ctx, paths, page_url) if page_url else _ingest_results(ctx, paths, display)
        for result in results:
            tally.add(result)
            _echo_result(result, output_format)
            if not result.location.startswith(_URL_PREFIXES):
                kept.append(result)
    if fetch_images and kept:
        note(fetch_photos(ctx, kept))
    total(tally.line("ingested", "input"), output_format)
    if tally.errors:
        sys.exit(2)


@click.command("reprocess")
@click.option("--source", "source_id", type=int, help="Only documents of this source.")
@format_option
@pass_context
def reprocess_command(ctx: Context, source_id: int | None, output_format: str) -> None:
    """Re-run extraction on stored raw documents, updating articles and rejections in place."""
    from akhbar.services import ingest

    tally = Tally()
    store = ctx.store()
    with bars() as display:
        bar = display.add("documents", ingest.count_raw(store, source_id), "docs")

        def done(result: IngestResult) -> None:
            bar.advance()
            tally.add(result)
            if output_format == "json":
                echo_json(asdict(result))

        ingest.reprocess(
            store, grouping=ctx.grouping(), source_id=source_id, progress=done, extractor=ctx.extractor()
        )
    if not tally.count:
        total(
            "nothing to reprocess: no raw documents stored"
            + (f" for source #{source_id}" if source_id else ""),
            output_format,
        )
        return
    total(tally.line("reprocessed", "document"), output_format)
