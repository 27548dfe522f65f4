"""trafilatura's output tree read as blocks: one per paragraph, heading, list item or table row.

trafilatura marks text up in its own XML (``p``, ``head``, ``list``/``item``, ``table``/``row``,
``quote``, ``lb`` for line breaks, ``hi``/``ref`` inline). Each block is one line of text; a list
item that is a layout box (an article set out in ``<ul><li>``) is read as a container of blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from lxml.etree import _Element

from akhbar.extract.text import clean, prose_words

__all__ = ["Block", "body_blocks"]

_BLOCK_TAGS = frozenset({"p", "head", "quote", "code", "list", "table"})
_ITEM_BOX_TAGS = frozenset({"p", "head", "quote", "table", "code"})
_BOX_PARAGRAPH_WORDS = 20
_INLINE_TAGS = frozenset({"hi", "ref", "lb", "graphic", "del", "span", ""})


@dataclass(frozen=True)
class Block:
    """One paragraph of trafilatura's output: ``kind`` is p, head, item, quote, code or row."""

    kind: str
    text: str


def _lines(element: _Element) -> list[str]:
    """The element's text in reading order, cut at its line breaks (``<lb/>``), each line cleaned."""
    lines: list[str] = []
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if node.tag == "lb":
            if event == "start":
                lines.append(clean("".join(parts)))
                parts.clear()
        elif event == "start" and isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        if event == "end" and node is not element and node.tail:
            parts.append(node.tail)  # after the element's own text and children, not before
    lines.append(clean("".join(parts)))
    return [line for line in lines if line]


def _container_blocks(container: _Element) -> list[Block]:
    """Blocks of a container trafilatura left unflattened (a ``div``): its blocks, and its loose text
    and inline elements (``hi``, ``ref``) gathered into paragraphs between them."""
    blocks: list[Block] = []
    loose: list[str] = [container.text or ""]

    def flush() -> None:
        text = clean("".join(loose))
        if text:
            blocks.append(Block("p", text))
        loose.clear()

    for child in container:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _INLINE_TAGS:
            if tag == "lb":
                flush()
            else:
                loose.append(" ".join(_lines(child)))
        else:
            flush()
            blocks.extend(_element_blocks(child))
        loose.append(child.tail or "")
    flush()
    return blocks


def _is_box(item: _Element) -> bool:
    """Whether a list item is a layout box: it holds a heading, or a paragraph of prose."""
    children = [child.tag for child in item]
    if "head" in children:
        return True
    return any(tag in _ITEM_BOX_TAGS for tag in children) and any(
        prose_words(" ".join(_lines(paragraph))) >= _BOX_PARAGRAPH_WORDS for paragraph in item.iter("p")
    )


def _list_blocks(element: _Element) -> list[Block]:
    """A list's items, one block per line; an item holding a heading or a paragraph of prose is a
    layout box (a page set out as ``<ul><li>``: the article, then its teasers; a teaser's headline),
    read as a container, so its paragraphs stay apart and its headings are headings. An item of
    labels ("<p>Épisode 1</p>Les poireux…") stays one line."""
    blocks: list[Block] = []
    boxes: set[_Element] = set()
    for item in element.iter("item"):
        if any(box in boxes for box in item.iterancestors("item")):
            continue  # read with the box it sits in
        if _is_box(item):
            boxes.add(item)
            blocks.extend(_container_blocks(item))
        else:
            blocks.extend(Block("item", line) for line in _lines(item))
    return blocks


def _element_blocks(element: _Element) -> list[Block]:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "list":
        return _list_blocks(element)
    if tag == "table":
        return [
            Block("row", clean(" ".join(" ".join(_lines(cell)) for cell in row)))
            for row in element.iter("row")
        ]
    if tag in _BLOCK_TAGS:
        return [Block(tag, line) for line in _lines(element)]
    return _container_blocks(element)


def body_blocks(body: _Element) -> list[Block]:
    """The paragraphs of trafilatura's output tree, in order, cut at line breaks."""
    return [block for block in _container_blocks(body) if block.text]
