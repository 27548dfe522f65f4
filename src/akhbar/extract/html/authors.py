"""The article's authors: JSON-LD people, author meta tags, visible bylines, then organisations.

Names that are only the site's own name ("Le Monde", "MesOpinions.com") count last: they are the
answer only when nothing names a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from lxml.html import HtmlElement

from akhbar.extract.dates import find_date
from akhbar.extract.html.meta import Page, fold_key, ld_name, ld_types, site_keys
from akhbar.extract.text import clean, script_of

__all__ = [
    "byline_elements",
    "find_authors",
    "find_bylines",
    "is_byline",
    "labelled_bylines",
    "strip_author_prefix",
]

_AUTHOR_PREFIX = re.compile(
    r"^(?:par|by|auteure?s?|authors?|écrit par|texte|propos recueillis par|بقلم|كتب|كتبت|إعداد|تحرير)"
    r"\s*[:：-]?\s+",
    re.IGNORECASE,
)
_AUTHOR_SPLIT = re.compile(r"\s*[;|]\s*|\s*,\s+(?=[^\W\d_])")
# The author elements: rel="author", itemprop or id naming the author, a class naming the author or
# the byline. One walk reading each element's attributes in Python costs about half of the XPath
# with nine contains() tests (lxml's regular-expression extension would call back into Python for
# every element anyway); the tests are the same, case and all.
_CLASS_WORDS = ("author", "Author", "byline", "signature", "auteur")
_ID_WORDS = ("author", "byline")


def _is_author_element(element: HtmlElement) -> bool:
    get = element.get
    names = get("class")
    if names and any(word in names for word in _CLASS_WORDS):
        return True
    identifier = get("id")
    if identifier and any(word in identifier for word in _ID_WORDS):
        return True
    return get("rel") == "author" or "author" in (get("itemprop") or "")


def _author_elements(tree: HtmlElement) -> Iterator[HtmlElement]:
    """The page's elements with rel, itemprop, class or id naming the author or byline, in page order."""
    for element in tree.iter():
        if isinstance(element.tag, str) and isinstance(element, HtmlElement) and _is_author_element(element):
            yield element


_ASIDE = re.compile(r"(?:^|\s)(?:comments?|comment-list|sidebar|related)", re.IGNORECASE)
_BYLINE_TAIL = re.compile(r"[\s,|\-–—]*(?:\b(?:le|on|à|at|في|بتاريخ))?[\s,|\-–—]*$", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"[\d:@/]|://")
_SECTION_LINK = re.compile(
    r"/(?:category|categorie|categories|tags?|sections?|rubriques?|topics?|themes?)/", re.I
)
_AUTHOR_LINK = re.compile(r"/(?:authors?|auteurs?|journalistes?|writers?|people|profil)", re.I)
_MAX_BYLINE_ELEMENTS = 30
_MAX_BYLINE_WORDS = 6
_MAX_BYLINES = 3
_MAX_NAME_CHARS = 80  # longer is a sentence or a list, not a person's name
_AUTHOR_LINE = re.compile(
    r"^(?:par|by|auteure?s?|authors?|بقلم|كتب|كتبت|إعداد)\s*[:：-]?\s+\S", re.IGNORECASE
)
_NAME_WORD = re.compile(r"^(?:[A-ZÀ-ÖØ-Þ][\w'’.\-]*|et|and|de|du|des|la|le|von|van|avec|with|و)$")
_MAX_BYLINE_NAME_WORDS = 8
_MAX_LABELLED_CHARS = 80
_MAX_PARAGRAPHS_READ = 400


def strip_author_prefix(text: str) -> str:
    """A byline without "Par", "By", "بقلم", "Auteur :" and the like in front."""
    return _AUTHOR_PREFIX.sub("", clean(text)).strip(" :-–—,")


def is_byline(text: str) -> bool:
    """A short "Par X", "By X", "بقلم X", "Auteur : X" line naming people."""
    if not _AUTHOR_LINE.match(text):
        return False
    words = strip_author_prefix(text).split()
    if not words or len(words) > _MAX_BYLINE_NAME_WORDS:
        return False
    latin = [word for word in words if script_of(word) == "latin"]
    return all(_NAME_WORD.match(word) for word in latin)


def labelled_bylines(tree: HtmlElement) -> list[str]:
    """Bylines written as paragraphs of the page, wherever they are ("<p>Auteur : Jeanne Dupont</p>"),
    outside comments, sidebars and footers: the page's own credit when no element is marked author."""
    found: list[str] = []
    for index, paragraph in enumerate(tree.iter("p")):
        if index >= _MAX_PARAGRAPHS_READ or len(found) >= _MAX_BYLINES:
            break
        text = clean(paragraph.text_content())
        if (
            len(text) <= _MAX_LABELLED_CHARS
            and is_byline(text)
            and not _aside(paragraph)
            and text not in found
        ):
            found.append(text)
    return found


