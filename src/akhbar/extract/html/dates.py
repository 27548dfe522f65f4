"""The publication date of an HTML page.

Sources, most trusted first: the article's JSON-LD ``datePublished``; publication meta tags
(``article:published_time`` and its relatives); ``<time>`` elements, microdata and RDFa attributes
marking the publication date; the date written on the byline's line ("Par Jeanne Dupont | 30
septembre 2018"), which is the date the page shows its readers; htmldate (which also reads the URL
and the page's text), run on the page without its readers' comments, whose dates it would otherwise
take for the article's; a visible date written near the heading, in Arabic, French or English
(:func:`akhbar.extract.dates.find_date`). A January 1st from htmldate is treated as missing:
htmldate answers that when it only found a year ("© 2024"). Dates after the fetch (beyond a day of
clock skew) or before 1990 are not publication dates.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import htmldate
from lxml import etree
from lxml.html import HtmlElement

from akhbar.extract.dates import ParsedDate, find_date, parse_date
from akhbar.extract.html.authors import byline_elements
from akhbar.extract.html.meta import Page, elements
from akhbar.extract.text import clean

__all__ = ["find_published", "machine_date"]

logger = logging.getLogger(__name__)

_PUBLISHED_METAS = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "og:published_time",
    "published_time",
    "parsely-pub-date",
    "sailthru.date",
    "publish-date",
    "publishdate",
    "pubdate",
    "date.available",
    "date.created",
    "dc.date.issued",
    "dcterms.issued",
    "dc:date.created",
    "dcterms.created",
    "datepublished",
    "datecreated",
    "dc.date",
    "dc:date",
    "date",
)
_LD_KEYS = ("datePublished", "dateCreated")
# <time> elements, microdata and RDFa (Drupal's ``property="dc:date dc:created"``) marking the date.
_PUBLISHED_TIME = etree.XPath(
    "//time[@itemprop='datePublished' or @pubdate or contains(@class, 'publi') or contains(@class, 'date')]"
    "|//*[@itemprop='datePublished'][@datetime or @content]"
    "|//body//*[@content][contains(@property, 'dc:date') or contains(@property, 'dc:created')"
    " or contains(@property, 'dcterms:issued') or contains(@property, 'dcterms:created')"
    " or contains(@property, 'datePublished')]"
)
_AFTER_HEADING = etree.XPath("(//h1)[1]/following::*[position() <= 40]")
_HEADING_INSIDE = etree.XPath("boolean(.//h1)")
_ZONE_AFTER_SPACE = re.compile(r"\s+([+-]\d{2}:?\d{2})$")
_MAX_LINE = 160
_BYLINE_LEVELS = 3
_EARLIEST = date(1990, 1, 1)
_SKEW = timedelta(days=1)
_DATE_ALONE = len("2024-10-18")  # an ISO value this long or shorter has no time
_MAX_TIME_ELEMENTS = 10  # <time> and itemprop elements read for a machine date


def machine_date(value: str) -> ParsedDate | None:
    """A date written for machines (ISO 8601, with or without a time) or, failing that, for people.

    Midnight to the second (``2019-02-08T00:00:00+01:00``) is how CMSs write a day without a time:
    it counts as the day alone.
    """
    text = _ZONE_AFTER_SPACE.sub(r"\1", value.strip())
    if not text or not text[:1].isdigit():
        return parse_date(text) if text else None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return parse_date(text)
    has_time = len(text) > _DATE_ALONE and moment.time() != time(0)
    return ParsedDate(moment, has_time)


def _plausible(found: ParsedDate | None, fetched_at: datetime | None) -> ParsedDate | None:
    if found is None or found.value.date() < _EARLIEST:
        return None
    latest = (fetched_at or datetime.now(UTC)) + _SKEW
    moment = found.value
    if moment.tzinfo is None and latest.tzinfo is not None:
        latest = latest.replace(tzinfo=None)
    elif moment.tzinfo is not None and latest.tzinfo is None:
        moment = moment.replace(tzinfo=None)
    return found if moment <= latest else None


def _from_ld(page: Page) -> str | None:
    for key in _LD_KEYS:
        value: Any = page.ld(key)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str) and value.strip():
            return value
    return None


def _from_time_elements(tree: HtmlElement) -> str | None:
    for element in elements(_PUBLISHED_TIME(tree))[:_MAX_TIME_ELEMENTS]:
        value = element.get("datetime") or element.get("content")
        if isinstance(value, str) and value.strip() and machine_date(value) is not None:
            return value
    return None


def _without(tree: HtmlElement, dropped: Sequence[HtmlElement]) -> HtmlElement:
    """A copy of the page without the given elements (those holding the heading stay)."""
    kept = [element for element in dropped if not _HEADING_INSIDE(element)]
    if not kept:
        return tree
    root = tree.getroottree()
    paths = [root.getpath(element) for element in kept]
    twin: HtmlElement = copy.deepcopy(tree)
    twin_root = twin.getroottree()
    targets = [element for path in paths for element in elements(twin_root.xpath(path))]
    for element in targets:  # found first: dropping one renumbers the paths of its next siblings
        element.drop_tree()
    return twin


def _from_htmldate(
    tree: HtmlElement, url: str | None, fetched_at: datetime | None, comments: Sequence[HtmlElement]
) -> ParsedDate | None:
    latest = (fetched_at or datetime.now(UTC)) + _SKEW
    try:
        found = htmldate.find_date(
            _without(tree, comments),
            url=url,
            original_date=True,
            extensive_search=True,
            max_date=latest.strftime("%Y-%m-%d"),
        )
    except Exception:  # htmldate has no documented error type; a failure is only a missing date
        logger.warning("htmldate failed on %s", url or "a page", exc_info=True)
        return None
    if not found or found.endswith("-01-01"):
        return None
    return machine_date(found)


def _visible(
    tree: HtmlElement, fetched_at: datetime | None, comments: Sequence[HtmlElement]
) -> ParsedDate | None:
    """A date line among the elements right after the page's first heading, outside comments."""
    for element in elements(_AFTER_HEADING(tree)):
        text = clean(element.text or "")
        if not text or len(text) > _MAX_LINE:
            continue
        if comments and any(ancestor in comments for ancestor in element.iterancestors()):
            continue
        match = find_date(text, now=fetched_at)
        if match is not None:
            return match.date
    return None


