"""Feeds: RSS 0.9x/1.0/2.0, Atom (feedparser) and JSON Feed (parsed here) into a :class:`Listing`.

``parse_feed`` raises :class:`InputError` with the reason when the bytes are not a usable feed
(an HTML page, XML cut short before any entry, JSON that is not a JSON Feed).
"""

from __future__ import annotations

import calendar
import json
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from akhbar.errors import InputError
from akhbar.models import Entry, Listing

__all__ = ["looks_like_json_feed", "parse_feed", "parse_json_feed"]

JSON_FEED_PREFIX = "https://jsonfeed.org/version/"
_TOLERATED = (feedparser.CharacterEncodingOverride,)
# feedparser's loose parser turns ``&#N;`` into ``chr(N).encode("utf-8")``, which raises for a
# surrogate (a lone half of a UTF-16 pair) or a number past U+10FFFF: such a reference names no
# character, so it is read as U+FFFD (as an HTML parser does) before feedparser sees it.
_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_REPLACEMENT = b"&#xFFFD;"


def _no_character(match: re.Match[bytes]) -> bytes:
    hexadecimal, decimal = match.groups()
    number = int(hexadecimal, 16) if hexadecimal else int(decimal)
    return _REPLACEMENT if 0xD800 <= number <= 0xDFFF or number > 0x10FFFF else match.group(0)


def readable_references(data: bytes) -> bytes:
    """``data`` with every character reference that names no character replaced by U+FFFD's."""
    return _REFERENCE.sub(_no_character, data) if b"&#" in data else data


def _iso(parsed: time.struct_time | None) -> str | None:
    if parsed is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _entry(raw: Any, base: str, language: str | None) -> Entry | None:
    # dict.get reads the parsed values without feedparser's deprecated updated/published aliasing
    updated = dict.get(raw, "updated_parsed")
    link = _text(raw.get("link")) or _text(raw.get("id"))
    if not link or not link.startswith(("http://", "https://", "/")):
        return None
    return Entry(
        url=urljoin(base, link),
        title=_text(raw.get("title")),
        published=_iso(dict.get(raw, "published_parsed") or updated),
        updated=_iso(updated),
        summary=_text(raw.get("summary")),
        language=language,
    )


def parse_feed(data: bytes, *, url: str, content_type: str | None = None) -> Listing:
    """Parse feed bytes fetched from ``url``; relative links are resolved against it."""
    if looks_like_json_feed(data):
        return parse_json_feed(data, url=url)
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(
        readable_references(data), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.get("version") and not parsed.entries:
        reason = f"malformed XML: {problem}" if problem else "no RSS, Atom or RDF root element"
        raise InputError(f"not a feed: {reason}")
    channel = parsed.feed
    language = _text(channel.get("language"))
    home = _text(channel.get("link"))
    entries = [_entry(raw, url, language) for raw in parsed.entries]
    usable = tuple(entry for entry in entries if entry is not None)
    notes = []
    if problem is not None and isinstance(problem, _TOLERATED):
        notes.append(f"encoding: {problem}")
    elif problem is not None:
        if not usable:
            raise InputError(f"not a feed: malformed XML: {problem}")
        notes.append(f"malformed XML, kept {len(usable)} entries: {problem}")
    if len(usable) < len(entries):
        notes.append(f"{len(entries) - len(usable)} entries without a link skipped")
    return Listing(
        "feed",
        _text(channel.get("title")),
        urljoin(url, home) if home else None,
        language,
        usable,
        notes=tuple(notes),
    )


def looks_like_json_feed(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b"jsonfeed.org/version" in data[:4096]


def _json_entry(item: Any, base: str, language: str | None) -> Entry | None:
    if not isinstance(item, dict):
        return None
    link = _text(item.get("url")) or _text(item.get("external_url")) or _text(item.get("id"))
    if not link or not link.startswith(("http://", "https://", "/")):
        return None
    return Entry(
        url=urljoin(base, link),
        title=_text(item.get("title")),
        published=_text(item.get("date_published")) or _text(item.get("date_modified")),
        updated=_text(item.get("date_modified")),
        summary=_text(item.get("summary")) or _text(item.get("content_text")),
        language=_text(item.get("language")) or language,
    )


def parse_json_feed(data: bytes, *, url: str) -> Listing:
    """A JSON Feed (1.0 or 1.1) into a Listing; raises InputError when it is not one."""
    try:
        feed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a feed: invalid JSON: {exc}") from exc
    if not isinstance(feed, dict) or not str(feed.get("version", "")).startswith(JSON_FEED_PREFIX):
        raise InputError("not a feed: JSON without a jsonfeed.org version")
    items = feed.get("items")
    if not isinstance(items, list):
        raise InputError("not a feed: JSON Feed without an items list")
    language = _text(feed.get("language"))
    entries = [_json_entry(item, url, language) for item in items]
    usable = tuple(entry for entry in entries if entry is not None)
    notes = (
        (f"{len(entries) - len(usable)} items without a URL skipped",) if len(usable) < len(entries) else ()
    )
    home = _text(feed.get("home_page_url"))
    return Listing("feed", _text(feed.get("title")), home, language, usable, notes=notes)