def _names(values: Iterable[str]) -> list[str]:
    names: list[str] = []
    for value in values:
        for part in _AUTHOR_SPLIT.split(strip_author_prefix(value)):
            name = clean(part.strip(" ,;:-–—"))
            if (
                name
                and "://" not in name
                and "@" not in name
                and len(name) <= _MAX_NAME_CHARS
                and name not in names
            ):
                names.append(name)
    return names


def _ld_authors(value: Any) -> tuple[list[str], list[str]]:
    """(people, organisations) named as the JSON-LD author."""
    items = value if isinstance(value, list) else [value]
    people: list[str] = []
    organisations: list[str] = []
    for item in items:
        name = ld_name(item)
        if name:
            kinds = ld_types(item) if isinstance(item, dict) else set()
            (organisations if kinds & {"organization", "newsmediaorganization"} else people).append(name)
    return people, organisations


def _aside(element: HtmlElement) -> bool:
    """Whether the element sits in comments, a sidebar, a "related" box or a footer."""
    for ancestor in element.iterancestors():
        if ancestor.tag in {"aside", "footer"}:
            return True
        if ancestor.tag in {"div", "section", "ul", "ol"} and (
            _ASIDE.search(str(ancestor.get("class") or "")) or "comment" in str(ancestor.get("id") or "")
        ):
            return True
    return False


def _links_to_sections(element: HtmlElement) -> bool:
    """Whether the element's links lead to sections or tags (a category label), none to an author."""
    targets = [str(link.get("href") or "") for link in element.iter("a")]
    return any(_SECTION_LINK.search(target) for target in targets) and not any(
        _AUTHOR_LINK.search(target) for target in targets
    )


def _shown(element: HtmlElement) -> str:
    if element.tag == "img":
        return str(element.get("alt") or element.get("title") or "")
    if element.tag == "meta":
        return str(element.get("content") or "")
    return str(element.text_content())


def _in_teaser(element: HtmlElement) -> bool:
    """Whether the element sits inside a link to something other than an author page: the author of
    another article, named in that article's teaser."""
    link = next(element.iterancestors("a"), None)
    return link is not None and not _AUTHOR_LINK.search(str(link.get("href") or ""))


def byline_elements(tree: HtmlElement) -> list[HtmlElement]:
    """The page's author elements (rel/itemprop/class ``author``, ``byline``), outside comments,
    sidebars, footers and other articles' teasers, and other than section labels, in page order."""
    return [
        element
        for element in islice(_author_elements(tree), _MAX_BYLINE_ELEMENTS)
        if not _aside(element) and not _links_to_sections(element) and not _in_teaser(element)
    ]


def find_bylines(tree: HtmlElement) -> list[str]:
    """Short texts of the page's author elements (rel/itemprop/class ``author``, ``byline``)."""
    found: list[str] = []
    for element in byline_elements(tree):
        shown = _shown(element)
        text = strip_author_prefix(shown or "")
        dated = find_date(text) if text else None
        if dated is not None and dated.start > 0:  # "Jane Doe le 07 mai 2020"
            text = _BYLINE_TAIL.sub("", text[: dated.start])
        words = text.split()
        if 1 <= len(words) <= _MAX_BYLINE_WORDS and not _NOT_A_NAME.search(text) and text not in found:
            found.append(text)
            if len(found) >= _MAX_BYLINES:
                break
    return found


def find_authors(
    page: Page, site_name: str | None, bylines: Callable[[], Iterable[str]] = tuple
) -> tuple[str, ...]:
    """Authors: people named in JSON-LD or author meta tags, else visible bylines (``bylines`` is
    called only then), else the organisation or generic ``author`` tag. Names that are the site's own
    name count last."""
    keys = site_keys(page, site_name)
    people, organisations = _ld_authors(page.ld("author"))
    tagged = page.meta("article:author", "og:article:author", "parsely-author", "sailthru.author", "byl")
    generic = page.meta("author", "dc.creator", "dc:creator")
    sources: list[Callable[[], Iterable[str]]] = [
        lambda: people,
        lambda: [tagged] if tagged else [],
        bylines,
        lambda: organisations,
        lambda: [generic] if generic else [],
    ]
    fallback: list[str] = []
    for source in sources:
        names = _names(source())
        persons = [name for name in names if fold_key(name) not in keys]
        if persons:
            return tuple(persons)
        fallback = fallback or names
    return tuple(fallback)
