"""Turn an HTML page into a whole-page text dump: every visible text block, one per line.

The result looks like the specimen dumps the text-dump extractor reads: navigation, tickers, the
article and the footer alike, one line per block element, blank lines between blocks and inline
whitespace collapsed. Scripts, styles, templates, SVG and the ``<head>`` are dropped; image ``alt``
text is not included (a browser does not show it either).
"""

from __future__ import annotations

import logging
import re

from lxml import etree, html

from akhbar.errors import InputError
from akhbar.extract.decoding import decode
from akhbar.extract.text import clean
from akhbar.models import Document

__all__ = ["decode_html", "page_text"]

logger = logging.getLogger(__name__)

_DROPPED = (
    "head",
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "audio",
    "video",
    "select",
    "textarea",
    "title",
    "meta",
    "link",
)
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "button",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "label",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def decode_html(data: bytes) -> str:
    """Decode HTML bytes the way every page is decoded (:func:`akhbar.extract.decoding.decode`:
    BOM, valid UTF-8, the ``<meta>`` charset unless it garbles the text, else a guess), but never
    raise: bytes that cannot be a page come back as UTF-8 with replacement characters.
    """
    try:
        text, _html = decode(Document(location="<html>", data=data, content_type="text/html"))
    except InputError:
        return data.decode("utf-8", errors="replace")
    return text


def _parse(text: str) -> etree._Element | None:
    # A leading XML declaration with an encoding makes lxml refuse str input.
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text, count=1)
    if not text.strip():
        return None
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, recover=True, huge_tree=True)
    try:
        root = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as error:
        logger.debug("unparsable HTML: %s", error)
        return None
    return root


def _drop_invisible(root: etree._Element) -> None:
    etree.strip_elements(root, *_DROPPED, with_tail=False)
    found = root.xpath("//*[@hidden] | //*[@style]")
    for element in found if isinstance(found, list) else []:
        if not isinstance(element, html.HtmlElement) or element.getparent() is None:
            continue
        if element.get("hidden") is not None or _HIDDEN_STYLE.search(element.get("style") or ""):
            element.drop_tree()


def _lines(root: etree._Element) -> list[str]:
    lines: list[str] = []
    parts: list[str] = []

    def flush() -> None:
        if parts:
            line = clean("".join(parts))
            if line:
                lines.append(line)
            parts.clear()

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        block = tag.lower() in _BLOCKS
        if event == "start":
            if block:
                flush()
            if element.text:
                parts.append(element.text)
        else:
            if block:
                flush()
            if element.tail:
                parts.append(element.tail)
    flush()
    return lines


def page_text(page: bytes | str) -> str:
    """All visible text of an HTML page, one block per line, blocks separated by blank lines.

    Never raises on bad markup: an empty or unparsable page gives ``""``.
    """
    text = decode_html(page) if isinstance(page, bytes) else page
    root = _parse(text)
    if root is None:
        return ""
    _drop_invisible(root)
    body = root.find("body")
    return "\n\n".join(_lines(body if body is not None else root))
