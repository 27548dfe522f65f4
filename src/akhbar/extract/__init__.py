"""The extraction stage: one raw document in, an article or a rejection out.

``extract(document)`` never raises for content it does not like: a page that is not an article is
a :class:`Rejected` value. Bytes that cannot be read as a page at all raise
:class:`akhbar.errors.InputError` from :func:`readable`, which callers run before storing anything.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from akhbar.errors import InputError
from akhbar.extract import editorial
from akhbar.extract.decoding import DEFAULT_MAX_BYTES, decode
from akhbar.extract.pageurl import declared_url
from akhbar.extract.sections import section_of
from akhbar.extract.textdump import extract_textdump
from akhbar.models import Article, Document, Rejected, as_utc

__all__ = ["DEFAULT_MAX_BYTES", "Readable", "extract", "readable"]

DATE_SKEW = timedelta(days=1)  # how far ahead of now a publication time may be (time zones, clocks)


# One HTML extraction at a time in a process. trafilatura documents no thread safety, and folder
# ingests with four extraction threads aborted in 2 runs of 24 ("double free or corruption"),
# four threads inside lxml and trafilatura at once. Extraction holds the GIL for most of its time
# anyway, so turns cost nothing measurable: a folder ingest of the 252 pages-fundus-world pages
# (4 staging threads, the model in its child) ran at 17.4 and 18.1 docs/s with turns, 18.2 and
# 17.9 without. The embedding model and the database work of other threads go on meanwhile;
# to extract pages on more than one core, ingest runs extraction in worker processes
# (akhbar.services.extractors, setting extract_processes), each with its own copy of the stack.
HTML_TURN = threading.Lock()


@dataclass(frozen=True)
class Readable:
    """A document read as text (:func:`readable`): extraction goes on from it without decoding again."""

    document: Document
    text: str
    html: bool


def readable(document: Document, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Readable:
    """The document as text; raise InputError with a one-line reason if it cannot be read as a page."""
    text, html = decode(document, max_bytes=max_bytes)
    if not any(char.isalpha() for char in text):
        raise InputError("not a page: no letters in it")
    return Readable(document, text, html)


def extract(
    document: Document, *, max_bytes: int = DEFAULT_MAX_BYTES, read: Readable | None = None
) -> Article | Rejected:
    """Extract the article from a raw document (HTML page or plain-text page dump).

    HTML goes through :func:`akhbar.extract.html.extract_html` (trafilatura and akhbar's metadata,
    falling back to the text-dump extractor when trafilatura finds no body), at the document's URL,
    else the one the page declares (:func:`akhbar.extract.pageurl.declared_url`); a plain-text dump goes
    through :func:`akhbar.extract.textdump.extract_textdump`; an editor's form (stored by
    ``/admin``) through :func:`akhbar.extract.editorial.extract_editorial`. ``read`` is the
    document as :func:`readable` gave it, if the caller has it (the text is not decoded again).
    """
    if document.content_type == editorial.CONTENT_TYPE:
        return editorial.extract_editorial(document)
    if read is not None and read.document is document:
        text, html = read.text, read.html
    else:
        text, html = decode(document, max_bytes=max_bytes)
    if html:
        # imported on first use: a process whose pages are extracted in worker processes never
        # loads trafilatura, htmldate and their tables (about 30 MB)
        from akhbar.extract.html import extract_html

        url = document.url or declared_url(text)
        with HTML_TURN:  # lxml and trafilatura in two threads at once can corrupt the heap
            outcome = extract_html(text, url=url, fetched_at=document.fetched_at)
    else:
        outcome = extract_textdump(text, url=document.url, fetched_at=document.fetched_at)
    if isinstance(outcome, Rejected):
        return replace(outcome, location=document.location)
    return with_section(outcome)


def with_section(article: Article) -> Article:
    """The article with the section its URL files it under, unless it already has one."""
    return article if article.section else replace(article, section=section_of(article.url))


def with_plausible_date(article: Article, *, now: datetime | None = None) -> Article:
    """The article without its publication time when that time does not parse as ISO 8601 or lies
    more than ``DATE_SKEW`` ahead of ``now``.

    Lists are sorted by that time, so a listing's raw date ("yesterday", "2099-01-01") would keep
    an article above every other one; without it, the article is undated, like a page that gives
    no date.
    """
    if not article.published:
        return article
    try:
        when = as_utc(datetime.fromisoformat(article.published))
    except ValueError:
        return replace(article, published=None)
    if when > (now or datetime.now(UTC)) + DATE_SKEW:
        return replace(article, published=None)
    return article
