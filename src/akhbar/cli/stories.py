"""``akhbar stories list|show ID``: stories grouped across sources and languages."""

from __future__ import annotations

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.errors import InputError
from akhbar.services import stories


@click.group("stories")
def stories_group() -> None:
    """Stories: one event's articles across sources and languages."""


@stories_group.command("list")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@format_option
@pass_context
def list_command(ctx: Context, limit: int, output_format: str) -> None:
    """Most recently active stories first."""
    for story in stories.list_stories(ctx.store(), limit=limit):
        if output_format == "json":
            echo_json(story.to_json())
            continue
        title = next(iter(story.titles.values()), "-")
        click.echo(
            f"#{story.id:<5} {story.article_count:3} art {story.source_count:3} src "
            f"{','.join(sorted(story.titles)):8} v={story.velocity:4.1f} {title}"
        )


@stories_group.command("show")
@click.argument("story_id", type=int)
@format_option
@pass_context
def show_command(ctx: Context, story_id: int, output_format: str) -> None:
    """One story: titles per language, first publisher, and the timeline of its articles."""
    found = stories.show_story(ctx.store(), story_id)
    if found is None:
        raise InputError(f"no story #{story_id}")
    story, timeline = found
    if output_format == "json":
        echo_json({**story.to_json(), "articles": timeline})
        return
    for language, title in sorted(story.titles.items()):
        click.echo(f"[{language}] {title}")
    click.echo(
        f"first: {story.first_source or '-'} (article #{story.first_article_id})"
        f" at {story.first_seen.isoformat()}"
    )
    click.echo(
        f"{story.article_count} articles, {story.source_count} sources, {story.language_count} languages"
    )
    for row in timeline:
        copy = f" (copy of #{row['duplicate_of']})" if row["duplicate_of"] else ""
        click.echo(
            f"  #{row['id']:<5} {row['published'] or '-':25} {row['site_name'] or '-'}: {row['title']}{copy}"
        )
