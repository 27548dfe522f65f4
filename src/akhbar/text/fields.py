"""What a stored text field may hold: no control characters, no direction overrides in one-line
fields, bounded lengths, http(s) addresses only, valid language tags.

Fetched pages, feeds and editors' forms are all untrusted: an article's fields pass through these
at the one place it is stored (:func:`akhbar.services.cleaning.cleaned`), so every reader (pages,
feeds, the API, search) gets text that any XML or JSON writer accepts.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

MAX_TITLE = 500  # characters of a title or a headline (longest real titles seen: about 250)
MAX_NAME = 200  # characters of a site or author name
MAX_CAPTION = 1000  # characters of an image caption
MAX_URL = 2048  # characters of a stored address
MAX_AUTHORS = 20
ELLIPSIS = "…"

# C0 controls but tab and newline, DEL, C1 controls, lone surrogates and the two non-characters
# XML forbids: none of them is text, and each one makes an XML writer fail.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Embeddings and overrides (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): in a one-line field they can
# reorder what surrounds it on the page; the page sets direction itself (dir="auto").
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LANGUAGE = re.compile(r"([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*", re.IGNORECASE)


# Line and page separators are breaks, not noise: a vertical tab is what Word pastes for
# Shift+Enter, so dropping it would glue the words on each side together.
_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")


def clean_text(text: str) -> str:
    """``text`` without control characters (tab and newline kept; a carriage return, vertical tab,
    form feed, NEL or Unicode line or paragraph separator is a newline)."""
    return _CONTROLS.sub("", _BREAKS.sub("\n", text))


def clean_line(text: str, limit: int) -> str:
    """A one-line field: no controls or direction overrides, whitespace as single spaces, at most
    ``limit`` characters (cut at a word, with an ellipsis)."""
    line = " ".join(_BIDI.sub("", clean_text(text)).split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def http_url(value: str | None) -> str | None:
    """``value`` when it is an absolute http(s) address of a host, else None (``javascript:``,
    ``data:``, relative or over-long addresses are dropped)."""
    if not value:
        return None
    url = value.strip()
    if len(url) > MAX_URL or _CONTROLS.search(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return url


def language_tag(value: str | None) -> str | None:
    """The ISO 639 language of a tag such as ``ar``, ``fr-MA`` or ``en_US``, lower case; None for
    anything that is not a language tag."""
    if not value:
        return None
    found = _LANGUAGE.fullmatch(value.strip())
    if found is None or len(value.strip()) > 35:
        return None
    return found.group(1).lower()
