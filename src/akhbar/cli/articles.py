"""``akhbar articles list|show`` and ``akhbar rejections list``."""

from __future__ import annotations

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.cli.options import LazyChoice, language_option
from akhbar.cli.output import command, nothing, one_line, when
from akhbar.errors import InputError


@click.group("articles")
def articles_group() -> None:
    """Stored articles."""


@articles_group.command("list")
@click.option("--source", "source_id", type=int, help="Only articles of this source.")
@language_option("Only articles in this language (ISO 639-1, e.g. ar, fr, en).")
@click.option(
    "--section", type=LazyChoice("akhbar.extract.sections:SECTIONS"), help="Only articles of this section."
)
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
    """Newest articles first, with the time each article gives (its own offset)."""
    from akhbar.services import articles

    found = articles.list_articles(
        ctx.store(), language=language, source_id=source_id, section=section, limit=limit
    )
    for stored in found:
        if output_format == "json":
            echo_json(stored.to_json())
        else:
            a = stored.article
            site = a.site_name or "-"
            click.echo(
                f"#{stored.id:<5} {when(a.published):23} {a.language or '-':3} {site}: {one_line(a.title)}"
            )
    if not found:
        nothing(_no_articles(source_id, language, section), output_format)


def _no_articles(source_id: int | None, language: str | None, section: str | None) -> str:
    limits = [
        text
        for text, given in (
            (f"of source #{source_id}", source_id is not None),
            (f"in language {language}", language),
            (f"in section {section}", section),
        )
        if given
    ]
    return (
        "no articles " + " ".join(limits)
        if limits
        else f"no articles yet ({command('ingest PATH')}, or {command('sources add URL')})"
    )


@articles_group.command("show")
@click.argument("article_id", type=int)
@format_option
@pass_context
def show_command(ctx: Context, article_id: int, output_format: str) -> None:
    """One article in full."""
    from akhbar.services import articles

    stored = articles.get_article(ctx.store(), article_id)
    if stored is None:
        raise InputError(f"no article #{article_id}")
    if output_format == "json":
        echo_json(stored.to_json())
        return
    a = stored.article
    click.echo(a.title)
    click.echo(f"{a.site_name or '-'} · {when(a.published)} · {a.language or '-'} · {a.url or ''}")
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
    from akhbar.services import articles

    found = articles.list_rejections(ctx.store(), limit=limit)
    for rejection in found:
        if output_format == "json":
            echo_json(rejection.to_json())
        else:
            click.echo(f"#{rejection.id:<5} {rejection.location}: {rejection.reason}")
    if not found:
        nothing("no rejections: every stored input is an article", output_format)
