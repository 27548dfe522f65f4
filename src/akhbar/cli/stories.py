"""``akhbar stories list|show ID``: stories grouped across sources and languages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.cli.output import nothing, one_line, plural, when
from akhbar.errors import InputError

if TYPE_CHECKING:
    from akhbar.models import Story


@click.group("stories")
def stories_group() -> None:
    """Stories: one event's articles across sources and languages."""


@stories_group.command("list")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@format_option
@pass_context
def list_command(ctx: Context, limit: int, output_format: str) -> None:
    """Most recently active stories first: articles, sources, languages, pace and a title.

    The pace counts the new independent sources of a story, each halving in weight every 30 minutes:
    a story far above its usual pace is flagged as breaking.
    """
    from akhbar.services import stories

    found = stories.list_stories(ctx.store(), limit=limit)
    for story in found:
        if output_format == "json":
            echo_json(story.to_json())
            continue
        title = one_line(next(iter(story.titles.values()), "-"))
        articles, sources = plural(story.article_count, "article"), plural(story.source_count, "source")
        languages = ",".join(sorted(story.titles)) or "-"
        click.echo(
            f"#{story.id:<5} {articles:12} {sources:11} {languages:8} pace {story.velocity:4.1f}  {title}"
        )
    if not found:
        nothing("no stories yet: articles are grouped into stories as they are ingested", output_format)


@stories_group.command("show")
@click.argument("story_id", type=int)
@format_option
@pass_context
def show_command(ctx: Context, story_id: int, output_format: str) -> None:
    """One story: titles per language, who published first, and the timeline of its articles."""
    from akhbar.services import stories

    found = stories.show_story(ctx.store(), story_id)
    if found is None:
        raise InputError(f"no story #{story_id}")
    story, timeline = found
    if output_format == "json":
        echo_json({**story.to_json(), "articles": timeline})
        return
    for language, title in sorted(story.titles.items()):
        click.echo(f"[{language}] {one_line(title)}")
    click.echo(f"first: {_first(story, timeline)}")
    click.echo(
        f"{plural(story.article_count, 'article')}, {plural(story.source_count, 'source')},"
        f" {plural(story.language_count, 'language')}; pace {story.velocity:.1f}"
    )
    for row in timeline:
        click.echo(f"  {_timeline_line(row)}")


def _first(story: Story, timeline: list[dict[str, Any]]) -> str:
    """Who published first, as the article names its site, at the time the article gives."""
    first = next((row for row in timeline if row["id"] == story.first_article_id), None)
    if first is None:  # the first article is gone: what the story recorded of it
        return f"{story.first_source or '-'} (article #{story.first_article_id}) at {when(story.first_seen)}"
    return f"{first['site_name'] or '-'} (article #{first['id']}) at {when(first['published'])}"


def _timeline_line(row: dict[str, Any]) -> str:
    copy = f" (copy of #{row['duplicate_of']})" if row["duplicate_of"] else ""
    published = when(row["published"])
    return f"#{row['id']:<5} {published:23} {row['site_name'] or '-'}: {one_line(row['title'])}{copy}"
