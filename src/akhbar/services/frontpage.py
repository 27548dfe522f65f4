"""The front page and the story page: what a reader sees first, each story once per screen.

The home page ranks the stories of the newest articles by how many sites carried them, leads with
the first, then fills the most-read block, the section blocks and the per-language columns from
what is left, so no story's headline appears twice in them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from akhbar.extract import sections
from akhbar.models import ArticleSummary, BreakingFlag
from akhbar.services import reads
from akhbar.services.breaking import breaking_articles
from akhbar.services.portal import (
    LANGUAGES,
    AlsoIn,
    Filters,
    Story,
    also_in_of,
    earliest_first,
    with_articles,
)
from akhbar.store import Store
from akhbar.store import breaking as flags
from akhbar.store import portal as queries
from akhbar.store.portal import Outline

MEMBERS_READ = 200  # articles read per story shown among the front page's top stories

__all__ = ["Home", "StoryView", "home", "related", "section_newest", "story_view"]


@dataclass(frozen=True)
class Home:
    lead: Story | None
    top_stories: tuple[Story, ...]
    ticker: tuple[ArticleSummary, ...]
    breaking: tuple[ArticleSummary, ...]
    most_read: tuple[ArticleSummary, ...] = ()
    sections: dict[str, tuple[ArticleSummary, ...]] = field(default_factory=dict)  # in SECTIONS order
    latest: dict[str, tuple[ArticleSummary, ...]] = field(default_factory=dict)
    also_in: dict[int, AlsoIn] = field(default_factory=dict)
    standfirsts: dict[int, str] = field(default_factory=dict)  # first paragraphs of the headlines


class _Shown:
    """The stories already on the page: a story is listed once."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def take(self, items: Iterable[ArticleSummary], limit: int) -> tuple[ArticleSummary, ...]:
        found: list[ArticleSummary] = []
        for item in items:
            if len(found) >= limit:
                break
            if item.story_key not in self.keys:
                self.keys.add(item.story_key)
                found.append(item)
        return tuple(found)


