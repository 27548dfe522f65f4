"""Extract the article from an HTML page: trafilatura for the main text, akhbar for everything else.

:func:`extract_html` parses the page once, then

1. applies the site's rule, if the registry (:mod:`akhbar.extract.sites`) has one;
2. reads the page's self-description (:mod:`akhbar.extract.html.meta`): title, site name, authors;
   its publication date (:mod:`akhbar.extract.html.dates`); its lead image and caption
   (:mod:`akhbar.extract.html.media`);
3. takes trafilatura's main text and tidies it into paragraphs (:mod:`akhbar.extract.html.body`),
   falling back to the text-dump extractor when trafilatura finds nothing;
4. decides whether the page is an article at all (:mod:`akhbar.extract.html.page`): error pages
   served as pages, lists of links, paywall stubs and empty shells become :class:`Rejected` values;
5. picks the language and gathers the page's other headlines.

It never raises on any input text: whatever goes wrong becomes a ``Rejected`` value with a reason.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import load_html  # public since trafilatura 2.0 (in its __all__)

from akhbar.extract.html.authors import find_authors, find_bylines, labelled_bylines
from akhbar.extract.html.body import Block, Body, is_menu_run, main_blocks, tidy_body
from akhbar.extract.html.dates import find_published, machine_date
from akhbar.extract.html.media import all_captions, find_image
from akhbar.extract.html.meta import Page, find_site_name, read_page
from akhbar.extract.html.page import (
    MIN_BODY_WORDS,
    choose_language,
    find_headlines,
    link_texts,
    list_page_reason,
    not_found_reason,
    page_links,
    paywall_reason,
    visible_letters,
)
from akhbar.extract.html.scan import Scan, scan
from akhbar.extract.html.shell import embedded_page
from akhbar.extract.html.title import find_title
from akhbar.extract.pagetext import page_text
from akhbar.extract.sites import SiteRule, drop_elements, rule_for, select_text, select_texts
from akhbar.extract.text import prose_words
from akhbar.extract.textdump import extract_textdump
from akhbar.models import Article, Rejected

__all__ = ["MIN_BODY_WORDS", "extract_html"]

logger = logging.getLogger(__name__)

_MIN_LETTERS = 20
_MAX_REASON_CHARS = 300  # a rejection's reason is one line, however long the exception's message
_EMPTY_PAGE = "empty page: no visible text once parsed (a shell its scripts fill in, or unreadable markup)"


@dataclass(frozen=True)
class _Context:
    tree: HtmlElement
    page: Page
    scan: Scan
    rule: SiteRule | None
    url: str | None
    fetched_at: datetime | None
    location: str


def extract_html(
    html: str,
    *,
    url: str | None = None,
    fetched_at: datetime | None = None,
    site_rules: Sequence[SiteRule] | None = None,
) -> Article | Rejected:
    """The article in an HTML page, or a Rejected value saying why there is none.

    ``url`` is the page's address (site rules, relative links and dates in the URL need it);
    ``fetched_at`` bounds the publication date and anchors relative dates. ``site_rules`` replaces
    the shipped registry (``()`` for generic extraction only). Never raises on any text.
    """
    location = url or "<html page>"
    try:
        return _extract(html, url=url, fetched_at=fetched_at, rules=site_rules, location=location)
    except Exception as exc:  # a page must never crash ingestion; the failure is logged and recorded
        logger.warning("HTML extraction failed on %s", location, exc_info=True)
        return Rejected(location, f"unreadable HTML: {type(exc).__name__}: {exc}"[:_MAX_REASON_CHARS])


def _extract(
    html: str,
    *,
    url: str | None,
    fetched_at: datetime | None,
    rules: Sequence[SiteRule] | None,
    location: str,
    shell: bool = False,
) -> Article | Rejected:
    tree = load_html(html) if html.strip() else None
    if tree is None:
        return Rejected(location, "not HTML: nothing could be parsed")
    when = fetched_at.date() if fetched_at is not None else None
    rule = rule_for(url, rules, when)
    if rule is not None:
        drop_elements(tree, rule)
    context = _Context(tree, read_page(tree, url), scan(tree), rule, url, fetched_at, location)
    site_name = find_site_name(context.page)
    title = _title(context, site_name)
    image_url, caption = find_image(context.page, tree, title=title)
    if rule is not None and rule.caption:
        caption = select_text(tree, rule.caption) or caption
    body = _body(context, title, caption)
    words = _words(body.paragraphs)
    reason = _rejection(context, body, words)
    if reason == _EMPTY_PAGE and not shell and (embedded := embedded_page(tree)) is not None:
        logger.debug("%s is an empty shell; the markup its scripts carry is extracted", location)
        found = _extract(embedded, url=url, fetched_at=fetched_at, rules=rules, location=location, shell=True)
        return found if isinstance(found, Article) else Rejected(location, reason)
    if reason is not None:
        return Rejected(location, reason)
    return Article(
        title=title,
        body_paragraphs=body.paragraphs,
        language=choose_language(context.page, body.paragraphs),
        site_name=site_name,
        url=url,
        published=_published(context),
        authors=find_authors(context.page, site_name, lambda: _bylines(tree, body)),
        image_url=image_url,
        image_caption=caption,
        headlines=find_headlines(context.scan, title=title),
    )


def _bylines(tree: HtmlElement, body: Body) -> list[str]:
    """Bylines in the body, in the page's author elements, else in its "Auteur : X" paragraphs."""
    return [*body.bylines, *find_bylines(tree)] or labelled_bylines(tree)


