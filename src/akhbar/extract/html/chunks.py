"""Article text the main-text extractor stops short of: a body the page splits into sibling chunks.

Some templates cut a long article into several containers of one kind (``<div class="body-chunk">``
three times, an advertisement row between each). trafilatura takes the first chunk for the whole
article and the rest is lost (a 4,700-word feature came out as its first 2,200 words). The chunks
that follow are found from the page itself: from the paragraph the extraction ends with, up its
ancestors to the nearest one that has later siblings of the same tag and class; their prose
paragraphs continue the article. Only prose counts (sentences, few links), so a row of teasers or
links that shares the chunk's class adds nothing, and what follows is tidied like the rest.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml.html import HtmlElement

from akhbar.extract.html.meta import fold_key
from akhbar.extract.text import clean, prose_words

__all__ = ["continuation"]

_MAX_LEVELS = 6  # ancestors of the last paragraph looked at: the chunk is a few levels up
_TAIL_PARAGRAPHS = 3  # the extraction's last paragraphs looked for in the page
_KEY_CHARS = 120  # a paragraph is found in the page by its first letters and digits
_MIN_KEY_CHARS = 40  # fewer could be a label repeated anywhere
_MIN_PARAGRAPH_WORDS = 12
_MIN_CHUNK_WORDS = 60  # all the chunks that follow together
_MAX_LINK_SHARE = 0.3
_SENTENCE_MARKS = frozenset(".!?؟…:;。！？")


def _key(text: str) -> str:
    """The first ``_KEY_CHARS`` letters and digits of the text, folded. Folding goes character by
    character, so the start of a long text is enough: it is folded first, the rest only if needed."""
    end = 2 * _KEY_CHARS
    while True:
        key = fold_key(text[:end])
        if len(key) >= _KEY_CHARS or end >= len(text):
            return key[:_KEY_CHARS]
        end *= 4


def _paragraph(tree: HtmlElement, texts: list[str]) -> HtmlElement | None:
    """The page's ``<p>`` holding the last of ``texts`` found in it (they are the extraction's last)."""
    wanted = [key for key in (_key(text) for text in texts) if len(key) >= _MIN_KEY_CHARS]
    found: dict[str, HtmlElement] = {}
    for element in tree.iter("p"):
        key = _key(element.text_content())
        if key in wanted and key not in found:
            found[key] = element
    return next((found[key] for key in reversed(wanted) if key in found), None)


def _in_link(paragraph: HtmlElement, chunk: HtmlElement) -> bool:
    """Whether the paragraph sits in a link inside the chunk: a teaser card's summary, not text."""
    for ancestor in paragraph.iterancestors():
        if ancestor is chunk:
            return False
        if ancestor.tag == "a":
            return True
    return False


def _prose(element: HtmlElement) -> Iterator[str]:
    """The chunk's paragraphs that read as prose: a dozen words or more, a sentence mark, few links,
    not inside a link."""
    for paragraph in element.iter("p"):
        if _in_link(paragraph, element):
            continue
        text = clean(paragraph.text_content())
        if prose_words(text) < _MIN_PARAGRAPH_WORDS or not _SENTENCE_MARKS & set(text):
            continue
        linked = sum(len(clean(link.text_content())) for link in paragraph.iter("a"))
        if linked <= _MAX_LINK_SHARE * len(text):
            yield text


def _same_kind(one: HtmlElement, other: HtmlElement) -> bool:
    return bool(other.tag == one.tag and other.get("class") == one.get("class"))


def _following_chunks(node: HtmlElement, known: set[str]) -> list[str]:
    """Prose of the later siblings of ``node``'s tag and class, less what was already extracted."""
    texts = [
        text
        for sibling in node.itersiblings()
        if isinstance(sibling, HtmlElement) and _same_kind(node, sibling)
        for text in _prose(sibling)
        if _key(text) not in known
    ]
    return texts if sum(map(prose_words, texts)) >= _MIN_CHUNK_WORDS else []


def continuation(tree: HtmlElement, texts: list[str]) -> list[str]:
    """Paragraphs of the chunks that continue an article whose extraction ended with ``texts``."""
    if not texts:
        return []
    last = _paragraph(tree, texts[-_TAIL_PARAGRAPHS:])
    known = {_key(text) for text in texts}
    node = last.getparent() if last is not None else None
    for _level in range(_MAX_LEVELS):
        if node is None or node.getparent() is None:
            break
        if node.get("class"):
            found = _following_chunks(node, known)
            if found:
                return found
        node = node.getparent()
    return []
