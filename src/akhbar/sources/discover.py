"""Discovery: what a fetched URL is — a feed, a sitemap, an HTML page advertising feeds, or an article.

``discover(url, data, content_type)`` sniffs the bytes (never trusting the Content-Type alone)
and returns a :class:`Discovered` value; it raises :class:`InputError` only for bytes that claim
to be a feed or sitemap and are broken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from akhbar.models import Listing
from akhbar.sources.feeds import looks_like_json_feed, parse_feed, parse_json_feed
from akhbar.sources.sitemaps import parse_sitemap

__all__ = ["FEED_TYPES", "Discovered", "discover", "feed_links"]

Kind = Literal["feed", "sitemap", "site", "page"]
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
        "application/rss",
        "text/xml",
        "application/xml",
    }
)
_XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF|urlset|sitemapindex|html)\b")
_FEED_ROOTS = {b"rss", b"feed", b"RDF"}
_SITEMAP_ROOTS = {b"urlset", b"sitemapindex"}


@dataclass(frozen=True)
class Discovered:
    """``site``: an HTML page with ``<link rel=alternate>`` feeds; ``page``: a single article."""

    kind: Kind
    listing: Listing | None = None
    feeds: tuple[str, ...] = ()
    title: str | None = None
    language: str | None = None


def _xml_root(data: bytes) -> bytes | None:
    head = data[:4096]
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return None
    head = re.sub(rb"<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>]*>", b"", head, flags=re.DOTALL)
    match = _XML_ROOT.search(head)
    return match.group(1) if match else None


def feed_links(html: etree._Element, base: str) -> tuple[str, ...]:
    """Absolute URLs of the feeds an HTML page advertises with ``<link rel="alternate">``."""
    found: list[str] = []
    for link in html.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or not href or kind not in FEED_TYPES:
            continue
        if kind == "application/json" and "feed" not in href.lower():
            continue
        url = urljoin(base, href)
        if url not in found:
            found.append(url)
    return tuple(found)


def _html(url: str, data: bytes) -> Discovered:
    try:
        document = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError):
        return Discovered("page")
    title = document.findtext(".//title")
    language = document.get("lang") or document.get("xml:lang")
    feeds = feed_links(document, url)
    kind: Kind = "site" if feeds else "page"
    return Discovered(kind, feeds=feeds, title=title.strip() if title else None, language=language)


def discover(url: str, data: bytes, content_type: str | None = None) -> Discovered:
    """What the bytes fetched from ``url`` are."""
    if looks_like_json_feed(data):
        listing = parse_json_feed(data, url=url)
        return Discovered("feed", listing, title=listing.title, language=listing.language)
    root = _xml_root(data)
    if root in _FEED_ROOTS:
        listing = parse_feed(data, url=url, content_type=content_type)
        return Discovered("feed", listing, title=listing.title, language=listing.language)
    if root in _SITEMAP_ROOTS or data[:2] == b"\x1f\x8b":
        listing = parse_sitemap(data, url=url)
        return Discovered("sitemap", listing, language=listing.language)
    return _html(url, data)