def _title(context: _Context, site_name: str | None) -> str:
    if context.rule is not None and context.rule.title:
        found = select_text(context.tree, context.rule.title)
        if found:
            return found
    return find_title(context.page, site_name)


def _published(context: _Context) -> str | None:
    if context.rule is not None and context.rule.published:
        value = select_text(context.tree, context.rule.published)
        found = machine_date(value) if value else None
        if found is not None:
            return found.iso()
    return find_published(
        context.page,
        context.tree,
        url=context.url,
        fetched_at=context.fetched_at,
        comments=context.scan.comments,
    )


def _body(context: _Context, title: str, caption: str | None) -> Body:
    captions = all_captions(context.scan.captions)
    if caption:
        captions.append(caption)
    if context.rule is not None and context.rule.body:
        blocks = [Block("p", text) for text in select_texts(context.tree, context.rule.body)]
    else:
        blocks = main_blocks(context.tree, url=context.url)
    page = context.page
    page_titles = [text for text in (page.title_tag, page.meta("og:title", "twitter:title")) if text]
    body = tidy_body(blocks, title=title, captions=captions, page_titles=page_titles)
    if body.paywalled or _words(body.paragraphs) >= MIN_BODY_WORDS:
        return body  # behind a paywall, the rest of the page is no article either
    return _fallback(context, body)


def _fallback(context: _Context, body: Body) -> Body:
    """The text-dump extractor's body when trafilatura found (almost) nothing and it finds more."""
    dump = page_text(etree.tostring(context.tree.getroottree(), encoding="unicode", method="html"))
    found = extract_textdump(dump, url=context.url, fetched_at=context.fetched_at)
    if not isinstance(found, Article):
        return body
    prose = tuple(text for text in found.body_paragraphs if not is_menu_run(text, prose_words(text)))
    if _words(prose) > _words(body.paragraphs):
        logger.debug("trafilatura found no body in %s; the text-dump extractor's is used", context.location)
        return Body(prose, body.bylines, body.paywalled, body.hidden)
    return body


def _words(paragraphs: tuple[str, ...]) -> int:
    return sum(map(prose_words, paragraphs))


def _rejection(context: _Context, body: Body, words: int) -> str | None:
    page = context.page
    letters = visible_letters(context.tree, _MIN_LETTERS) if words < MIN_BODY_WORDS else _MIN_LETTERS
    if letters == 0:
        return _EMPTY_PAGE
    if letters < _MIN_LETTERS:  # a line or two of text: there is some, it is too little
        return f"too short: {words} of the {MIN_BODY_WORDS} words an article needs"
    reason = not_found_reason(page, words) or paywall_reason(words, body, page)
    if reason is None:
        anchors = page_links(context.tree)
        reason = list_page_reason(page, body.paragraphs, link_texts(anchors), len(anchors))
    if reason is None and words < MIN_BODY_WORDS:
        reason = f"no article body: only {words} words of prose (need {MIN_BODY_WORDS})"
    return reason
