"""What kind of page this is, and what else it shows: rejection reasons, other headlines, language.

Pages that are not articles are recognised by general signals:

* an error page served with status 200: its ``<title>`` or ``<h1>`` says "page not found",
  "page introuvable", "الصفحة غير موجودة" or "404 error", and little text follows; or, on a page
  that declares no article, a piece of its title is that message and little else ("Page introuvable
  | Le Figaro"), whatever the site's side boxes add around it;
* a list of links (home, section or tag page): most of the extracted text is the text of links;
  or the URL is a site's root, a tag, category or search page, or a short section path
  (``/societe/``, ``/monde/afrique``) and the page declares no article; or the page declares itself
  a website (``og:type``) and several paragraphs of its text open with links to other pages;
* a paywall stub: a subscription notice and only a teaser of the article: under 100 words, or
  less than a quarter of it by the notice's own count ("Il vous reste 88% de cet article à lire");
* an empty shell: no visible text at all (a page its scripts fill in).

Other headlines come from tickers and "latest news" boxes: elements whose class or id says ticker,
breaking, latest or marquee, and lists under a "latest news" heading, in Arabic, French or English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree
from lxml.html import HtmlElement

from akhbar.extract.html.body import Body
from akhbar.extract.html.meta import Page, elements, fold_key, strings
from akhbar.extract.html.scan import Scan
from akhbar.extract.html.title import title_segments
from akhbar.extract.language import detect_language_scored
from akhbar.extract.text import clean, letter_count, prose_words
from akhbar.text.urls import split_url

__all__ = [
    "MIN_BODY_WORDS",
    "choose_language",
    "find_headlines",
    "link_texts",
    "list_page_reason",
    "not_found_reason",
    "page_links",
    "paywall_reason",
    "visible_letters",
]

MIN_BODY_WORDS = 25
"""A body with fewer words than this is not an article."""
_NOT_FOUND = re.compile(
    r"page (?:non |)(?:trouvée|introuvable)|page not found|not found|introuvable|n['’]existe (?:pas|plus)"
    r"|(?:erreur|error|err)\s*404|404\s*(?:error|erreur|-|–|:|\|)|^\s*404\s*$"
    r"|page (?:does not|doesn['’]t) exist"
    r"|no longer (?:available|exists)|الصفحة (?:المطلوبة )?غير موجودة|صفحة غير موجودة|لم يتم العثور على"
    r"|(?:خطأ|الخطأ)\s*404|الصفحة التي تبحث عنها",
    re.IGNORECASE,
)
_MAX_NOT_FOUND_WORDS = 80
_MAX_TITLE_CHARS = 120  # a longer title or heading is a headline, not an error message
_NOT_FOUND_SHARE = 0.6
_MAX_STUB_WORDS = 100
_MIN_HIDDEN_SHARE = 75.0
_LINK_SHARE = 0.5
_MIN_LINK_WORDS = 3
_LIST_SAMPLE = 200
_MAX_LINKS = 3000
_HOME_LINKS = 15
_SECTION_PATH = re.compile(
    r"^/(?:(?:[a-z]{2}/)?(?:tags?|category|categories|categorie|rubriques?|sections?|topics?|themes?|authors?"
    r"|auteurs?|search|recherche|page)(?:/[^/]*)?/?|[a-z]{2}/?)?$",
    re.IGNORECASE,
)
# A section's address: one or two short segments of letters, each at most one hyphen ("/monde/afrique",
# "/societe/", "/sport/football-europeen"); articles have long slugs or numbers.
_SECTION_SEGMENT = re.compile(r"^[^\W\d_]{2,20}(?:-[^\W\d_]{2,20})?$")
_MAX_SECTION_SEGMENTS = 2
_MIN_TEASERS = 5
_TEASER_PREFIX = 8
_LINKS = etree.XPath("//body//a")
_LINKS_INSIDE = etree.XPath(".//a")
_VISIBLE_TEXT = etree.XPath(
    "//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)"
    " and not(ancestor::template)]"
)
_MAX_HEADLINES = 40
_HEADLINE_WORDS = (4, 30)
_ASCEND = 4
_LANGUAGE_SAMPLE = 1500
_DETECTOR_WINS_LETTERS = 200
_DETECTOR_WINS_SCORE = 0.6
_ARABIC_CODES = frozenset(
    {"ara", "arb", "arz", "ary", "apc", "ajp", "acm", "afb", "aeb", "arq", "ars", "acq", "ayl"}
)
_THREE_LETTER = {"fra": "fr", "fre": "fr", "eng": "en", "deu": "de", "ger": "de", "spa": "es"}


def _error_title(text: str) -> re.Match[str] | None:
    """The not-found message that makes up most of a piece of the title, if one does."""
    for piece in title_segments(text):
        found = _NOT_FOUND.search(piece)
        if found and letter_count(found.group()) >= _NOT_FOUND_SHARE * letter_count(piece):
            return found
    return None


def not_found_reason(page: Page, body_words: int) -> str | None:
    """Why the page is an error page served as a page, or None.

    A page that says "not found" in its title or heading is one when little text follows; a page
    that declares no article is one when a piece of its title is that message and little else,
    however much text its side boxes bring (trafilatura takes them for the body on such pages).
    """
    titles = [
        text
        for text in (page.title_tag, *page.h1s[:2], page.meta("og:title"))
        if text and len(text) <= _MAX_TITLE_CHARS
    ]
    if body_words <= _MAX_NOT_FOUND_WORDS:
        for text in titles:
            if found := _NOT_FOUND.search(text):
                return f"not found: the page says {found.group().strip()!r} (an error page served as a page)"
    if not _declares_article(page):
        for text in titles:
            if found := _error_title(text):
                message = found.group().strip()
                return f"not found: the page's title is {message!r} (an error page served as a page)"
    return None


def visible_letters(tree: HtmlElement, limit: int = 200) -> int:
    """Letters of visible text in the page's body, counting stops at ``limit``."""
    total = 0
    for text in strings(_VISIBLE_TEXT(tree)):
        total += letter_count(str(text))
        if total >= limit:
            break
    return total


