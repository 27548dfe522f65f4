"""``akhbar sources add|list|show|remove|import|export``."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.cli.options import language_option
from akhbar.cli.output import command, nothing, when
from akhbar.errors import InputError

if TYPE_CHECKING:
    from akhbar.models import Source


@click.group("sources")
def sources_group() -> None:
    """Follow feeds, sitemaps and pages."""


def _line(source: Source) -> str:
    health = "" if source.healthy else "  UNHEALTHY"
    status = source.last_status or "never polled"
    return f"#{source.id:<4} {source.kind:8} {status:12} {source.name or '-'}  {source.url}{health}"


@sources_group.command("add")
@click.argument("url")
@click.option("--name", help="Display name (default: the feed's or page's title).")
@language_option("ISO 639-1 language (default: as declared by the source).")
@format_option
@pass_context
def add_command(ctx: Context, url: str, name: str | None, language: str | None, output_format: str) -> None:
    """Discover what URL is (feed, sitemap, site advertising feeds, page) and follow it."""
    from akhbar.services import sources as service
    from akhbar.services.fetching import open_runtime

    if not url.startswith(("http://", "https://")):
        raise InputError(f"{url}: not an http(s) URL")
    store, settings = ctx.store(), ctx.settings()

    async def run() -> Source:
        async with open_runtime(store, settings, ctx.grouping()) as runtime:
            return await service.add_source(runtime, url, name=name, language=language)

    source = asyncio.run(run())
    if output_format == "json":
        echo_json(source.to_json())
    else:
        click.echo(f"following {_line(source)}")


@sources_group.command("list")
@format_option
@pass_context
def list_command(ctx: Context, output_format: str) -> None:
    """Every followed source with its last status."""
    from akhbar.services import sources as service

    found = service.list_sources(ctx.store())
    for source in found:
        if output_format == "json":
            echo_json(source.to_json())
        else:
            click.echo(_line(source))
    if not found:
        nothing(f"no sources followed yet ({command('sources add URL')})", output_format)


@sources_group.command("show")
@click.argument("source_id", type=int)
@format_option
@pass_context
def show_command(ctx: Context, source_id: int, output_format: str) -> None:
    """One source: last fetch, status, errors, articles, next poll."""
    from akhbar.services import sources as service

    detail = service.show_source(ctx.store(), source_id)
    if output_format == "json":
        echo_json(detail.to_json())
        return
    source = detail.source
    for label, value in (
        ("source", _line(source)),
        ("site", source.site_url or "-"),
        ("language", source.language or "-"),
        ("last fetched", when(source.last_fetched_at) if source.last_fetched_at else "never"),
        ("last error", source.last_error or "-"),
        ("failures in a row", str(source.consecutive_failures)),
        ("poll every", f"{source.poll_interval} s"),
        ("next poll", when(source.next_poll_at) if source.next_poll_at else "now"),
        ("articles", str(detail.articles)),
        ("rejections", str(detail.rejections)),
        ("pages", ", ".join(f"{n} {status}" for status, n in sorted(detail.pages.items())) or "-"),
    ):
        click.echo(f"{label:18} {value}")
    for error in detail.recent_errors:
        click.echo(f"  {error.status}: {error.url}: {error.reason}")


@sources_group.command("remove")
@click.argument("source_id", type=int)
@pass_context
def remove_command(ctx: Context, source_id: int) -> None:
    """Stop following a source (its articles stay)."""
    from akhbar.services import sources as service

    service.remove_source(ctx.store(), source_id)
    click.echo(f"removed source #{source_id}")


@sources_group.command("import")
@click.argument("opml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option
@pass_context
def import_command(ctx: Context, opml: Path, output_format: str) -> None:
    """Follow every feed of an OPML file."""
    from akhbar.services import sources as service

    results = service.import_opml(ctx.store(), ctx.settings(), opml.read_bytes())
    for result in results:
        if output_format == "json":
            echo_json(asdict(result))
        else:
            click.echo(f"{result.status:7} {result.url}" + (f": {result.reason}" if result.reason else ""))
    if not results:
        nothing(f"no feeds in {opml}", output_format)
    if any(result.status == "error" for result in results):
        sys.exit(2)


@sources_group.command("export")
@pass_context
def export_command(ctx: Context) -> None:
    """Print the followed feeds and sitemaps as OPML."""
    from akhbar.services import sources as service

    click.echo(service.export_opml(ctx.store()), nl=False)
