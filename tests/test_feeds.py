"""Outgoing feeds parsed back with feedparser: RSS 2.0, Atom and JSON Feed for every kind of feed."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import feedparser
import pytest
from lxml import etree

from akhbar.services import breaking
from akhbar.store import Store
from conftest import AsgiClient
from portal_fixtures import NASTY_TITLE, PortalData

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def store(sqlite_store: Store) -> Store:
    """The feeds over SQLite."""
    return sqlite_store


@pytest.fixture
def data(store: Store, data: PortalData) -> PortalData:
    """The portal data set with one article flagged as breaking."""
    breaking.flag_article(store, data.story_ar, datetime.now(UTC) + timedelta(hours=2))
    return data


FEEDS = [
    "/feeds/latest",
    "/feeds/breaking",
    "/feeds/languages/ar",
    "/feeds/languages/fr",
    "/feeds/languages/en",
    "/feeds/sources/" + quote("هسبريس", safe=""),
    "/feeds/stories/7",
]


@pytest.mark.parametrize("path", FEEDS)
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_xml_feeds_parse_cleanly(client: AsgiClient, path: str, fmt: str) -> None:
    response = client.get(f"{path}.{fmt}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(f"application/{fmt}+xml")
    assert response.headers["etag"]
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == ("rss20" if fmt == "rss" else "atom10")
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.title and entry.link.startswith("http://testserver/")
        assert entry.get("published_parsed")


@pytest.mark.parametrize("path", FEEDS)
def test_json_feeds(client: AsgiClient, path: str) -> None:
    response = client.get(f"{path}.json")
    assert response.headers["content-type"].startswith("application/feed+json")
    document = json.loads(response.text)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["feed_url"].endswith(f"{path}.json")
    for item in document["items"]:
        assert item["id"] and item["title"] and (item.get("content_text") or item.get("content_html"))
        datetime.fromisoformat(item["date_published"])


def test_language_feeds_carry_xml_lang(client: AsgiClient) -> None:
    atom = etree.fromstring(client.get("/feeds/languages/ar.atom").content)
    assert atom.get(XML_LANG) == "ar"
    assert {entry.get(XML_LANG) for entry in atom.iter("{http://www.w3.org/2005/Atom}entry")} == {"ar"}
    mixed = etree.fromstring(client.get("/feeds/latest.atom").content)
    languages = {entry.get(XML_LANG) for entry in mixed.iter("{http://www.w3.org/2005/Atom}entry")}
    assert {"ar", "fr", "en"} <= languages
    rss = feedparser.parse(client.get("/feeds/languages/fr.rss").content)
    assert rss.feed.language == "fr"
    assert json.loads(client.get("/feeds/languages/en.json").text)["language"] == "en"


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_markup_in_titles_is_escaped_and_round_trips(client: AsgiClient, fmt: str) -> None:
    parsed = feedparser.parse(client.get(f"/feeds/languages/en.{fmt}").content)
    assert not parsed.bozo
    assert NASTY_TITLE in [entry.title for entry in parsed.entries]
    [nasty] = [entry for entry in parsed.entries if entry.title == NASTY_TITLE]
    assert nasty.get("author") == "Example & Co" or nasty.get("source", {}).get("title") == "Example & Co"
    assert "<tags> & ampersands" in html.unescape(nasty.summary), "shown as text, never as markup"


def test_story_and_breaking_feed_contents(client: AsgiClient, data: PortalData) -> None:
    story = feedparser.parse(client.get("/feeds/stories/7.atom").content)
    assert len(story.entries) == 3
    flagged = feedparser.parse(client.get("/feeds/breaking.rss").content)
    assert [entry.title for entry in flagged.entries] == ["الحكومة تصادق على مشروع قانون المالية"]


@pytest.mark.parametrize(
    "path",
    ["/feeds/latest.xml", "/feeds/languages/de.rss", "/feeds/sources/nobody.atom", "/feeds/stories/999.json"],
)
def test_missing_feeds_are_404(client: AsgiClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_feed_304(client: AsgiClient) -> None:
    first = client.get("/feeds/latest.rss")
    assert (
        client.get("/feeds/latest.rss", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    )
