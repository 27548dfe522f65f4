"""The address a saved page declares for itself: ``<link rel=canonical>``, else ``og:url``.

A page read from a file, or pasted, carries no fetch URL; its own markup usually names it. The
address gives the article its original link (attribution), its section (sections come from the
URL path), its site's rules and its country. Only an absolute ``http(s)`` address with a host and a
path below the site's root counts: a relative or protocol-relative one has no base to resolve
against, and a page that names its site's home page as its own address (a common misconfiguration)
would make every article of the site one.

The head is scanned with regular expressions, not parsed: this runs before the page is parsed for
extraction, and a tag's attributes are all it needs.
"""

from __future__ import annotations

import html
import re

from akhbar.text.urls import split_url

__all__ = ["HEAD_CHARS", "declared_url"]

HEAD_CHARS = 1_000_000
"""Characters of a page searched for its address when no ``<body>`` tag ends the head sooner."""

_BODY = re.compile(r"<body\b", re.IGNORECASE)
_TAG = re.compile(r"<(link|meta)\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def _attributes(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(text):
        name = match.group(1).lower()
        if name not in found:
            found[name] = html.unescape(next(v for v in match.groups()[1:] if v is not None)).strip()
    return found


def _candidates(page: str) -> tuple[list[str], list[str]]:
    """The canonical links and ``og:url`` values of the page's head, in order."""
    body = _BODY.search(page, 0, HEAD_CHARS)
    head = page[: body.start() if body is not None else HEAD_CHARS]
    canonical: list[str] = []
    declared: list[str] = []
    for match in _TAG.finditer(head):
        attributes = _attributes(match.group(2))
        if match.group(1).lower() == "link":
            if "canonical" in attributes.get("rel", "").lower().split():
                canonical.append(attributes.get("href", ""))
        elif attributes.get("property", attributes.get("name", "")).lower() == "og:url":
            declared.append(attributes.get("content", ""))
    return canonical, declared


def _usable(url: str) -> bool:
    if not url or any(char.isspace() for char in url):
        return False
    parts = split_url(url)
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return False
    return parts.path.strip("/") != "" or parts.query != ""


def declared_url(page: str) -> str | None:
    """The page's canonical link, else its ``og:url``, if absolute ``http(s)`` below the site root."""
    canonical, declared = _candidates(page)
    return next((url for url in (*canonical, *declared) if _usable(url)), None)
