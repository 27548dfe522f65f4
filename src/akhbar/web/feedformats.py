"""Feed documents: RSS 2.0 and Atom 1.0 built with lxml (which does all XML escaping), JSON Feed 1.1.

feedgen was not used: it cannot set ``xml:lang`` per entry nor write JSON Feed.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime

from lxml import etree

from akhbar.models import ArticleSummary, as_utc
from akhbar.services.images import Picture
from akhbar.text.fields import clean_text
from akhbar.web.i18n import parse_published

ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "http://search.yahoo.com/mrss/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FORMATS = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}


@dataclass(frozen=True)
class Feed:
    """One feed: absolute URLs, its language (``None`` when mixed) and its entries with their lead."""

    title: str
    description: str
    language: str | None
    self_url: str
    home_url: str
    base_url: str
    entries: tuple[tuple[ArticleSummary, str], ...]
    pictures: Mapping[int, Picture] = field(default_factory=dict)  # by article id: akhbar's copies

    def link(self, item: ArticleSummary) -> str:
        return f"{self.base_url}/{item.language or 'ar'}/articles/{item.id}"

    def image(self, item: ArticleSummary) -> tuple[str, Picture] | None:
        """The absolute address of the article's photo as akhbar serves it (never the source's)."""
        picture = self.pictures.get(item.id)
        return (self.base_url + picture.largest, picture) if picture is not None else None

    @property
    def updated(self) -> datetime:
        stamps = [timestamp(item) for item, _ in self.entries]
        return max(stamps, default=datetime(2000, 1, 1, tzinfo=UTC))


def timestamp(item: ArticleSummary) -> datetime:
    """When the article was published (midnight UTC for a date alone), else when it arrived."""
    value = parse_published(item.published)
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return item.updated_at


def _element(parent: etree._Element, tag: str, attributes: dict[str, str]) -> etree._Element:
    """A child element; attribute values without the characters XML forbids, whatever is stored."""
    return etree.SubElement(parent, tag, {name: clean_text(value) for name, value in attributes.items()})


def _text(parent: etree._Element, tag: str, text: str, **attributes: str) -> etree._Element:
    element = _element(parent, tag, attributes)
    element.text = clean_text(text)
    return element


def rss(feed: Feed) -> bytes:
    root = etree.Element("rss", {"version": "2.0"}, nsmap={"atom": ATOM, "media": MEDIA})
    if feed.language:
        root.set(XML_LANG, clean_text(feed.language))
    channel = etree.SubElement(root, "channel")
    _text(channel, "title", feed.title)
    _text(channel, "link", feed.home_url)
    _text(channel, "description", feed.description)
    if feed.language:
        _text(channel, "language", feed.language)
    _text(channel, "lastBuildDate", format_datetime(feed.updated))
    _element(
        channel, f"{{{ATOM}}}link", {"href": feed.self_url, "rel": "self", "type": "application/rss+xml"}
    )
    for item, lead in feed.entries:
        entry = etree.SubElement(channel, "item")
        if item.language and item.language != feed.language:
            entry.set(XML_LANG, clean_text(item.language))
        _text(entry, "title", item.title)
        _text(entry, "link", feed.link(item))
        _text(entry, "guid", feed.link(item), isPermaLink="true")
        _text(entry, "pubDate", format_datetime(timestamp(item)))
        if lead:
            _text(entry, "description", html.escape(lead))  # RSS descriptions are HTML
        if item.site_name:
            _text(entry, "source", item.site_name, url=item.url or feed.link(item))
        if item.section:
            _text(entry, "category", item.section)
        _media(entry, feed.image(item))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _media(entry: etree._Element, image: tuple[str, Picture] | None) -> None:
    """The photo as Media RSS ``media:content`` (an enclosure would need its length in bytes)."""
    if image is None:
        return
    url, picture = image
    attributes = {
        "url": url,
        "type": "image/webp",
        "medium": "image",
        "width": str(picture.largest_width),
        "height": str(picture.largest_height),
    }
    content = _element(entry, f"{{{MEDIA}}}content", attributes)
    if picture.caption:
        _text(content, f"{{{MEDIA}}}description", picture.caption, type="plain")
    if picture.credit:
        _text(content, f"{{{MEDIA}}}credit", picture.credit)


def atom(feed: Feed) -> bytes:
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})  # type: ignore[dict-item]  # None is the default namespace in lxml
    if feed.language:
        root.set(XML_LANG, clean_text(feed.language))
    _text(root, f"{{{ATOM}}}id", feed.self_url)
    _text(root, f"{{{ATOM}}}title", feed.title)
    _text(root, f"{{{ATOM}}}subtitle", feed.description)
    _text(root, f"{{{ATOM}}}updated", feed.updated.isoformat())
    _element(root, f"{{{ATOM}}}link", {"rel": "self", "href": feed.self_url})
    _element(root, f"{{{ATOM}}}link", {"rel": "alternate", "href": feed.home_url})
    author = etree.SubElement(root, f"{{{ATOM}}}author")
    _text(author, f"{{{ATOM}}}name", "akhbar")
    for item, lead in feed.entries:
        entry = etree.SubElement(root, f"{{{ATOM}}}entry")
        if item.language:
            entry.set(XML_LANG, clean_text(item.language))
        _text(entry, f"{{{ATOM}}}id", feed.link(item))
        _text(entry, f"{{{ATOM}}}title", item.title)
        _text(entry, f"{{{ATOM}}}updated", item.updated_at.isoformat())
        _text(entry, f"{{{ATOM}}}published", timestamp(item).isoformat())
        _element(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": feed.link(item)})
        if item.url:
            _element(entry, f"{{{ATOM}}}link", {"rel": "via", "href": item.url})
        if item.site_name:
            source_author = etree.SubElement(entry, f"{{{ATOM}}}author")
            _text(source_author, f"{{{ATOM}}}name", item.site_name)
        if item.section:
            _element(entry, f"{{{ATOM}}}category", {"term": item.section})
        if lead:
            _text(entry, f"{{{ATOM}}}summary", lead, type="text")
        image = feed.image(item)
        if image is not None:
            _element(entry, f"{{{ATOM}}}link", {"rel": "enclosure", "type": "image/webp", "href": image[0]})
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def json_feed(feed: Feed) -> bytes:
    items = []
    for item, lead in feed.entries:
        entry: dict[str, object] = {
            "id": feed.link(item),
            "url": feed.link(item),
            "title": item.title,
            "content_text": lead or item.title,
            "date_published": timestamp(item).isoformat(),
            "date_modified": item.updated_at.isoformat(),
        }
        if item.language:
            entry["language"] = item.language
        if item.url:
            entry["external_url"] = item.url
        if item.site_name:
            entry["authors"] = [{"name": item.site_name}]
        image = feed.image(item)
        if image is not None:  # akhbar's copy: a feed reader never contacts the source's host either
            entry["image"] = image[0]
        if item.section:
            entry["tags"] = [item.section]
        items.append(entry)
    document: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "description": feed.description,
        "home_page_url": feed.home_url,
        "feed_url": feed.self_url,
        "items": items,
    }
    if feed.language:
        document["language"] = feed.language
    # a lone surrogate (JSON text may hold one, UTF-8 may not) becomes "?" instead of an error
    return json.dumps(document, ensure_ascii=False).encode("utf-8", "replace")


WRITERS = {"rss": rss, "atom": atom, "json": json_feed}
