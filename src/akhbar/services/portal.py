"""What the portal, the feeds and the API read: home, article, story, site, search, pages of articles.

A story is the group of articles sharing a ``story_id``; an article not yet grouped is a story of one,
keyed ``a<article id>``. Everything returned is a frozen value, so the web layer can cache it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import sqlalchemy as sa

from akhbar.errors import InputError
from akhbar.extract import sections
from akhbar.extract.sections import SECTIONS, section_of
from akhbar.models import ArticleSummary, StoredArticle
from akhbar.search import Filters as SearchFilters
from akhbar.search import QueryProblem
from akhbar.services import search as search_engine
from akhbar.store import Store
from akhbar.store import articles as article_rows
from akhbar.store import breaking as flags
from akhbar.store import images as stored_images
from akhbar.store import portal as queries
from akhbar.store.changes import ChangeProbe
from akhbar.store.portal import Filters

__all__ = [
    "SECTIONS",
    "AlsoIn",
    "DataVersion",
    "Filters",
    "Found",
    "Listing",
    "Story",
    "also_in_of",
    "article_detail",
    "data_version",
    "earliest_first",
    "section_of",
    "story",
]

LANGUAGES = ("ar", "fr", "en")
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL; larger ones cannot exist
COVERAGE_SHOWN = 10  # other sources an article's page lists (its story's page lists them all)
STORY_READ = 500  # a story's newest articles its page lists (and the stories list reads)


@dataclass(frozen=True)
class Story:
    """A story: its articles earliest first, so ``articles[0]`` published first.

    A story larger than a page lists (:data:`STORY_READ`) has only part of its articles in
    ``articles`` (its newest, and its first); ``outline`` then has every one of them in short, which
    its totals (articles, sites, languages) and its chart are counted from.
    """

    key: str
    articles: tuple[ArticleSummary, ...]
    outline: tuple[queries.Outline, ...] = ()
    older: str | None = None  # the cursor of its older coverage (:func:`older_coverage`) when partial

    @property
    def first(self) -> ArticleSummary:
        return self.articles[0]

    @property
    def latest(self) -> ArticleSummary:
        return self.articles[-1]

    @property
    def whole(self) -> tuple[ArticleSummary | queries.Outline, ...]:
        """Every article of the story: the articles, or the outline when they are only part."""
        return self.outline or self.articles

    @property
    def partial(self) -> bool:
        """Whether ``articles`` lists only part of the story."""
        return len(self.outline) > len(self.articles)

    @property
    def article_count(self) -> int:
        return len(self.whole)

    @property
    def sites(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.site_name for a in self.whole if a.site_name))

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.language for a in self.whole if a.language))

    def count_in(self, language: str) -> int:
        """How many of the story's articles are in ``language`` ("und": of no known language)."""
        return sum(1 for a in self.whole if (a.language or "und") == language)

    def headline(self, language: str) -> ArticleSummary:
        """The article whose title heads the story for a reader of ``language``: its newest article in
        that language, else its newest."""
        for item in reversed(self.articles):
            if item.language == language:
                return item
        return self.latest


@dataclass(frozen=True)
class AlsoIn:
    """The other copies of a listed article's text (earliest first) and the other sites carrying them."""

    copies: tuple[ArticleSummary, ...]
    sites: tuple[str, ...]


@dataclass(frozen=True)
class Listing:
    """A list of articles with each syndicated text once, and where else each one appeared."""

    items: tuple[ArticleSummary, ...]
    also_in: dict[int, AlsoIn] = field(default_factory=dict)


@dataclass(frozen=True)
class Copy:
    """An article linked to another's text, and how, read from the other's side: ``same`` text,
    ``contained_in`` (the other's text is printed inside this one), ``contains`` (this one's text
    is printed inside the other)."""

    article: ArticleSummary
    relation: str


@dataclass(frozen=True)
class ArticleDetail:
    stored: StoredArticle
    story_key: str
    coverage: tuple[ArticleSummary, ...]  # the story's first to publish, this article left out
    copies: tuple[Copy, ...] = ()

    @property
    def also_in(self) -> tuple[str, ...]:
        """The other sites that carried this article's whole text (a copy, or a longer article)."""
        own = self.stored.article.site_name
        carriers = (c.article.site_name for c in self.copies if c.relation in ("same", "contained_in"))
        return tuple(dict.fromkeys(site for site in carriers if site and site != own))


def earliest_first(items: list[ArticleSummary]) -> tuple[ArticleSummary, ...]:
    return tuple(sorted(items, key=lambda a: (a.published is None, a.published or "", a.id)))


def data_version(store: Store) -> str:
    """Changes whenever what a page shows may change: articles added or removed, flags set or expired."""
    return DataVersion(store).read()


