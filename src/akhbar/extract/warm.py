"""Build the extraction stack's lazy caches before any page needs them.

trafilatura, justext, htmldate and dateparser build large tables the first time a page needs
them: justext's stop lists of every language (about 28 MB, on the first page trafilatura hands to
justext), dateparser's locales (about 40 MB and 1.5 s of CPU, on the first date htmldate's
extensive search cannot read with its own patterns), the compiled patterns of each language's
dates. A process that then forks (``akhbar.services.extractors``' fork server) gives every
child those tables as shared pages instead of a private copy each.

:func:`warm` extracts the demo pages shipped with akhbar and a few small pages made to take those
paths: whatever a library builds on the way is built. It changes no result: every cache it fills
is one a page would fill.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import htmldate

from akhbar.extract import extract
from akhbar.extract.pagefiles import demo_directory, html_pages
from akhbar.models import Document

log = logging.getLogger(__name__)

# short pages without a date in their metadata: trafilatura's own extraction finds too little
# and hands them to justext, and htmldate searches their text for a date
_SHORT = (
    ("fr", "Publié le 5 mars à 10:30", "Le conseil municipal a voté le budget de la ville mardi soir."),
    ("ar", "نشر في 5 مارس 10:30", "صادق المجلس البلدي على ميزانية المدينة مساء الثلاثاء."),
    ("en", "Posted on March 5, 10:30", "The city council passed the budget on Tuesday evening."),
)
# a date in a language htmldate's own patterns do not know: its extensive search loads every
# dateparser locale to find out whether the words name a month
_FOREIGN_DATE = "<html><body><p>Opublikowano 12 lutego, 10:30</p></body></html>"


def _pages() -> Iterator[tuple[str, bytes]]:
    for lang, date, text in _SHORT:
        page = (
            f"<html lang='{lang}'><head><title>{text[:30]}</title></head><body>"
            f"<div class='date'>{date}</div><div><span>{text}</span></div></body></html>"
        )
        yield f"http://warm.invalid/{lang}", page.encode()
    for index, data in enumerate(html_pages(demo_directory())):
        yield f"http://warm.invalid/demo/{index}", data


def warm() -> int:
    """Extract the warming pages; the number extracted. A failure is logged, never raised: a cold
    cache only costs time later."""
    done = 0
    try:
        htmldate.find_date(_FOREIGN_DATE, extensive_search=True)
        for url, data in _pages():
            extract(Document(url, data, "text/html", url))
            done += 1
    except Exception:  # warming is an optimisation: extraction itself reports its own failures
        log.exception("extract: warming the caches failed after %d pages", done)
    return done
