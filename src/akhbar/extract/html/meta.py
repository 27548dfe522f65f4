"""What an HTML page says about itself: meta tags, JSON-LD, ``<html lang>``, ``<title>`` and ``<h1>``.

:func:`read_page` collects these once per page into a :class:`Page`, which the title, author, date
and image modules read. Everything is general: values come from standard markup (Open Graph,
schema.org JSON-LD, Dublin Core, parsely), never from a site's words. The site's name is here too,
with the folded spellings of it that titles and bylines are compared with.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from akhbar.extract.text import clean
from akhbar.text.urls import site_host

__all__ = [
    "ARTICLE_TYPES",
    "Page",
    "elements",
    "find_site_name",
    "fold_key",
    "ld_name",
    "ld_types",
    "meta_text",
    "read_page",
    "site_keys",
    "strings",
]

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "liveblogposting",
        "blogposting",
        "socialmediaposting",
        "report",
        "scholarlyarticle",
        "techarticle",
        "radioepisode",
        "podcastepisode",
    }
)
_MAX_JSON_LD = 2_000_000
_MAX_H1 = 8
_META = etree.XPath("//meta[@content]")
_JSON_LD = etree.XPath("//script[@type='application/ld+json' or @type='application/json+ld']")
_H1 = etree.XPath("//h1")
_TITLE = etree.XPath("//title")
# Separators between a title and the site's name or section: " | ", " - ", " – ", " — ", " · ", " :: ".
_KEY_DROP = re.compile(r"[\W_]+")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_BREAKING = frozenset({"br", "div", "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "header", "td"})
_MAX_DEPTH = 40
_CLAUSE_ENDS = frozenset(":;,.!?…")
_GENERIC_HOST_LABELS = frozenset({"www", "m", "amp", "mobile", "news", "com", "fr", "net", "org"})


@dataclass(frozen=True)
class Page:
    """The self-description of a page, read once: meta tags, JSON-LD objects, language, headings."""

    metas: dict[str, list[str]]
    ld_objects: tuple[dict[str, Any], ...]
    article_lds: tuple[dict[str, Any], ...]
    html_lang: str | None
    title_tag: str | None
    h1s: tuple[str, ...]
    url: str | None = None
    host: str | None = field(default=None)

    def meta(self, *names: str) -> str | None:
        """The first non-empty value of the first of ``names`` the page has (names are lowercase)."""
        for name in names:
            for value in self.metas.get(name, ()):
                if value:
                    return value
        return None

    @property
    def article_ld(self) -> dict[str, Any] | None:
        """The page's first article JSON-LD object (NewsArticle, BlogPosting, ...), or None."""
        return self.article_lds[0] if self.article_lds else None

    def ld(self, key: str) -> Any:
        """A field of the page's article JSON-LD objects (the first that has it), or None.

        References (``{"@id": ...}``) to other objects of the page are followed.
        """
        for obj in self.article_lds:
            value = obj.get(key)
            if value is not None:
                return self._resolve(value)
        return None

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._resolve(item) for item in value]
        if isinstance(value, dict) and set(value) == {"@id"}:
            target = value["@id"]
            return next((obj for obj in self.ld_objects if obj.get("@id") == target and len(obj) > 1), value)
        return value


def elements(found: object) -> list[HtmlElement]:
    """The elements among an XPath result (lxml types every result as a union)."""
    return [item for item in found if isinstance(item, HtmlElement)] if isinstance(found, list) else []


def strings(found: object) -> list[str]:
    """The strings (text nodes, attribute values) among an XPath result."""
    return [str(item) for item in found if isinstance(item, str)] if isinstance(found, list) else []


def meta_text(value: str) -> str:
    """Text from an attribute or JSON-LD value: HTML entities decoded (some sites escape twice), cleaned."""
    if "&" in value and _ENTITY.search(value):
        value = html.unescape(value)
    return clean(value)