class DataVersion:
    """:func:`data_version`, kept by a process that reads it again and again (the page cache): the
    counters are read again only when the database may have changed since (on a SQLite file,
    :class:`~akhbar.store.changes.ChangeProbe` tells), while which flags are active, which depends
    on the time, is read every time."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.probe = ChangeProbe(store)
        self._counters: str | None = None

    def read(self) -> str:
        now = datetime.now(UTC)
        changed = self.probe.changed()  # before the counters: a commit after it shows next time
        with self.store.reading() as connection:
            if changed or self._counters is None:
                counts = queries.articles_version(connection)
                flag_counts = flags.flags_version(connection)
                photos = stored_images.images_version(connection)  # a photo arrives after its article
                self._counters = f"{counts}|{flag_counts}|{photos}"
            active = [f.id for f in flags.list_flags(connection, active_at=now)]
        raw = f"{self._counters}|{active}"
        return hashlib.blake2s(raw.encode(), digest_size=8).hexdigest()

    def close(self) -> None:
        self.probe.close()


def also_in_of(connection: sa.Connection, items: Iterable[ArticleSummary]) -> dict[int, AlsoIn]:
    by_id = {item.id: item for item in items}
    found: dict[int, AlsoIn] = {}
    for article_id, found_copies in queries.copies(connection, list(by_id)).items():
        own = by_id[article_id].site_name
        copies = earliest_first(found_copies)
        sites = tuple(dict.fromkeys(c.site_name for c in copies if c.site_name and c.site_name != own))
        found[article_id] = AlsoIn(copies, sites)
    return found


def also_in(store: Store, items: Iterable[ArticleSummary]) -> dict[int, AlsoIn]:
    """For each of ``items`` that was syndicated, its other copies and the other sites carrying them."""
    with store.reading() as connection:
        return also_in_of(connection, items)


def listing(store: Store, filters: Filters, *, limit: int = 50) -> Listing:
    """The newest articles passing ``filters``, each syndicated text once, with where else it appeared."""
    with store.reading() as connection:
        items = queries.summaries(connection, replace(filters, collapse=True), limit=limit)
        return Listing(tuple(items), also_in_of(connection, items))


def section(store: Store, key: str, *, language: str | None = None, limit: int = 50) -> Listing | None:
    """The newest articles filed under section ``key`` (see :mod:`akhbar.extract.sections`); None if unknown.

    Each article's section is stored with it (from its URL, or an editor's choice) and indexed.
    """
    if key not in sections.SECTIONS:
        return None
    filters = Filters(language=language, section=key, collapse=True)
    with store.reading() as connection:
        items = queries.summaries(connection, filters, limit=limit)
        return Listing(tuple(items), also_in_of(connection, items))


def article_detail(store: Store, article_id: int) -> ArticleDetail | None:
    """The article with the other coverage of its story: the first :data:`COVERAGE_SHOWN` sources to
    publish it (and as many more as the article has copies, which its page lists apart)."""
    with store.reading() as connection:
        stored = article_rows.get_article(connection, article_id)
        if stored is None:
            return None
        story_id = stored.article.story_id
        links = (stored.article.duplicate_of, stored.article.duplicate_kind)  # read with the article
        linked = [
            Copy(summary, relation) for summary, relation in queries.related(connection, article_id, links)
        ]
        coverage: list[ArticleSummary] = []
        if story_id is not None:
            # the story's first to publish, enough of them to list COVERAGE_SHOWN besides this article
            # and its copies, whatever the story's size; the first of them all is among them
            shown = COVERAGE_SHOWN + len(linked) + 1
            found = queries.earliest_in_story(connection, story_id, shown)
            coverage = [a for a in found if a.id != article_id]
    key = str(story_id) if story_id is not None else f"a{article_id}"
    return ArticleDetail(stored, key, earliest_first(coverage), tuple(linked))


def with_articles(
    connection: sa.Connection, items: list[ArticleSummary], ids: Iterable[int]
) -> list[ArticleSummary]:
    """``items`` (some of a story's articles, its newest), with those of ``ids`` they leave out
    read and added (in one query): a story read in part still names who published it first (the
    first of its :func:`queries.story_outline`)."""
    read = {a.id for a in items}
    missing = list(dict.fromkeys(i for i in ids if i not in read))
    return [*items, *queries.summaries_by_ids(connection, missing)] if missing else items


def _story(connection: sa.Connection, story_id: int) -> Story | None:
    """The story's newest :data:`STORY_READ` articles; when it has more, its first to publish and
    the newest in each interface language too, and every article in short (:attr:`Story.outline`)."""
    found = queries.summaries(connection, Filters(story_id=story_id), limit=STORY_READ)
    if len(found) < STORY_READ:
        return Story(str(story_id), earliest_first(found)) if found else None
    outline = tuple(queries.story_outline(connection, story_id))
    older = encode_cursor(found[-1]) if len(outline) > len(found) else None  # newest first: the cut
    # its first to publish, and each language's newest, which heads it for its readers (Story.headline)
    newest = {item.language: item.id for item in outline if item.language in LANGUAGES}
    listed = earliest_first(with_articles(connection, found, [outline[0].id, *newest.values()]))
    return Story(str(story_id), listed, outline, older)


def older_coverage(store: Store, story: Story, cursor: str) -> tuple[tuple[ArticleSummary, ...], str | None]:
    """The story's next :data:`STORY_READ` articles older than ``cursor`` (earliest first), and the
    cursor of those after them (None: no more). InputError for a cursor that is not one."""
    if not story.key.isdigit():  # an article not yet grouped is the whole of its story
        return (), None
    found, cursor_after = page(store, Filters(story_id=int(story.key)), cursor=cursor, limit=STORY_READ)
    return earliest_first(found), cursor_after


def story(store: Store, key: str) -> Story | None:
    """The story ``key``: a story id, or ``a<article id>`` for an article not yet grouped."""
    digits = key.removeprefix("a")
    if not digits.isascii() or not digits.isdigit() or int(digits) > MAX_ID:
        return None
    with store.reading() as connection:
        if key.startswith("a"):
            found = queries.summaries_by_ids(connection, [int(key[1:])])
            if found and found[0].story_id is not None:
                return story(store, str(found[0].story_id))
            return Story(key, tuple(found)) if found else None
        return _story(connection, int(key))


def stories(store: Store, *, limit: int = 20, offset: int = 0) -> list[Story]:
    """Grouped stories, most recently active first (articles not yet grouped are not listed)."""
    with store.reading() as connection:
        ids = queries.story_ids(connection, limit=limit, offset=offset)
        found = [_story(connection, i) for i in ids]
    return [story for story in found if story is not None]


def sites(store: Store) -> list[tuple[str, int]]:
    """Every site (the attribution shown on articles) with its number of articles."""
    with store.reading() as connection:
        return queries.site_names(connection)


def encode_cursor(item: ArticleSummary) -> str:
    raw = f"{item.published or ''}\x1f{item.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        published, _, last_id = raw.partition("\x1f")
        number = int(last_id)
        if not 0 < number <= MAX_ID:
            raise ValueError(last_id)
        return published, number
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"invalid cursor: {cursor!r}") from exc


def page(
    store: Store, filters: Filters, *, cursor: str | None = None, limit: int = 50
) -> tuple[list[ArticleSummary], str | None]:
    """One page of articles newest first, and the cursor of the next page (None at the end)."""
    after = decode_cursor(cursor) if cursor else None
    with store.reading() as connection:
        found = queries.summaries(connection, filters, after=after, limit=limit + 1)
    more = len(found) > limit
    found = found[:limit]
    return found, encode_cursor(found[-1]) if more and found else None


def latest(store: Store, filters: Filters = Filters(), *, limit: int = 50) -> list[ArticleSummary]:  # noqa: B008  # frozen value object
    with store.reading() as connection:
        return queries.summaries(connection, filters, limit=limit)


def leads(store: Store, items: list[ArticleSummary]) -> dict[int, str]:
    """The first paragraph of each article, for feeds."""
    with store.reading() as connection:
        return queries.leads(connection, [a.id for a in items])


@dataclass(frozen=True)
class Found:
    """A search result: the article, and the engine's title and snippet with matches in <mark>.

    ``title_html`` and ``snippet_html`` are the engine's escaped text; ``direction`` is the snippet's own.
    """

    article: ArticleSummary
    title_html: str
    snippet_html: str
    direction: str


PAGE_SIZE = 20  # results on one page of the portal's search
LAST_PAGE = search_engine.RANKED // PAGE_SIZE  # the engine ranks this many at most


@dataclass(frozen=True)
class SearchPage:
    """One page of the portal's search: its results, its number (from 1), and whether more follow."""

    results: list[Found]
    number: int
    more: bool


def search(
    store: Store, query: str, *, language: str | None = None, limit: int = 50, offset: int = 0
) -> list[Found]:
    """The search engine's ranked matches (Arabic/French/English analysis), best first, with snippets.

    A query that cannot be searched (only operators, stop words...) finds nothing.
    """
    return search_page(store, query, language=language, limit=limit, offset=offset).results


def search_page(
    store: Store,
    query: str,
    *,
    language: str | None = None,
    number: int = 1,
    limit: int = PAGE_SIZE,
    offset: int | None = None,
) -> SearchPage:
    """Page ``number`` of ``limit`` results (or those from ``offset``): snippets are made for these only."""
    start = (number - 1) * limit if offset is None else offset
    filters = SearchFilters(language=language)
    found = search_engine.search(store, query, filters=filters, limit=limit, offset=start)
    if isinstance(found, QueryProblem):
        return SearchPage([], number, more=False)
    results = [
        Found(hit.article, hit.title_html, hit.snippet_html, hit.direction)
        for hit in found.hits
        if hit.article is not None  # the engine read it with the hit: no second query
    ]
    return SearchPage(results, number, more=found.total > start + limit)
