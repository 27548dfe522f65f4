"""OPML: the feed-reader exchange format; import reads every outline with an ``xmlUrl``."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lxml import etree

from akhbar.errors import InputError

__all__ = ["OutlineSource", "read_opml", "write_opml"]

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class OutlineSource:
    """One source in an OPML file."""

    url: str
    name: str | None = None
    language: str | None = None
    site_url: str | None = None


def read_opml(data: bytes) -> list[OutlineSource]:
    """Every outline with an ``xmlUrl`` (nested categories included), in document order, deduplicated."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not an OPML file: malformed XML: {exc}") from exc
    if etree.QName(root).localname.lower() != "opml":
        raise InputError(f"not an OPML file: root element is <{etree.QName(root).localname}>")
    found: dict[str, OutlineSource] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url or url in found:
            continue
        name = outline.get("title") or outline.get("text")
        name = None if name == url else name
        found[url] = OutlineSource(url, name or None, outline.get("language") or None, outline.get("htmlUrl"))
    return list(found.values())


def write_opml(sources: list[OutlineSource], *, title: str = "akhbar sources") -> str:
    """An OPML 2.0 document listing ``sources``."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_escape(title)}</title></head>",
        "  <body>",
    ]
    for source in sources:
        attributes = {"type": "rss", "text": source.name or source.url, "xmlUrl": source.url}
        if source.name:
            attributes["title"] = source.name
        if source.site_url:
            attributes["htmlUrl"] = source.site_url
        if source.language:
            attributes["language"] = source.language
        rendered = " ".join(f"{key}={quoteattr(value)}" for key, value in attributes.items())
        lines.append(f"    <outline {rendered}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
