"""Stored fields are clean whatever a page, a feed entry or an editor sent, and feeds never fail."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import feedparser
import pytest

from akhbar.models import ArticleSummary
from akhbar.services import articles
from akhbar.store import Store
from akhbar.text.fields import MAX_TITLE, clean_line, clean_text, http_url, language_tag
from akhbar.web import create_app
from akhbar.web.feedformats import WRITERS, Feed
from conftest import AsgiClient
from stories_helpers import store_article, version


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Maroc\x0bRabat", "Maroc\nRabat"),  # what Word pastes for Shift+Enter: a line break
        ("line one\r\nline two", "line one\nline two"),
        ("a\x01b\x7fc\x85d", "abc\nd"),  # NEL (next line) is a line break too
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("tab\tkept", "tab\tkept"),
        ("العربية \u202eمقلوب", "العربية \u202eمقلوب"),  # bodies keep direction marks
    ],
)
def test_clean_text_drops_what_is_not_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_one_line_fields_lose_overrides_and_are_bounded() -> None:
    assert clean_line("  RT\u202e Arabic\u2066 \n news ", 100) == "RT Arabic news"
    long = " ".join(["mot"] * 400)
    cut = clean_line(long, MAX_TITLE)
    assert len(cut) <= MAX_TITLE and cut.endswith("…") and not cut[:-1].endswith(" ")


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.org/a.jpg", True),
        ("http://example.org/a b.jpg", False),
        ("javascript:alert(3)", False),
        ("JAVASCRIPT:alert(3)", False),
        ("data:image/png;base64,AAAA", False),
        ("//example.org/a.jpg", False),
        ("https:///nohost", False),
        ("https://example.org/" + "a" * 3000, False),
    ],
)
def test_only_http_addresses_are_kept(url: str, kept: bool) -> None:
    assert (http_url(url) == url) is kept


@pytest.mark.parametrize(
    ("tag", "language"),
    [("ar", "ar"), ("fr-MA", "fr"), ("en_US", "en"), ('en"><script>', None), ("x" * 317, None), ("", None)],
)
def test_languages_are_tags(tag: str, language: str | None) -> None:
    assert language_tag(tag) == language


def test_a_hostile_article_is_stored_cleaned_and_every_feed_still_parses(sqlite_store: Store) -> None:
    hostile = replace(
        version("rt.com.91337", "en", site_name="RT\u202e\x01"),
        title="NATO \x0bsummit\x01 \ud83d in Brussels",  # a control, a C0 byte and a lone surrogate
        authors=("Jane\u202e Doe", "\x02"),
        image_url="javascript:alert(3)",
        image_caption="caption\x0b here",
        language='en"><script>',
    )
    article_id = store_article(sqlite_store, hostile)
    stored = articles.get_article(sqlite_store, article_id)
    assert stored is not None
    found = stored.article
    assert found.title == "NATO summit in Brussels"
    assert found.site_name == "RT" and found.authors == ("Jane Doe",)
    assert found.image_url is None and found.image_caption == "caption here" and found.language is None
    client = AsgiClient(create_app(sqlite_store, cache_ttl=0))
    for path in ("/feeds/latest", "/feeds/sources/RT", f"/feeds/stories/{found.story_id}"):
        for fmt in ("rss", "atom", "json"):
            response = client.get(f"{path}.{fmt}")
            assert response.status_code == 200, (path, fmt, response.text[:200])
            if fmt == "json":
                assert json.loads(response.content)["items"]
            else:
                parsed = feedparser.parse(response.content)
                assert not parsed.bozo and parsed.entries, (path, fmt)


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_feed_writers_accept_any_stored_string(fmt: str) -> None:
    """Rows stored before cleaning existed may hold anything: the writers still answer."""
    nasty = "\x01\x0b\ud800\ufffe title \u202e"
    item = ArticleSummary(
        1,
        nasty,
        nasty,
        None,
        "en",
        "https://x.example/\x01",
        "https://x.example/i.jpg\ud800",
        None,
        None,
        datetime.now(UTC),
        section=nasty,
    )
    feed = Feed(nasty, nasty, "en", "http://t/feeds/latest", "http://t/", "http://t", ((item, nasty),))
    body = WRITERS[fmt](feed)
    if fmt == "json":
        assert json.loads(body)["items"][0]["title"]
    else:
        assert not feedparser.parse(body).bozo