def page_links(tree: HtmlElement) -> list[HtmlElement]:
    """The links (``<a>``) in the page's body."""
    return elements(_LINKS(tree))


def link_texts(anchors: list[HtmlElement]) -> dict[str, int]:
    """Link texts of at least three words: folded text -> number of words."""
    found: dict[str, int] = {}
    for anchor in anchors[:_MAX_LINKS]:
        text = " ".join(anchor.itertext())
        words = prose_words(text)
        if words >= _MIN_LINK_WORDS:
            found[fold_key(text)] = words
    return found


def _is_listing_address(url: str | None) -> bool:
    """Whether the URL is a site's root, a tag, category, author or search page, or a short section."""
    if not url:
        return False
    parts = split_url(url)
    if parts is None:
        return False
    path = parts.path or "/"
    if _SECTION_PATH.match(path) is not None:
        return True
    segments = [segment for segment in path.split("/") if segment]
    return len(segments) <= _MAX_SECTION_SEGMENTS and all(_SECTION_SEGMENT.match(s) for s in segments)


def _declares_article(page: Page) -> bool:
    kind = (page.meta("og:type") or "").lower()
    return page.article_ld is not None or kind == "article" or kind.endswith(":article")


def _declares_website(page: Page) -> bool:
    return page.article_ld is None and (page.meta("og:type") or "").strip().lower() == "website"


def _teasers(texts: list[str], links: dict[str, int]) -> int:
    """How many paragraphs open with the text of a link (a headline followed by its summary)."""
    by_prefix: dict[str, list[str]] = {}
    for key in links:
        if len(key) >= _TEASER_PREFIX:
            by_prefix.setdefault(key[:_TEASER_PREFIX], []).append(key)
    count = 0
    for text in texts:
        key = fold_key(text)
        if any(key.startswith(link) for link in by_prefix.get(key[:_TEASER_PREFIX], ())):
            count += 1
    return count


