"""Parsing what sources list: real feeds (RSS, Atom, RDF, encodings), JSON Feed, sitemaps, OPML, discovery."""

from __future__ import annotations

import gzip

import pytest

from akhbar.errors import InputError
from akhbar.sources.discover import discover
from akhbar.sources.feeds import parse_feed
from akhbar.sources.opml import OutlineSource, read_opml, write_opml
from akhbar.sources.sitemaps import parse_sitemap
from akhbar.text.urls import canonical_url, host_of, site_host
from conftest import DATA

FEEDS = DATA / "feeds-miniflux"


@pytest.mark.parametrize(
    ("name", "title_part"),
    [
        ("encoding_ISO-8859-1.xml", None),
        ("no_encoding_ISO-8859-1.xml", "Perturbateurs endocriniens"),
        ("encoding_WINDOWS-1251.xml", None),
        ("rdf_UTF8.xml", None),
        ("urdu_UTF8.xml", None),
        ("small_atom.xml", None),
        ("large_rss.xml", None),
        ("large_atom.xml", None),
    ],
)
def test_real_feeds_parse_with_entries(name: str, title_part: str | None) -> None:
    listing = parse_feed((FEEDS / name).read_bytes(), url=f"https://example.org/{name}")
    assert listing.kind == "feed" and listing.entries
    assert all(entry.url.startswith("http") for entry in listing.entries)
    if title_part:
        assert title_part in (listing.entries[0].title or "")


def test_urdu_feed_keeps_arabic_script() -> None:
    listing = parse_feed((FEEDS / "urdu_UTF8.xml").read_bytes(), url="https://example.org/urdu")
    assert any("\u0600" <= ch <= "\u06ff" for ch in listing.entries[0].title or "")


def test_wrong_declared_encoding_is_decoded_and_noted() -> None:
    listing = parse_feed((FEEDS / "no_encoding_ISO-8859-1.xml").read_bytes(), url="https://example.org/f")
    assert listing.notes and "encoding" in listing.notes[0]
    assert "é" in (listing.title or "") + "".join(e.title or "" for e in listing.entries)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html><body><p>Not a feed</p></body></html>", "not a feed"),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title><item><title>Half',
            "not a feed",
        ),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}', "items list"),
        (b'{"version": "https://jsonfeed.org/version/1.1", ', "invalid JSON"),
    ],
)
def test_broken_feeds_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        parse_feed(data, url="https://example.org/feed")


def test_json_feed() -> None:
    data = b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "language": "ar", "items": [{"id": "1", "url": "/a", "title": "T", "date_published": "2025-01-06T10:00:00Z", "summary": "S"}, {"id": "x"}]}'
    listing = parse_feed(data, url="https://example.org/feed.json")
    assert [e.url for e in listing.entries] == ["https://example.org/a"]
    assert listing.entries[0].language == "ar" and listing.entries[0].published == "2025-01-06T10:00:00Z"
    assert listing.notes


def test_news_sitemap_and_index_and_gzip() -> None:
    data = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://x.ma/a</loc><lastmod>2025-01-06</lastmod><news:news><news:publication><news:language>ar</news:language></news:publication><news:publication_date>2025-01-06T08:00:00+01:00</news:publication_date><news:title>\xd8\xae\xd8\xa8\xd8\xb1</news:title></news:news></url></urlset>"""
    for payload in (data, gzip.compress(data)):
        listing = parse_sitemap(payload, url="https://x.ma/sitemap.xml")
        assert listing.kind == "sitemap" and listing.language == "ar"
        entry = listing.entries[0]
        assert (entry.url, entry.title, entry.published, entry.updated) == (
            "https://x.ma/a",
            "خبر",
            "2025-01-06T08:00:00+01:00",
            "2025-01-06",
        )
    index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/s1.xml</loc></sitemap></sitemapindex>'
    assert parse_sitemap(index, url="https://x.ma/i.xml").children == ("https://x.ma/s1.xml",)
    with pytest.raises(InputError, match="root element is <html>"):
        parse_sitemap(b"<html/>", url="https://x.ma/")


def test_sitemap_parser_refuses_entities() -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a/&x;</loc></url></urlset>'
    listing = parse_sitemap(evil, url="https://a/")
    assert "root:" not in "".join(e.url for e in listing.entries)


def test_opml_round_trip() -> None:
    sources = [
        OutlineSource("https://a.ma/rss", "أخبار & co", "ar", "https://a.ma/"),
        OutlineSource("https://b.fr/feed"),
    ]
    back = read_opml(write_opml(sources).encode())
    assert back == sources
    nested = b'<opml version="1.0"><body><outline text="News"><outline text="A" xmlUrl="https://a/rss"/><outline text="A2" xmlUrl="https://a/rss"/></outline></body></opml>'
    assert read_opml(nested) == [OutlineSource("https://a/rss", "A")]
    with pytest.raises(InputError):
        read_opml(b"<rss/>")


def test_discover_recognises_each_kind() -> None:
    assert discover("https://x/f", (FEEDS / "small_atom.xml").read_bytes()).kind == "feed"
    assert discover("https://x/f", (FEEDS / "rdf_UTF8.xml").read_bytes()).kind == "feed"
    assert (
        discover("https://x/s", b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>').kind
        == "sitemap"
    )
    site = discover(
        "https://x.ma/",
        b'<html lang="ar"><head><title>T</title><link rel="alternate" type="application/rss+xml" href="/rss"><link rel="alternate" hreflang="fr" href="/fr/"></head></html>',
    )
    assert (site.kind, site.feeds, site.title, site.language) == ("site", ("https://x.ma/rss",), "T", "ar")
    assert discover(
        "https://x/a", (DATA / "pages-trafilatura/html/lapresse.tn.parite.html").read_bytes()
    ).kind in {"page", "site"}


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://Example.COM:80/a?utm_source=x&b=2&a=1&fbclid=z#top", "http://example.com/a?a=1&b=2"),
        ("https://x.ma:443/amp/article-1", "https://x.ma/article-1"),
        ("https://x.ma/article-1/amp/", "https://x.ma/article-1/"),
        ("https://x.ma/article-1.amp.html", "https://x.ma/article-1.html"),
        ("https://x.ma/a?outputType=amp&id=3", "https://x.ma/a?id=3"),
        ("https://x.ma:8443/a", "https://x.ma:8443/a"),
        ("not a url", "not a url"),
    ],
)
def test_canonical_urls(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert canonical_url(canonical_url(url)) == canonical_url(url)


def test_host_of_keeps_non_default_ports() -> None:
    assert host_of("https://WWW.x.ma:443/a") == "www.x.ma"
    assert host_of("http://127.0.0.1:8080/a") == "127.0.0.1:8080"


def test_site_host_names_the_site() -> None:
    assert site_host("https://WWW.Lemonde.fr:443/a") == "lemonde.fr"
    assert site_host("http://[::1") is None
    assert site_host(None) is None
