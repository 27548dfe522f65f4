"""The article an empty shell carries in its scripts, for pages a browser fills in with JavaScript.

Server-rendered frameworks that hydrate on the client (React server components, Nuxt and the like)
can serve a page whose ``<body>`` is only a spinner while the article's markup travels in a script
as a string literal (``self.__next_f.push([1,"…\\u003cp\\u003e…"])``). :func:`embedded_page`
decodes such string literals and, when they hold paragraphs of markup, builds a page of them under
the original ``<head>``, so that the usual extraction (and the page's metadata) applies.
"""

from __future__ import annotations

import json
import re

from lxml import etree
from lxml.html import HtmlElement

from akhbar.extract.html.meta import elements

__all__ = ["embedded_page"]

_SCRIPTS = etree.XPath("//script[not(@type) or @type='text/javascript' or @type='module']")
# A JavaScript/JSON string literal in double quotes, long enough to hold an article.
_LITERAL = re.compile(r'"((?:[^"\\]|\\.){400,})"', re.DOTALL)
_MARKUP = re.compile(r"<p[\s>]")
_MIN_PARAGRAPHS = 3
_MAX_SCRIPT_CHARS = 5_000_000


def _markup_strings(script: str) -> list[str]:
    found: list[str] = []
    for match in _LITERAL.finditer(script):
        if "\\u003cp" not in match.group(1) and "<p" not in match.group(1):
            continue
        try:
            text = json.loads(f'"{match.group(1)}"')
        except ValueError:
            continue
        if isinstance(text, str) and len(_MARKUP.findall(text)) >= _MIN_PARAGRAPHS:
            found.append(text[text.find("<") : text.rfind(">") + 1])
    return found


def embedded_page(tree: HtmlElement) -> str | None:
    """A page made of the markup the scripts carry, under the page's own ``<head>``; None if none."""
    chunks: list[str] = []
    for script in elements(_SCRIPTS(tree)):
        text = script.text or ""
        if "<p" in text or "\\u003cp" in text:
            chunks.extend(_markup_strings(text[:_MAX_SCRIPT_CHARS]))
    if not chunks:
        return None
    head = tree.find("head")
    head_markup = etree.tostring(head, encoding="unicode", method="html") if head is not None else ""
    return f"<html>{head_markup}<body><article>{''.join(chunks)}</article></body></html>"
