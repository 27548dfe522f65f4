"""One pass over a page's elements, sorting out the few that later steps look for.

Finding captions, tickers and "latest news" labels with one XPath each costs a walk of the whole
tree each (lxml evaluates ``contains(@class, ...)`` on every element); one Python walk that reads
each element's class and id once is several times cheaper, and extraction runs on every page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml.html import HtmlElement

__all__ = ["LATEST_LABEL", "Scan", "scan"]

LATEST_LABEL = re.compile(
    r"^(?:آخر الأخبار|اخر الأخبار|آخر الاخبار|اخر الاخبار|أخبار عاجلة|الأخبار العاجلة|الاخبار العاجلة|عاجل"
    r"|الأكثر قراءة|الأكثر مشاهدة|dernières? (?:infos?|actualités|nouvelles|minutes?|news)|à la une"
    r"|en continu|les plus lus|fil (?:info|d'actualités?)|flash infos?|latest(?: news)?|breaking(?: news)?"
    r"|top stories|most read|most popular|just in)\s*:?$",
    re.IGNORECASE,
)
"""A "latest news" label in Arabic, French or English (the whole text of the label)."""

_NAMES = re.compile(
    r"(?P<caption>caption|legend)|(?P<ticker>ticker|breaking|latest|marquee|urgent|news-?bar|fil-?info|flash)",
    re.IGNORECASE,
)
# Readers' comments: "comments", "comment-list", "fig-comments", "commentaires", SPIP's "forum".
_COMMENTS = re.compile(r"(?:^|[\s_-])(?:comments?|commentaires?|forum)(?:$|[\s_-])", re.IGNORECASE)
# Whether a class or id may match either pattern above: most elements carry names that match neither,
# and a lower-cased, case-sensitive search rejects them several times faster than the two
# case-insensitive ones (names not in ASCII, where lower-casing and case folding may differ, take those).
_ANY_NAME = re.compile(
    r"caption|legend|ticker|breaking|latest|marquee|urgent|news-?bar|fil-?info|flash|comment|forum"
)
_COMMENT_TAGS = frozenset({"div", "section", "ul", "ol", "li", "aside", "footer"})
_CONTAINERS = frozenset({"div", "ul", "ol", "section", "aside", "nav", "p", "marquee"})
_LABEL_TAGS = frozenset({"h2", "h3", "h4", "h5", "span", "strong", "div", "p"})
_LABEL_LENGTH = (3, 40)
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg"})


@dataclass
class Scan:
    """The elements of one page that captions and headlines are read from, in document order."""

    captions: list[HtmlElement] = field(default_factory=list)
    tickers: list[HtmlElement] = field(default_factory=list)
    labels: list[HtmlElement] = field(default_factory=list)
    comments: list[HtmlElement] = field(default_factory=list)


def _label(element: HtmlElement) -> bool:
    text = element.text
    if not text:
        return False
    low, high = _LABEL_LENGTH
    text = " ".join(text.split())
    return low <= len(text) <= high and LATEST_LABEL.match(text) is not None


def _inside(element: HtmlElement, containers: list[HtmlElement]) -> bool:
    """Whether ``element`` is inside the last container found (document order: the only candidate)."""
    if not containers:
        return False
    last = containers[-1]
    return any(ancestor is last for ancestor in element.iterancestors())


def _named(names: str) -> bool:
    """Whether a class or id may name a caption, a ticker or comments (a superset of the patterns)."""
    if names.isascii():
        return _ANY_NAME.search(names.lower()) is not None
    return _NAMES.search(names) is not None or _COMMENTS.search(names) is not None


def scan(tree: HtmlElement) -> Scan:
    """Walk the page once and collect caption elements, ticker containers, latest-news labels and the
    containers of readers' comments (outermost ones only)."""
    found = Scan()
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag == "figcaption":
            found.captions.append(element)
        elif tag == "marquee":
            found.tickers.append(element)
        names = element.get("class") or ""
        identifier = element.get("id")
        if identifier:
            names = f"{names} {identifier}"
        if names and _named(names):
            _sort_named(element, tag, names, found)
        if tag in _LABEL_TAGS and _label(element):
            found.labels.append(element)
    return found


def _sort_named(element: HtmlElement, tag: str, names: str, found: Scan) -> None:
    """File an element whose class or id names a caption, a ticker or comments."""
    if tag in _COMMENT_TAGS and _COMMENTS.search(names) and not _inside(element, found.comments):
        found.comments.append(element)
    for match in _NAMES.finditer(names):
        if match.group("caption") and tag != "figcaption":
            found.captions.append(element)
            return
        if match.group("ticker") and tag in _CONTAINERS and tag != "marquee":
            found.tickers.append(element)
            return
