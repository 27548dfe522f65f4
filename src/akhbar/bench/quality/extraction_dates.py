"""Which labelled publication dates a page actually states, and date scores over those pages.

A label can name a day the page never shows (an editor's correction, a date taken from elsewhere):
no extractor can find it, so the issue's target ("publication date right on at least 95% of the
pages that state one") is measured over the pages that state their label. A page *states* a day
when that day is written anywhere in its HTML, in one of these forms:

* machine forms anywhere in the source (meta tags, JSON-LD, ``<time datetime>``, URLs, attributes):
  ``2019-12-10``, ``2019/12/10``, ``2019.12.10``, with or without a time after it;
* a date people read, in any text of the page (comments included), in Arabic, French or English,
  read by :func:`akhbar.extract.dates.find_date` ("30 septembre 2018", "18/10/2024",
  "الجمعة ١٨ أكتوبر ٢٠٢٤").

Relative expressions ("il y a 3 heures") count for nothing here: they state no day by themselves.
The check is generous on purpose (any date anywhere): a page wrongly counted as stating its label
only makes the stated-pages score harder to reach, never easier.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from lxml import etree

from akhbar.extract.dates import find_date
from akhbar.extract.html.meta import strings

__all__ = ["same_instant", "stated_days", "states_day"]

_MACHINE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_TEXTS = etree.XPath("//text()[not(ancestor::script) and not(ancestor::style)]")
_NEED_A_DIGIT = re.compile(r"\d")
_INSTANT_TOLERANCE_SECONDS = 60
# Relative expressions are read against this reference, so they land in 1899-1900 and are dropped.
_NO_RELATIVE = datetime(1900, 1, 1, tzinfo=UTC)


def _machine_days(html: str) -> set[date]:
    days: set[date] = set()
    for match in _MACHINE.finditer(html):
        try:
            days.add(date(int(match[1]), int(match[2]), int(match[3])))
        except ValueError:
            continue
    return days


def _written_days(html: str) -> set[date]:
    try:
        tree = etree.fromstring(html.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError):
        return set()
    if tree is None:
        return set()
    days: set[date] = set()
    for node in strings(_TEXTS(tree)):
        text = " ".join(node.split())
        if not _NEED_A_DIGIT.search(text):  # every absolute date has a day number
            continue
        while text:
            found = find_date(text, now=_NO_RELATIVE)
            if found is None:
                break
            day = found.date.value.date()
            if day > _NO_RELATIVE.date():
                days.add(day)
            text = text[found.end :]
    return days


def stated_days(html: str) -> set[date]:
    """Every day written in the page, in machine form or in words (see the module docstring)."""
    return _machine_days(html) | _written_days(html)


def states_day(html: str, day: str) -> bool:
    """Whether the page states the day ``day`` (``YYYY-MM-DD``, any time after it is ignored)."""
    try:
        wanted = date.fromisoformat(day[:10])
    except ValueError:
        return False
    return wanted in stated_days(html)


def same_instant(found: str | None, expected: str) -> bool:
    """Whether ``found`` names the instant ``expected`` (both ISO 8601 with a zone) to the minute.

    A day without a time, or a time without a zone, is not an instant and never matches.
    """
    if not found or len(found) <= 10:
        return False
    try:
        got, want = datetime.fromisoformat(found), datetime.fromisoformat(expected)
    except ValueError:
        return False
    if got.tzinfo is None or want.tzinfo is None:
        return False
    return abs((got - want).total_seconds()) < _INSTANT_TOLERANCE_SECONDS
