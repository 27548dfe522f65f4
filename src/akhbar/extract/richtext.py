"""Editors' rich text: Markdown read with markdown-it-py, shown as HTML that nh3 has sanitised.

What an editor may write: paragraphs, subheadings (``##`` and ``###``; a ``#`` title inside the text
becomes a subheading, the article has one title), links, quotes, bulleted and numbered lists,
emphasis and inline images. Raw HTML in the text is shown as text, never interpreted, and whatever
markdown-it produces then goes through nh3's allow-list (tags, attributes, http(s)/mailto links,
``rel="noopener nofollow"``), so no script, event handler or ``javascript:`` link reaches a page.

Every block carries ``dir="auto"``: a French quote inside an Arabic article reads left to right
inside the right-to-left page. The plain paragraphs (search, duplicates, feeds, the API's
``body_paragraphs``) are the text of each block, images left out.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = ["paragraphs", "to_html"]

TAGS = frozenset(
    {"p", "h2", "h3", "h4", "a", "blockquote", "ul", "ol", "li", "em", "strong", "img", "br", "code", "hr"}
)
ATTRIBUTES = {
    "*": {"dir", "lang"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "loading"},
    "ol": {"start"},
}
SCHEMES = frozenset({"http", "https", "mailto"})
_BLOCKS = frozenset(
    {
        "paragraph_open",
        "heading_open",
        "blockquote_open",
        "bullet_list_open",
        "ordered_list_open",
        "list_item_open",
    }
)


@cache
def _parser() -> MarkdownIt:
    # CommonMark without raw HTML (it shows as text); tables and strikethrough are not newsroom needs.
    return MarkdownIt("commonmark", {"html": False, "typographer": False})


def _tokens(text: str) -> list[Token]:
    tokens = _parser().parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag in ("h1", "h5", "h6"):
            token.tag = "h2" if token.tag == "h1" else "h4"
        if token.type in _BLOCKS:
            token.attrSet("dir", "auto")
        for child in token.children or ():
            if child.type == "image":
                child.attrSet("loading", "lazy")
    return tokens


def to_html(text: str) -> str:
    """The sanitised HTML of an editor's Markdown ``text``."""
    parser = _parser()
    rendered = parser.renderer.render(_tokens(text), parser.options, {})
    return nh3.clean(
        rendered,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(SCHEMES),
        link_rel="noopener nofollow",
        strip_comments=True,
    )


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def paragraphs(text: str) -> tuple[str, ...]:
    """The plain text of each block of ``text`` (headings, paragraphs, list items, quotes), in order."""
    found = (_inline_text(token) for token in _tokens(text) if token.type == "inline")
    return tuple(line for line in found if line)