def _ranked_stories(store: Store, recent: list[ArticleSummary], limit: int) -> list[Story]:
    """The stories of ``recent`` with most sites first, each with all its articles; at most half of
    them, so the other blocks have something to show on a young site."""
    groups: dict[str, list[ArticleSummary]] = defaultdict(list)
    for item in recent:
        groups[item.story_key].append(item)
    limit = min(limit, max(1, (len(groups) + 1) // 2))
    ranked = sorted(
        groups.items(),
        key=lambda kv: (len({a.site_name for a in kv[1]}), len(kv[1]), max(a.published or "" for a in kv[1])),
        reverse=True,
    )[:limit]
    grouped = [int(key) for key, _ in ranked if not key.startswith("a")]
    read = MEMBERS_READ * max(1, len(grouped))
    full: dict[str, list[ArticleSummary]] = defaultdict(list)
    with store.reading() as connection:
        members = queries.story_members(connection, grouped, limit=read)
        for item in members:
            full[item.story_key].append(item)
        shown = {key: full.get(key) or items for key, items in ranked}
        outlines: dict[str, tuple[Outline, ...]] = {}
        if len(members) == read:  # read in part: each story names who published it first, counts all
            for key in grouped:
                outline = outlines[str(key)] = tuple(queries.story_outline(connection, key))
                shown[str(key)] = with_articles(connection, shown[str(key)], [o.id for o in outline[:1]])
    return [Story(key, earliest_first(items), outlines.get(key, ())) for key, items in shown.items()]


def home(
    store: Store,
    *,
    top: int = 7,
    ticker: int = 10,
    most_read: int = 5,
    per_section: int = 4,
    per_language: int = 5,
    recent: int = 300,
    kept_reads: reads.MostRead | None = None,
) -> Home:
    """Everything the home page shows, each story once: lead and top stories, most read, ticker,
    sections, then the newest per language; syndicated copies are collapsed under their original.
    The most read come from ``kept_reads`` when given (summed at most once a minute), else are summed."""
    with store.reading() as connection:
        everything = queries.summaries(connection, limit=recent)
        newest = queries.summaries(connection, Filters(collapse=True), limit=recent)
        by_language = {code: [a for a in newest if a.language == code] for code in LANGUAGES}
        for code, found in by_language.items():  # a language rare among the newest: its own query
            if len(found) < per_language * 3:
                filters = Filters(language=code, collapse=True)
                by_language[code] = queries.summaries(connection, filters, limit=per_language * 3)
    stories = _ranked_stories(store, everything, top)
    shown = _Shown()
    shown.keys.update(s.key for s in stories)
    # The ticker is a moving strip of the newest headlines: it leaves out the top stories, and the
    # blocks below may list its items again (a reader never sees it whole at once).
    ticker_items = tuple(a for a in newest if a.story_key not in shown.keys)[:ticker]
    counted = kept_reads.top(most_read * 3) if kept_reads else reads.most_read(store, limit=most_read * 3)
    read = shown.take((a for a, _ in counted), most_read)
    grouped = {
        key: shown.take((a for a in newest if a.section == key), per_section) for key in sections.SECTIONS
    }
    latest = {code: shown.take(items, per_language) for code, items in by_language.items()}
    listed = [a for items in (*grouped.values(), *latest.values()) for a in items]
    headlines = {s.headline(code).id for s in stories for code in LANGUAGES}
    with store.reading() as connection:
        copies = also_in_of(connection, listed)
        standfirsts = queries.leads(connection, sorted(headlines))
    return Home(
        lead=stories[0] if stories else None,
        top_stories=tuple(stories[1:]),
        ticker=ticker_items,
        breaking=tuple(breaking_articles(store)),
        most_read=read,
        sections={k: v for k, v in grouped.items() if v},
        latest={k: v for k, v in latest.items() if v},
        also_in=copies,
        standfirsts=standfirsts,
    )


@dataclass(frozen=True)
class StoryView:
    """A story as its page shows it: coverage per language, copies, sources over time, flags."""

    story: Story
    columns: dict[str, tuple[ArticleSummary, ...]]
    originals: dict[int, int]  # a syndicated copy's id -> the id of the article it copies
    sources_over_time: tuple[tuple[datetime, int], ...]  # when each new source joined, running count
    flags: tuple[BreakingFlag, ...]  # active breaking flags on the story or one of its articles


def _sources_over_time(articles: Iterable[ArticleSummary | Outline]) -> tuple[tuple[datetime, int], ...]:
    """When each new site first carried the story (articles earliest first), and how many had then."""
    seen: set[str] = set()
    points: list[tuple[datetime, int]] = []
    for item in articles:
        moment = _moment(item.published)
        site = item.site_name or f"#{item.id}"
        if moment is None or site in seen:
            continue
        seen.add(site)
        points.append((moment, len(seen)))
    return tuple(points)


def _moment(published: str | None) -> datetime | None:
    if not published:
        return None
    try:
        value = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def story_view(store: Store, found: Story, listed: Sequence[ArticleSummary] | None = None) -> StoryView:
    """The story as its page shows it, its columns listing ``listed`` (its older coverage, say)
    or else the story's own articles."""
    shown = found.articles if listed is None else tuple(listed)
    ids = [a.id for a in shown]
    columns: dict[str, list[ArticleSummary]] = defaultdict(list)
    for item in shown:
        columns[item.language or "und"].append(item)
    ordered = {code: tuple(columns[code]) for code in (*LANGUAGES, *sorted(columns)) if code in columns}
    story_id = found.articles[0].story_id
    with store.reading() as connection:
        copied = queries.originals(connection, ids)
        active = flags.list_flags(connection, active_at=datetime.now(UTC))
    flagged = {*ids, *(a.id for a in found.articles)}  # the story's newest too, on an older page
    on_story = tuple(f for f in active if f.article_id in flagged or (story_id and f.story_id == story_id))
    return StoryView(found, ordered, copied, _sources_over_time(found.whole), on_story)


RELATED_POOL = 6  # newest articles of a section read per related link shown (copies share a story)


def section_newest(store: Store, section: str, *, limit: int = 4) -> tuple[ArticleSummary, ...]:
    """What :func:`related` picks ``limit`` links from: the newest articles of ``section``, in one
    indexed read (section, newest first). The same for every article of the section, so a caller
    may keep it while the data does not change."""
    with store.reading() as connection:
        return tuple(queries.summaries(connection, Filters(section=section), limit=limit * RELATED_POOL))


def related(
    store: Store,
    *,
    section: str | None,
    language: str | None,
    story_key: str,
    limit: int = 4,
    newest: Sequence[ArticleSummary] | None = None,
) -> tuple[ArticleSummary, ...]:
    """The newest other stories of a section (in ``language`` first), for an article's "related"
    links; ``newest`` is :func:`section_newest` when the caller has it."""
    if section is None:
        return ()
    pool = section_newest(store, section, limit=limit) if newest is None else newest
    ordered = sorted(pool, key=lambda a: a.language != language)  # stable: newest first in each
    shown = _Shown()
    shown.keys.add(story_key)
    return shown.take(ordered, limit)