def _metas(tree: HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in elements(_META(tree)):
        content = element.get("content")
        if not isinstance(content, str):
            continue
        for attribute in ("property", "name", "itemprop"):
            name = element.get(attribute)
            if isinstance(name, str) and name:
                found.setdefault(name.strip().lower(), []).append(meta_text(content))
    return found


def _ld_walk(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Top-level JSON-LD objects: lists and ``@graph`` unwrapped, not nested values."""
    if depth > 4:
        return
    if isinstance(value, list):
        for item in value:
            yield from _ld_walk(item, depth + 1)
    elif isinstance(value, dict):
        if "@type" in value:
            yield value
        graph = value.get("@graph")
        if graph is not None:
            yield from _ld_walk(graph, depth + 1)


def _ld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for script in elements(_JSON_LD(tree)):
        text = script.text or ""
        if not text.strip() or len(text) > _MAX_JSON_LD:
            continue
        try:
            data = json.loads(text.strip().removesuffix(";"), strict=False)
        except ValueError:
            logger.debug("unreadable JSON-LD block skipped (%d characters)", len(text))
            continue
        objects.extend(_ld_walk(data))
    return objects


def ld_types(obj: dict[str, Any]) -> set[str]:
    """The lowercased ``@type`` names of a JSON-LD object."""
    kinds = obj.get("@type")
    names = kinds if isinstance(kinds, list) else [kinds]
    return {name.lower() for name in names if isinstance(name, str)}


def _article_lds(objects: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    return tuple(obj for obj in objects if ld_types(obj) & ARTICLE_TYPES)


def _element_text(element: HtmlElement) -> str:
    """The element's text as a browser shows it: inline children run on without an added space
    ("<span>LTE-Patent</span><span>: </span><span>Samsung…</span>"); line breaks and blocks part words."""
    parts: list[str] = []
    _gather(element, parts, 0)
    joined = ""
    for part in parts:
        if part and joined and joined[-1] in _CLAUSE_ENDS and part[0].isalpha():
            joined += " "  # "…पकड़ा:</span>दो…": a clause mark at an element's edge ends a phrase
        joined += part
    return clean(joined)


def _gather(node: etree._Element, parts: list[str], depth: int) -> None:
    if isinstance(node.tag, str):
        breaking = node.tag in _BREAKING
        if depth > _MAX_DEPTH:  # hostile nesting: the text without its inline layout
            parts.append(" ".join(str(text) for text in node.itertext()))
            return
        parts.append(" " if breaking else "")
        parts.append(node.text or "")
        for child in node:
            _gather(child, parts, depth + 1)
            parts.append(child.tail or "")
        parts.append(" " if breaking else "")


def read_page(tree: HtmlElement, url: str | None) -> Page:
    """Everything the page declares about itself, read once."""
    objects = _ld_objects(tree)
    title_tag = next((meta_text(node.text_content()) for node in elements(_TITLE(tree))), None)
    h1s = tuple(text for text in (_element_text(node) for node in elements(_H1(tree))[:_MAX_H1]) if text)
    root = tree.getroottree().getroot()
    lang = root.get("lang") or root.get("xml:lang")
    return Page(
        metas=_metas(tree),
        ld_objects=tuple(objects),
        article_lds=_article_lds(objects),
        html_lang=lang.strip() if isinstance(lang, str) and lang.strip() else None,
        title_tag=title_tag or None,
        h1s=h1s,
        url=url,
        host=site_host(url),
    )


def fold_key(text: str) -> str:
    """Letters and digits only, casefolded: what two spellings of the same name have in common."""
    return _KEY_DROP.sub("", text.casefold())


def ld_name(value: Any) -> str | None:
    if isinstance(value, str):
        return meta_text(value) or None
    if isinstance(value, dict):
        return ld_name(value.get("name"))
    if isinstance(value, list) and value:
        return ld_name(value[0])
    return None


def _site_from_ld(page: Page) -> str | None:
    publisher = ld_name(page.ld("publisher"))
    if publisher:
        return publisher
    for obj in page.ld_objects:
        if ld_types(obj) & {"website", "organization", "newsmediaorganization"}:
            name = ld_name(obj.get("name"))
            if name:
                return name
    return None


def find_site_name(page: Page) -> str | None:
    """og:site_name, else the JSON-LD publisher or website name, else the host name."""
    declared = page.meta("og:site_name", "application-name", "apple-mobile-web-app-title")
    if declared and "://" in declared:
        declared = site_host(declared) or None
    if declared:
        return declared.rstrip("/") or None
    return _site_from_ld(page) or page.host


def site_keys(page: Page, site_name: str | None) -> set[str]:
    """Folded spellings of the site's name: declared names, the host and its distinctive labels."""
    names = [site_name, page.meta("og:site_name", "application-name", "apple-mobile-web-app-title")]
    names.append(_site_from_ld(page))
    keys = {fold_key(name) for name in names if name}
    if page.host:
        labels = [label for label in page.host.split(".") if label not in _GENERIC_HOST_LABELS]
        keys.add(fold_key(page.host))
        keys.update(fold_key(label) for label in labels if len(label) > 1)
        keys.add("".join(labels))
    keys.discard("")
    return keys
