"""``akhbar extract``, ``akhbar ingest`` and ``akhbar reprocess``."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.errors import InputError
from akhbar.models import Rejected
from akhbar.services import extraction, ingest

_URL_PREFIXES = ("http://", "https://")


@click.command("extract")
@click.argument("path_or_url")
@click.option(
    "--format", "output_format", type=click.Choice(["json", "text"]), default="json", show_default=True
)
def extract_command(path_or_url: str, output_format: str) -> None:
    """Extract one page or text dump and print it; nothing is stored."""
    if path_or_url.startswith(_URL_PREFIXES):
        raise InputError(
            f"{path_or_url}: fetching URLs is not available yet; save the page and pass the file"
        )
    outcome = extraction.extract_file(Path(path_or_url))
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


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@format_option
@pass_context
def ingest_command(ctx: Context, paths: tuple[str, ...], output_format: str) -> None:
    """Read files and directories (.html, .html.gz, .txt), extract and store them."""
    for path in paths:
        if path.startswith(_URL_PREFIXES):
            raise InputError(f"{path}: fetching URLs is not available yet; save the page and pass the file")
    store = ctx.store()
    failures = 0
    for result in ingest.ingest_paths(store, paths):
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
    for result in ingest.reprocess(ctx.store(), source_id=source_id):
        counts[result.status] = counts.get(result.status, 0) + 1
        if output_format == "json":
            echo_json(asdict(result))
    if output_format == "text":
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing stored"
        click.echo(f"reprocessed: {summary}")