def list_page_reason(
    page: Page, paragraphs: Iterable[str], links: dict[str, int], link_count: int
) -> str | None:
    """Why the page is a list of links (home, section or tag page) rather than an article, or None.

    ``links`` maps the page's folded link texts to their word counts: when link texts make up
    most of the extracted text, the text is teasers of other pages.
    """
    texts = list(paragraphs)[:_LIST_SAMPLE]  # enough to tell teasers from prose
    total = sum(map(prose_words, texts))
    body = "\n".join(fold_key(text) for text in texts)
    linked = sum(words for key, words in links.items() if key in body)
    if total and linked >= _LINK_SHARE * total:
        return f"a list of links, not an article: {linked} of its {total} words are link texts"
    if _is_listing_address(page.url) and not _declares_article(page) and link_count >= _HOME_LINKS:
        return f"a home, section or tag page: {link_count} links and no article declared"
    if _declares_website(page) and (teasers := _teasers(texts, links)) >= _MIN_TEASERS:
        return f"a list of teasers, not an article: {teasers} paragraphs open with links to other pages"
    return None


def paywall_reason(body_words: int, body: Body, page: Page) -> str | None:
    """Why the page is a paywall stub (a subscription notice and only a teaser), or None."""
    free = page.ld("isAccessibleForFree")
    closed = body.paywalled or free is False or (isinstance(free, str) and free.strip().lower() == "false")
    if closed and body_words < _MAX_STUB_WORDS:
        return f"paywall stub: only {body_words} words of the article before the subscription notice"
    if closed and body.hidden is not None and body.hidden >= _MIN_HIDDEN_SHARE:
        return f"paywall stub: {body.hidden:g}% of the article is behind the subscription notice"
    return None


def _headline_like(text: str, title_key: str) -> bool:
    low, high = _HEADLINE_WORDS
    return low <= len(text.split()) <= high and "://" not in text and fold_key(text) != title_key


def _label_container(label: HtmlElement) -> HtmlElement | None:
    node = label
    for _ in range(_ASCEND):
        parent = node.getparent()
        if parent is None:
            return None
        node = parent
        if len(elements(_LINKS_INSIDE(node))) >= 3:
            return node
    return None


def _in_menu(element: HtmlElement) -> bool:
    """Whether the element is a link or sits in a link, a navigation menu or the footer."""
    for ancestor in (element, *element.iterancestors()):
        if ancestor.tag in {"a", "nav", "footer"}:
            return True
        names = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}".lower()
        if "menu" in names or "nav" in names:
            return True
    return False


def _containers(found: Scan) -> list[HtmlElement]:
    containers = list(found.tickers)
    for label in found.labels:
        if _in_menu(label):
            continue
        container = _label_container(label)
        if container is not None:
            containers.append(container)
    return containers


def find_headlines(found_elements: Scan, *, title: str) -> tuple[str, ...]:
    """Other headlines the page shows in tickers and "latest news" boxes, in page order, no repeats."""
    title_key = fold_key(title)
    found: list[str] = []
    keys: set[str] = set()
    for container in _containers(found_elements):
        for anchor in container.iter("a"):
            text = clean(" ".join(anchor.itertext()))
            key = fold_key(text)
            if key and key not in keys and _headline_like(text, title_key):
                keys.add(key)
                found.append(text)
                if len(found) >= _MAX_HEADLINES:
                    return tuple(found)
    return tuple(found)


def _declared_code(value: str | None) -> str | None:
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    if len(primary) == 2 and primary.isalpha():
        return primary
    if primary in _ARABIC_CODES:
        return "ar"
    return _THREE_LETTER.get(primary)


def choose_language(page: Page, paragraphs: Iterable[str]) -> str | None:
    """The declared language, unless the detector, sure of itself on a long body, says otherwise."""
    ld_language = page.ld("inLanguage")
    declared = _declared_code(
        page.html_lang
        or page.meta("og:locale", "content-language", "dc.language", "language")
        or (ld_language if isinstance(ld_language, str) else None)
    )
    sample = ""
    for text in sorted(paragraphs, key=len, reverse=True):
        sample = f"{sample} {text}" if sample else text
        if len(sample) >= _LANGUAGE_SAMPLE:
            break
    found = detect_language_scored(sample[:_LANGUAGE_SAMPLE]) if sample else None
    if found is None:
        return declared
    detected, score = found
    if declared is None or declared == detected:
        return detected
    if letter_count(sample) >= _DETECTOR_WINS_LETTERS and score >= _DETECTOR_WINS_SCORE:
        return detected
    return declared
