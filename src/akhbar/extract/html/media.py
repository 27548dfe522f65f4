"""The lead image of an HTML page and its caption, and every caption on the page.

The lead image is the page's declared sharing image (``og:image``, ``twitter:image``, JSON-LD
``image``), else the first image of the article; its URL is made absolute. Its caption is the
``<figcaption>`` (or caption-classed element) of the figure that shows that image, without photo
credits; else the first captioned figure of the article; else the JSON-LD image caption; else the
image's ``alt`` meta tag when it is not just the title again.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

from akhbar.extract.html.meta import Page, elements, fold_key, meta_text, strings
from akhbar.extract.text import clean

__all__ = ["all_captions", "find_image"]

_IMAGE_METAS = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
_ALT_METAS = ("og:image:alt", "twitter:image:alt")
_CAPTION_TEST = (
    "self::figcaption or contains(@class, 'caption') or contains(@class, 'legend')"
    " or contains(@class, 'Caption') or contains(@class, 'legende')"
)
_CAPTION_XPATH = etree.XPath(f".//*[{_CAPTION_TEST}]")  # compiled once: it runs up to four times an image
_FIGCAPTIONS = etree.XPath(".//figcaption")
_IMAGES = etree.XPath("//img")
_ARTICLE_FIGURES = etree.XPath(
    "(//article|//main|//*[@itemprop='articleBody'])[1]//figure[.//figcaption and .//img]"
)
_FIRST_ARTICLE_IMAGE = etree.XPath("(//article|//main|//*[@itemprop='articleBody'])[1]//img[@src][1]")
_BASE = etree.XPath("//base[@href][1]/@href")
_CREDIT_CLASS = re.compile(r"credit|copyright|author|source|photographer|byline|button|close|svg", re.I)
_CREDIT_TAIL = re.compile(
    r"\s*(?:[-–—|/]\s*)?(?:\((?:[^()]*/[^()]*|\s*(?:©|\(c\)|photo|crédit|credit|source)[^()]*)\)"
    r"|(?:©|\(c\)|photo\s*:|crédits?\s*(?:photos?)?\s*:)[^.]*)\s*$",
    re.IGNORECASE,
)
_TRAILING_DASH = re.compile(r"\s*[-–—|/]\s*$")
_SIZE_TOKEN = re.compile(r"^\d+x\d+$|^\d{1,4}$|^(?:w|h|q)\d+$", re.I)
_TOKEN_SPLIT = re.compile(r"[_\-.]+")
_MAX_CAPTION_WORDS = 80
_MAX_CAPTIONS = 60
_ASCEND = 4
_MIN_NAME_TOKEN = 6  # shorter pieces of an image's file name (img, photo, 2024) name nothing


def _absolute(value: str | None, base: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if value.startswith("data:"):
        return None
    if base:
        try:
            return urljoin(base, value)
        except ValueError:
            return None
    return value


def _ld_image(value: Any) -> tuple[str | None, str | None]:
    """(URL, caption) of a JSON-LD ``image`` value: a string, an ImageObject or a list of them."""
    if isinstance(value, list) and value:
        return _ld_image(value[0])
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict):
        url = value.get("url") or value.get("contentUrl")
        caption = value.get("caption")
        return (
            url if isinstance(url, str) else None,
            meta_text(caption) if isinstance(caption, str) else None,
        )
    return None, None


def caption_text(element: HtmlElement) -> str:
    """A caption's own words: credit, copyright and button children left out, a trailing credit cut."""
    parts: list[str] = []
    skipped: set[HtmlElement] = set()
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        if node in skipped or _CREDIT_CLASS.search(str(node.get("class") or "")) or node.tag == "svg":
            skipped.update(node.iter())
            if node is not element and node.tail:
                parts.append(node.tail)
            continue
        if node.text:
            parts.append(node.text)
        if node is not element and node.tail:
            parts.append(node.tail)
    text = clean(" ".join(parts))
    text = _CREDIT_TAIL.sub("", text)
    return _TRAILING_DASH.sub("", text).strip()


def all_captions(candidates: list[HtmlElement]) -> list[str]:
    """The texts of caption elements (credits left out), in document order, without repeats."""
    found: list[str] = []
    for element in candidates[:_MAX_CAPTIONS]:
        text = caption_text(element)
        if text and len(text.split()) <= _MAX_CAPTION_WORDS and text not in found:
            found.append(text)
    return found


def _tokens(url: str) -> set[str]:
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    name = name.rsplit(".", 1)[0] if "." in name else name
    return {
        token
        for token in _TOKEN_SPLIT.split(name)
        if len(token) >= _MIN_NAME_TOKEN and not _SIZE_TOKEN.match(token)
    }


def _image_sources(image: HtmlElement) -> str:
    return " ".join(
        str(image.get(name) or "") for name in ("src", "data-src", "srcset", "data-srcset", "data-lazy-src")
    )


def _caption_near(node: HtmlElement) -> str | None:
    for _ in range(_ASCEND):
        parent = node.getparent()
        if parent is None:
            return None
        node = parent
        for element in elements(_CAPTION_XPATH(node)):
            text = caption_text(element)
            if text:
                return text
    return None


def _caption_of(tree: HtmlElement, image_url: str | None) -> str | None:
    """The caption of the figure showing the image; if the page does not show it, of its first figure."""
    tokens = _tokens(image_url) if image_url else set()
    shown = False
    if tokens:
        for image in elements(_IMAGES(tree)):
            if any(token in _image_sources(image) for token in tokens):
                shown = True
                caption = _caption_near(image)
                if caption:
                    return caption
    if shown:
        return None
    for figure in elements(_ARTICLE_FIGURES(tree))[:1]:
        for element in elements(_FIGCAPTIONS(figure)):
            text = caption_text(element)
            if text:
                return text
    return None


def _is_summary(caption: str, page: Page) -> bool:
    key = fold_key(caption)
    summaries = [page.meta("og:description"), page.meta("description"), page.meta("twitter:description")]
    summary = page.ld("description")
    summaries.append(meta_text(summary) if isinstance(summary, str) else None)
    return any(text and key and (key in fold_key(text) or fold_key(text) in key) for text in summaries)


def find_image(page: Page, tree: HtmlElement, *, title: str) -> tuple[str | None, str | None]:
    """(absolute URL of the lead image, its caption); either may be None."""
    bases = strings(_BASE(tree))
    base = urljoin(page.url or "", str(bases[0])) if bases else page.url
    ld_url, ld_caption = _ld_image(page.ld("image"))
    declared = page.meta(*_IMAGE_METAS) or ld_url
    if not declared:
        first = elements(_FIRST_ARTICLE_IMAGE(tree))
        declared = str(first[0].get("src")) if first else None
    image_url = _absolute(declared, base)
    caption = _caption_of(tree, image_url) or ld_caption
    if caption and fold_key(caption) in {fold_key(title), *map(fold_key, page.h1s)}:
        caption = None  # the title repeated under the photo is no caption
    if caption and _is_summary(caption, page):
        caption = None  # the article's summary repeated in the image's fields is no caption
    if not caption:
        alt = page.meta(*_ALT_METAS)
        title_key = fold_key(title)
        if alt and fold_key(alt) not in {title_key, ""} and fold_key(alt) not in map(fold_key, page.h1s):
            caption = alt
    if caption and len(caption.split()) > _MAX_CAPTION_WORDS:
        caption = None
    return image_url, caption
