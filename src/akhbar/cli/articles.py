"""``akhbar articles list|show`` and ``akhbar rejections list``."""

from __future__ import annotations

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.errors import InputError
from akhbar.services import articles
from akhbar.services.portal import SECTIONS


@click.group("articles")
def articles_group() -> None:
    """Stored articles."""


@articles_group.command("list")
@click.option("--source", "source_id", type=int, help="Only articles of this source.")
@click.option("--language", help="Only articles in this language (ISO 639-1, e.g. ar, fr, en).")
@click.option("--section", type=click.Choice(list(SECTIONS)), help="Only articles of this section.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@format_option
@pass_context
def list_command(
    ctx: Context,
    source_id: int | None,
    language: str | None,
    section: str | None,
    limit: int,
    output_format: str,
) -> None:
    """Newest articles first."""
    found = articles.list_articles(
        ctx.store(), language=language, source_id=source_id, section=section, limit=limit
    )
    for stored in found:
        if output_format == "json":
            echo_json(stored.to_json())
        else:
            a = stored.article
            site = a.site_name or "-"
            click.echo(f"#{stored.id:<5} {a.published or '-':10} {a.language or '-':3} {site}: {a.title}")


@articles_group.command("show")
@click.argument("article_id", type=int)
@format_option
@pass_context
def show_command(ctx: Context, article_id: int, output_format: str) -> None:
    """One article in full."""
    stored = articles.get_article(ctx.store(), article_id)
    if stored is None:
        raise InputError(f"no article #{article_id}")
    if output_format == "json":
        echo_json(stored.to_json())
        return
    a = stored.article
    click.echo(a.title)
    click.echo(f"{a.site_name or '-'} · {a.published or '-'} · {a.language or '-'} · {a.url or ''}")
    if a.image_caption:
        click.echo(f"[{a.image_caption}]")
    click.echo()
    for paragraph in a.body_paragraphs:
        click.echo(paragraph + "\n")


@click.group("rejections")
def rejections_group() -> None:
    """Inputs that were stored but are not articles, with the reason."""


@rejections_group.command("list")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
@format_option
@pass_context
def rejections_list(ctx: Context, limit: int, output_format: str) -> None:
    """Newest rejections first."""
    for rejection in articles.list_rejections(ctx.store(), limit=limit):
        if output_format == "json":
            echo_json(rejection.to_json())
        else:
            click.echo(f"#{rejection.id:<5} {rejection.location}: {rejection.reason}")
