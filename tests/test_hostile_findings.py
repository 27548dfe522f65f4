"""The bugs the hostile-input suite found, each pinned by a unit test next to its case in cases.toml.

- A feed with a lone surrogate as a character reference (``&#xD800;``) made feedparser's loose
  parser raise UnicodeEncodeError: following it from the newsroom answered 500.
- A vertical tab (what Word pastes for Shift+Enter) or a form feed inside a title was dropped, so
  the words on each side of it were glued together ("adoptéà Rabat").
- A sitemap index listing a sitemap index (itself, here) was polled as "ok" with no page and no
  note: nothing said why nothing came of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from akhbar.services import refresh
from akhbar.services import sources as sources_service
from akhbar.services.fetching import open_runtime
from akhbar.services.stories import Grouping
from akhbar.sources.feeds import parse_feed
from akhbar.store import Store
from akhbar.text.fields import clean_line, clean_text
from httpserver import FixtureServer
from test_sources_refresh import make_settings

RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>
<item><title>{title}</title><link>http://127.0.0.1/a</link></item></channel></rss>"""


@pytest.mark.parametrize(
    "reference", ["&#xD800;", "&#xdfff;", "&#55296;", "&#57343;", "&#x110000;", "&#99999999999;"]
)
def test_a_feed_with_a_reference_to_no_character_is_read(reference: str) -> None:
    listing = parse_feed(RSS.format(title=f"Ligne {reference} nouvelle").encode(), url="http://127.0.0.1/f")
    [entry] = listing.entries
    assert entry.title is not None and entry.title.startswith("Ligne") and entry.title.endswith("nouvelle")


def test_real_character_references_are_kept() -> None:
    listing = parse_feed(RSS.format(title="&#xE9;t&#233; &#x1F4F0;").encode(), url="http://127.0.0.1/f")
    assert listing.entries[0].title == "été 📰"


@pytest.mark.parametrize("separator", ["\x0b", "\x0c", "\x85", "\u2028", "\u2029"])
def test_a_line_or_page_separator_keeps_the_words_apart(separator: str) -> None:
    assert clean_line(f"Budget adopté{separator}à Rabat", 100) == "Budget adopté à Rabat"
    assert clean_text(f"un{separator}deux") == "un\ndeux"


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    running = FixtureServer().start()
    yield running
    running.stop()


def test_a_sitemap_index_inside_a_sitemap_index_is_noted(sqlite_store: Store, server: FixtureServer) -> None:
    settings = make_settings(sqlite_store.url)

    async def run() -> refresh.RefreshResult:
        async with open_runtime(sqlite_store, settings, Grouping()) as runtime:
            source = await sources_service.add_source(runtime, server.url("/hostile/sitemaps/self-index.xml"))
            return await refresh.refresh_source(runtime, source.id)

    result = asyncio.run(run())
    assert result.status == "ok" and result.new_pages == 0
    [source] = sources_service.list_sources(sqlite_store)
    assert source.last_error is not None and "sitemap index inside a sitemap index" in source.last_error
