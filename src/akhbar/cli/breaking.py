"""``akhbar breaking add|list|remove``: flag an article or its story as breaking news until a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.cli.output import nothing, when
from akhbar.errors import InputError

if TYPE_CHECKING:
    from akhbar.models import BreakingFlag


@click.group("breaking")
def breaking_group() -> None:
    """Breaking-news flags (the portal's breaking bar and /feeds/breaking)."""


def _echo(flag: BreakingFlag, output_format: str) -> None:
    if output_format == "json":
        echo_json(flag.to_json())
        return
    target = f"story {flag.story_id}" if flag.story_id is not None else f"article {flag.article_id}"
    note = f"  {flag.note}" if flag.note else ""
    click.echo(f"#{flag.id:<4} {target:16} until {when(flag.until)} ({flag.origin}){note}")


@breaking_group.command("add")
@click.argument("article_id", type=int)
@click.option("--until", "until_text", default="2h", show_default=True, help="2h, 30m, 1d or an ISO time.")
@click.option("--story", is_flag=True, help="Flag the article's whole story, not the article alone.")
@click.option("--note", help="Why (shown to editors).")
@click.option("--by", "created_by", help="Who flagged it.")
@format_option
@pass_context
def add_command(
    ctx: Context,
    article_id: int,
    until_text: str,
    story: bool,
    note: str | None,
    created_by: str | None,
    output_format: str,
) -> None:
    """Flag ARTICLE_ID (or its story) as breaking news until --until."""
    from akhbar.services import breaking

    until = breaking.parse_until(until_text)
    flag = breaking.flag_article(
        ctx.store(), article_id, until, story=story, note=note, created_by=created_by
    )
    _echo(flag, output_format)


@breaking_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include expired flags.")
@format_option
@pass_context
def list_command(ctx: Context, show_all: bool, output_format: str) -> None:
    """Active flags, newest first."""
    from akhbar.services import breaking

    found = breaking.list_flags(ctx.store(), active_only=not show_all)
    for flag in found:
        _echo(flag, output_format)
    if not found:
        nothing(
            "no breaking-news flags" + ("" if show_all else " in force (--all shows expired ones)"),
            output_format,
        )


@breaking_group.command("remove")
@click.argument("flag_id", type=int)
@pass_context
def remove_command(ctx: Context, flag_id: int) -> None:
    """Remove the flag FLAG_ID (see `akhbar breaking list`)."""
    from akhbar.services import breaking

    if not breaking.remove_flag(ctx.store(), flag_id):
        raise InputError(f"breaking: no flag with id {flag_id}")
    click.echo(f"removed flag #{flag_id}")
