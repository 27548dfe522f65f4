"""Sitemaps: ``urlset`` (with Google News extensions) and ``sitemapindex`` into a :class:`Listing`.

Parsed with lxml with entities and network access off; gzip-compressed sitemaps are unpacked
with a size cap. ``parse_sitemap`` raises :class:`InputError` when the bytes are not a sitemap.
"""

from __future__ import annotations

import zlib
from urllib.parse import urljoin

from lxml import etree

from akhbar.errors import InputError
from akhbar.models import Entry, Listing

__all__ = ["is_sitemap_root", "parse_sitemap"]

MAX_SITEMAP_BYTES = 50_000_000  # the sitemaps.org limit, uncompressed
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, huge_tree=False)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def is_sitemap_root(tag: str) -> bool:
    return tag in {"urlset", "sitemapindex"}


def _gunzip(data: bytes) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = decompressor.decompress(data, MAX_SITEMAP_BYTES + 1)
    if len(out) > MAX_SITEMAP_BYTES:
        raise InputError(f"not a sitemap: larger than {MAX_SITEMAP_BYTES} bytes uncompressed")
    return out


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element.iter():
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def _url_entry(element: etree._Element, base: str) -> Entry | None:
    loc = _child_text(element, "loc")
    if not loc:
        return None
    lastmod = _child_text(element, "lastmod")
    return Entry(
        url=urljoin(base, loc),
        title=_child_text(element, "title"),
        published=_child_text(element, "publication_date") or lastmod,
        updated=lastmod,
        language=_child_text(element, "language"),
    )


def parse_sitemap(data: bytes, *, url: str) -> Listing:
    """Parse a sitemap or sitemap index fetched from ``url``."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = _gunzip(data)
        except zlib.error as exc:
            raise InputError(f"not a sitemap: corrupt gzip: {exc}") from exc
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not a sitemap: malformed XML: {exc}") from exc
    kind = _local(root.tag)
    if kind == "sitemapindex":
        children = tuple(
            urljoin(url, loc)
            for element in root
            if _local(element.tag) == "sitemap" and (loc := _child_text(element, "loc"))
        )
        return Listing("sitemap-index", None, None, None, (), children=children)
    if kind != "urlset":
        raise InputError(f"not a sitemap: root element is <{kind}>")
    entries = [_url_entry(element, url) for element in root if _local(element.tag) == "url"]
    usable = tuple(entry for entry in entries if entry is not None)
    languages = {entry.language for entry in usable if entry.language}
    language = languages.pop() if len(languages) == 1 else None
    return Listing("sitemap", None, None, language, usable)
