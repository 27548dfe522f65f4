"""``akhbar search QUERY`` and ``akhbar search reindex``."""

from __future__ import annotations

import html
import re
import time
from datetime import date

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.cli.options import language_option
from akhbar.cli.output import nothing, one_line, plural, when
from akhbar.cli.progress import bars
from akhbar.errors import InputError

_TAGS = re.compile(r"</?mark>")
MAX_LIMIT = 100  # akhbar.services.MAX_LIMIT, not imported at start-up (a test checks they agree)


class SearchGroup(click.Group):
    """``akhbar search WORDS...`` searches; ``akhbar search reindex`` is the one subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["query", *args]
        return super().parse_args(ctx, args)


@click.group("search", cls=SearchGroup)
def search_group() -> None:
    """Full-text search: `akhbar search QUERY [--language L]`, or `akhbar search reindex`."""


@search_group.command("query")
@click.argument("words", nargs=-1, required=True)
@language_option("Only articles in this language (ISO 639-1: ar, fr, en...).")
@click.option("--source", "source_id", type=int, help="Only articles of this source.")
@click.option("--story", "story_id", type=int, help="Only articles of this story.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Published on or after (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Published on or before (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=20, show_default=True)
@format_option
@pass_context
def query_command(
    ctx: Context,
    words: tuple[str, ...],
    language: str | None,
    source_id: int | None,
    story_id: int | None,
    since: object,
    until: object,
    limit: int,
    output_format: str,
) -> None:
    """Search articles: words, "a phrase", -excluded, a OR b."""
    from akhbar.search import Filters, QueryProblem
    from akhbar.services import search

    filters = Filters(language, source_id, story_id, _day(since), _day(until))
    text = " ".join(words)
    results = search.search(ctx.store(), text, filters=filters, limit=limit)
    if isinstance(results, QueryProblem):
        raise InputError(f"search: {results.reason}")
    for hit in results.hits:
        if output_format == "json":
            echo_json(hit.to_json())
            continue
        more = f"  (+{len(hit.story_matches)} in story)" if hit.story_matches else ""
        title = one_line(hit.title)
        click.echo(f"#{hit.article_id:<6} {when(hit.published):23} {hit.language or '-':3} {title}{more}")
        click.echo(f"        {one_line(html.unescape(_TAGS.sub('', hit.snippet_html)))[:200]}")
    if not results.hits:
        nothing(f"no articles match {text!r}" + (f" in {language}" if language else ""), output_format)


def _day(value: object) -> date | None:
    return value.date() if hasattr(value, "date") else None


@search_group.command("reindex")
@pass_context
def reindex_command(ctx: Context) -> None:
    """Rebuild the search index from the stored articles; searches keep working meanwhile."""
    from akhbar.services import articles, search

    store = ctx.store()
    started = time.monotonic()
    with bars() as display:
        bar = display.add("articles", articles.count_articles(store), "articles")
        done = search.reindex(store, progress=lambda n: bar.update(completed=n))
    click.echo(f"reindexed {plural(done, 'article')} in {time.monotonic() - started:.1f} s")