def _byline(tree: HtmlElement, fetched_at: datetime | None) -> ParsedDate | None:
    """A date on the byline's line: in an author element, or in the short element around it."""
    for element in byline_elements(tree):
        node: HtmlElement | None = element
        for _ in range(_BYLINE_LEVELS):
            if node is None:
                break
            text = clean(node.text_content())
            if len(text) > _MAX_LINE:
                break
            match = find_date(text, now=fetched_at) if text else None
            if match is not None:
                return match.date
            node = node.getparent()
    return None


def find_published(
    page: Page,
    tree: HtmlElement,
    *,
    url: str | None,
    fetched_at: datetime | None,
    comments: Sequence[HtmlElement] = (),
) -> str | None:
    """The publication date as ISO 8601 (a date alone when the page gives no time), or None.

    ``comments`` are the containers of readers' comments (:func:`akhbar.extract.html.scan.scan`).
    """
    sources: tuple[Callable[[], str | None], ...] = (
        lambda: _from_ld(page),
        lambda: page.meta(*_PUBLISHED_METAS),
        lambda: _from_time_elements(tree),
    )
    for source in sources:  # read in turn: the page's <time> elements cost a walk of the whole tree
        value = source()
        found = _plausible(machine_date(value), fetched_at) if value else None
        if found is not None:
            return found.iso()
    found = _plausible(_byline(tree, fetched_at), fetched_at)
    if found is not None:
        return found.iso()
    found = _plausible(_from_htmldate(tree, url, fetched_at, comments), fetched_at)
    if found is None or not found.has_time:
        visible = _plausible(_visible(tree, fetched_at, comments), fetched_at)
        if visible is not None and (found is None or visible.value.date() == found.value.date()):
            found = visible  # the date line under the heading, with its time when htmldate has only the day
    return found.iso() if found is not None else None
