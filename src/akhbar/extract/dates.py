"""Dates written in news pages, in Arabic, French, English or ISO 8601, turned into datetimes.

``parse_date`` reads a text that is one date expression (a "date line", possibly with a bracketed site
name, a weekday or "Publié le" before it); ``find_date`` finds the first date expression in a longer
line and says where it is. Nothing is guessed: without a full day, month and year (or an explicit
relative expression such as "il y a 3 heures" / "منذ ساعتين") the answer is None; "© 2024" is no date.

Numeric dates are read day first (18/10/2024). Month names come from the tables in
:mod:`akhbar.extract.datewords` (French, English; Moroccan, Algerian/Tunisian, Egyptian/Gulf and
Levantine Arabic). Eastern Arabic and Persian digits count as digits. Spelling variants (``أ إ آ ا``,
``ى ي``, ``ة ه``, accents) are matched by the patterns, so the text is never rewritten: only tashkeel,
tatweel and invisible marks are dropped first, and spans are mapped back to the caller's text.

A value is naive unless the text gives a zone (``Z``, ``+01:00``, ``GMT+1``). Relative minutes and
hours are an instant before ``now`` and keep its zone; relative days give a naive day.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from typing import NamedTuple

from akhbar.extract.datewords import (
    AMPM,
    ARABIC_KEYS,
    BARE_RELATIVE,
    LATIN_KEYS,
    MONTHS,
    NUMBER_WORDS,
    PREFIXES,
    REMOVABLE,
    TIME_LINKS,
    UNITS,
    WEEKDAYS,
    WORDY_KEYS,
    alternation,
    fold,
    initials,
)
from akhbar.text import DIGIT_CLASS

__all__ = ["DateMatch", "ParsedDate", "find_date", "parse_date"]


@dataclass(frozen=True)
class ParsedDate:
    """A date read from text; ``has_time`` is False when the text gives only a day."""

    value: datetime
    has_time: bool

    def iso(self) -> str:
        """ISO 8601: the day alone (``2024-10-18``) when there is no time, else the full datetime."""
        return self.value.isoformat() if self.has_time else self.value.date().isoformat()


@dataclass(frozen=True)
class DateMatch:
    """A date found inside a longer text, with the span ``text[start:end]`` of its expression."""

    date: ParsedDate
    start: int
    end: int


class _Clock(NamedTuple):
    hour: int
    minute: int
    second: int
    tz: tzinfo | None
    end: int


# Digits as news pages write them: ASCII, Eastern Arabic (١٨) and Persian (۱۸); int() reads all three.
_DIGITS = DIGIT_CLASS
_D = f"[{_DIGITS}]"
# A number's first digit; the look-behind sits after the digit so that the regex engine can skip ahead
# to digits quickly (a pattern that starts with a character class is searched much faster).
_FIRST_DIGIT = f"{_D}(?<!{_D}{_D})"
_NO_LETTER_AFTER = r"(?![^\W\d_])"
_NO_LETTER_BEFORE = r"(?<![^\W\d_])"
_MONTH = alternation(MONTHS)
_SEP = r"\s*[-/.,،]?\s*"
_ORDINAL = r"(?:er|st|nd|rd|th)?"

# Every absolute date holds a 4-digit year: find the years, then look for the rest of a date around
# each one (searches with endpos at the end of the year, hence the \Z).
_YEAR = re.compile(_D * 4)
_ISO_DATE = re.compile(rf"{_D}{{4}}(?P<sep>[-/])(?P<m>{_D}{{1,2}})(?P=sep)(?P<d>{_D}{{1,2}})(?!{_D})")
_NUMERIC_DMY = re.compile(  # 18/10/2024, 18.10.2024, 18-10-2024 (not 5.18/10/2024)
    rf"(?P<d>{_FIRST_DIGIT}(?<!{_D}[./-]{_D}){_D}?)(?P<sep>[./-])(?P<m>{_D}{{1,2}})(?P=sep){_D}{{4}}\Z"
)
_TEXT_DMY = re.compile(  # 18 octobre 2024, 1er oct. 2024, ١٨ أكتوبر، ٢٠٢٤
    rf"(?P<d>{_FIRST_DIGIT}{_D}?){_ORDINAL}{_SEP}(?P<m>{_MONTH}){_NO_LETTER_AFTER}\.?{_SEP}{_D}{{4}}\Z",
    re.IGNORECASE,
)
_TEXT_MDY = re.compile(  # October 18, 2024; Oct 18th 2024; أكتوبر 18, 2024
    rf"(?={initials(MONTHS)}){_NO_LETTER_BEFORE}(?P<m>{_MONTH}){_NO_LETTER_AFTER}\.?\s*"
    rf"(?P<d>{_D}{{1,2}}){_ORDINAL}(?!{_D})\s*,?\s*{_D}{{4}}\Z",
    re.IGNORECASE,
)
_REACH_BEFORE_YEAR = 48
_BETWEEN_PARTS = " \t\u00a0\u202f,،-/."
_DAY_ORDINAL = re.compile(rf"{_D}{_ORDINAL}\Z", re.IGNORECASE)
# A numeric date that goes on (18.10.2024.55) is a phone or reference number, not a date.
_NUMBER_GOES_ON = re.compile(rf"[./-]{_D}")
# "م" (ميلادي, Gregorian era) right after a year: "18 أكتوبر 2024م".
_ERA = re.compile(rf"\s*م{_NO_LETTER_AFTER}")
_ISO_TIME = re.compile(
    rf"(?:T|\s)(?P<h>{_D}{{2}}):(?P<mi>{_D}{{2}})(?::(?P<s>{_D}{{2}})(?:[.,]{_D}{{1,9}})?)?"
    rf"(?P<z>Z|[+-]{_D}{{2}}(?::?{_D}{{2}})?)?(?![{_DIGITS}:])"
)
_TIME = re.compile(
    rf"(?:\s*(?:[,،|\-–—•·@]|{_NO_LETTER_BEFORE}{alternation(TIME_LINKS)}{_NO_LETTER_AFTER})){{0,3}}\s*"
    rf"(?P<h>{_FIRST_DIGIT}{_D}?)"
    rf"(?:\s?:\s?(?P<mi>{_D}{{2}})(?::(?P<s>{_D}{{2}}))?(?!{_D})|\s?h(?:\s?(?P<mh>{_D}{{2}})(?!{_D}))?)"
    rf"(?!\s*[-–—]\s*{_D})"  # the start of a range ("18:00-00:00", "10h-18h") is no publication time
    rf"(?:\s*(?P<ap>{alternation(AMPM)}){_NO_LETTER_AFTER})?{_NO_LETTER_AFTER}"
    rf"(?:\s*\(?(?P<tz>gmt|utc)(?:\s?(?P<tzs>[+-])(?P<tzh>{_D}{{1,2}})(?::?(?P<tzm>{_D}{{2}}))?)?(?!{_D})\)?)?",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"(?<![^\W_])(?:"
    rf"il\s+y\s+a\s+(?:environ\s+)?(?P<fn>{_D}{{1,4}}|une?)\s*(?P<fu>{alternation(UNITS['fr'])})"
    rf"|(?P<en>{_D}{{1,4}}|an?|one)\s*(?P<eu>{alternation(UNITS['en'])})\s+ago"
    rf"|منذ\s+(?:{alternation(('حوالي', 'نحو'))}\s+)?(?:(?P<an>{_D}{{1,4}})\s*)?"
    rf"(?P<au>{alternation(UNITS['ar'])})"
    rf"|(?P<bare>{alternation(BARE_RELATIVE)})"
    rf"){_NO_LETTER_AFTER}",
    re.IGNORECASE,
)
# find_date looks for a relative date up to this far before and after one of its key words.
_RELATIVE_REACH = (24, 64)
_SHORT_LINE = 40

# What may surround a date line: punctuation, a bracketed site name, "Publié le", weekday names.
_HEAD = re.compile(
    rf"(?:\[[^\[\]]{{0,200}}\]|{_NO_LETTER_BEFORE}{alternation((*PREFIXES, *WEEKDAYS))}{_NO_LETTER_AFTER}"
    r"|[\W_])*",
    re.IGNORECASE,
)
_TAIL = re.compile(r"[\W_]*")
_ANY_DIGIT = re.compile(_D)

_REMOVABLE = re.compile(f"[{REMOVABLE}]")
_KEPT = re.compile(f"[^{REMOVABLE}]+")

_AMPM_KEYS = {fold(word): pm for word, pm in AMPM.items()}
_UNIT_KEYS = {lang: {fold(word): unit for word, unit in table.items()} for lang, table in UNITS.items()}
_BARE_KEYS = {fold(word): days for word, days in BARE_RELATIVE.items()}
_DAY_UNITS, _TIME_UNITS = {"d": 1, "w": 7}, {"s": 1, "m": 60, "h": 3600}


def parse_date(text: str, *, now: datetime | None = None) -> ParsedDate | None:
    """Read ``text`` as one date expression; None if it is not exactly one (nothing is guessed).

    ``now`` is the reference for relative dates ("hier", "منذ ساعتين"); the current UTC time if None.
    """
    work, _ = _prepare(text)
    head = _HEAD.match(work)
    start = head.end() if head else 0
    digit = _ANY_DIGIT.search(work, start)
    hit = _first_absolute(work, digit.start()) if digit else None
    if hit is None or hit.start != start:
        relative = _RELATIVE.match(work, start)
        reference = datetime.now(UTC) if now is None else now
        hit = _from_relative(work, relative, reference, bare_alone=True) if relative else None
    if hit is None or _TAIL.fullmatch(work, hit.end) is None:
        return None
    return hit.date


def find_date(text: str, *, now: datetime | None = None) -> DateMatch | None:
    """The first date expression inside ``text``, with its span in ``text``; None if there is none.

    A bare relative word ("hier", "اليوم") counts only when a time follows it ("hier à 14h30") or it is
    the whole line: inside a sentence it is not a publication date.
    """
    digit = _ANY_DIGIT.search(text)
    if digit is None and len(text) > _SHORT_LINE and not any(key in text for key in WORDY_KEYS):
        return None
    work, runs = _prepare(text)
    absolute = _first_absolute(work, 0) if digit else None
    limit = absolute.start if absolute else len(work)
    hit = _first_relative(work, now, limit, arabic=not text.isascii()) or absolute
    if hit is None or runs is None:
        return hit
    return DateMatch(hit.date, _original(runs, hit.start), _original(runs, hit.end - 1) + 1)


def _prepare(text: str) -> tuple[str, list[tuple[int, int]] | None]:
    """The text without removable marks, and the spans of ``text`` it is made of (None: unchanged)."""
    if text.isascii() or _REMOVABLE.search(text) is None:
        return text, None
    runs = [match.span() for match in _KEPT.finditer(text)]
    return "".join(text[start:end] for start, end in runs), runs


def _original(runs: list[tuple[int, int]], pos: int) -> int:
    """The index in the original text of the character at ``pos`` in the prepared text."""
    for start, end in runs:
        if pos < end - start:
            return start + pos
        pos -= end - start
    raise IndexError(pos)


def _first_absolute(work: str, pos: int) -> DateMatch | None:
    """The first valid absolute date at or after ``pos``, found from the numbers that could be its year."""
    for year in _YEAR.finditer(work, pos):
        start, end = year.span()
        if _ANY_DIGIT.match(work, end) or (start and _ANY_DIGIT.match(work, start - 1)):
            continue
        hit = _ending_with_year(work, start, end)
        if hit is None and (iso := _ISO_DATE.match(work, start)):
            hit = _dated(work, iso, int(year[0]), int(iso["m"]), int(iso["d"]), iso=True)
        if hit is not None:
            return hit
    return None


def _ending_with_year(work: str, start: int, end: int) -> DateMatch | None:
    """A day-first or month-first date whose year is work[start:end]."""
    before = work[max(0, start - 8) : start].rstrip(_BETWEEN_PARTS)
    lowest = max(0, start - _REACH_BEFORE_YEAR)
    year = int(work[start:end])
    if not before:
        return None
    if before[-1].isdecimal():
        numeric = _NUMERIC_DMY.search(work, max(0, start - 7), end)
        if numeric and not _NUMBER_GOES_ON.match(work, end):
            return _dated(work, numeric, year, int(numeric["m"]), int(numeric["d"]))
    elif not _DAY_ORDINAL.search(before):  # "18 octobre" but not "October 18th"
        return _written(work, _TEXT_DMY.search(work, lowest, end), year)
    return _written(work, _TEXT_MDY.search(work, lowest, end), year)


def _written(work: str, match: re.Match[str] | None, year: int) -> DateMatch | None:
    if match is None:
        return None
    return _dated(work, match, year, MONTHS.get(fold(match["m"])), int(match["d"]))


def _dated(
    work: str, match: re.Match[str], year: int, month: int | None, day: int, *, iso: bool = False
) -> DateMatch | None:
    """The date of a match, with its time if one follows; None if there is no such day."""
    if month is None or year < 1000:
        return None
    try:
        day_value = datetime(year, month, day)
    except ValueError:
        return None
    end = match.end()
    era = _ERA.match(work, end)
    if era:
        end = era.end()
    clock = (_iso_clock(work, end) if iso else None) or _clock(work, end)
    if clock is None:
        return DateMatch(ParsedDate(day_value, has_time=False), match.start(), end)
    value = day_value.replace(hour=clock.hour, minute=clock.minute, second=clock.second, tzinfo=clock.tz)
    return DateMatch(ParsedDate(value, has_time=True), match.start(), clock.end)


def _iso_clock(work: str, pos: int) -> _Clock | None:
    match = _ISO_TIME.match(work, pos)
    if match is None:
        return None
    offset = (match["z"] or "").replace("Z", "+00").replace(":", "")
    zone = _zone(offset[0], offset[1:3], offset[3:]) if offset else None
    if offset and zone is None:
        return None
    return _checked(int(match["h"]), int(match["mi"]), int(match["s"] or 0), zone, match.end())


def _clock(work: str, pos: int) -> _Clock | None:
    """A time written after a date or a relative day: "à 14h30", "- 14:30", "2:30 PM", "02:30 م"."""
    match = _TIME.match(work, pos)
    if match is None:
        return None
    hour = int(match["h"])
    pm = _AMPM_KEYS.get(fold(match["ap"])) if match["ap"] else None
    if pm is not None and 1 <= hour <= 12:
        hour = hour % 12 + (12 if pm else 0)
    elif pm is False and hour > 12:  # "14:30 AM" contradicts itself; "14:30 PM" is just 14:30
        return None
    zone: tzinfo | None = None
    if match["tz"]:
        zone = _zone(match["tzs"], match["tzh"], match["tzm"]) if match["tzs"] else UTC
        if zone is None:
            return None
    minute = int(match["mi"] or match["mh"] or 0)
    return _checked(hour, minute, int(match["s"] or 0), zone, match.end())


def _zone(sign: str, hours: str, minutes: str | None) -> tzinfo | None:
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    try:
        return timezone(-offset if sign == "-" else offset)
    except ValueError:
        return None


def _checked(hour: int, minute: int, second: int, zone: tzinfo | None, end: int) -> _Clock | None:
    if hour > 23 or minute > 59 or second > 59:
        return None
    return _Clock(hour, minute, second, zone, end)


def _first_relative(work: str, now: datetime | None, limit: int, *, arabic: bool) -> DateMatch | None:
    """The first relative date starting before ``limit``; in long lines, looked for near key words only."""
    short = len(work) <= _SHORT_LINE
    for match in _RELATIVE.finditer(work) if short else _near_keys(work, limit, arabic=arabic):
        if match.start() >= limit:
            break
        alone = _alone(work, match.start(), match.end())
        reference = datetime.now(UTC) if now is None else now
        hit = _from_relative(work, match, reference, bare_alone=alone)
        if hit is not None:
            return hit
    return None


def _near_keys(work: str, limit: int, *, arabic: bool) -> Iterator[re.Match[str]]:
    keys = (*LATIN_KEYS, *ARABIC_KEYS) if arabic else LATIN_KEYS
    present = [key for key in keys if work.find(key, 0, limit + len(key)) != -1]
    back, ahead = _RELATIVE_REACH
    for anchor in sorted(found for key in present for found in _occurrences(work, key, limit)):
        near = _RELATIVE.search(work, max(0, anchor - back), anchor + ahead)
        # Matched again from its start without endpos, so look-aheads see the text that follows.
        match = _RELATIVE.match(work, near.start()) if near else None
        if match is not None:
            yield match


def _occurrences(text: str, key: str, limit: int) -> list[int]:
    found: list[int] = []
    at = text.find(key, 0, limit + len(key))
    while at != -1:
        found.append(at)
        at = text.find(key, at + 1, limit + len(key))
    return found


def _alone(work: str, start: int, end: int) -> bool:
    """Whether work[start:end] is all there is, but for punctuation and words like "Publié le"."""
    head = _HEAD.match(work)
    return (head.end() if head else 0) >= start and _TAIL.fullmatch(work, end) is not None


def _from_relative(work: str, match: re.Match[str], now: datetime, *, bare_alone: bool) -> DateMatch | None:
    """The date of one _RELATIVE match against ``now``; bare words need a time unless ``bare_alone``."""
    if match["bare"]:
        return _bare_day(work, match, now, bare_alone=bare_alone)
    unit, count = _unit_count(match)
    if count is None or not unit:
        return None
    try:
        if unit in _TIME_UNITS:
            value = now.replace(microsecond=0) - timedelta(seconds=count * _TIME_UNITS[unit])
            return DateMatch(ParsedDate(value, has_time=True), match.start(), match.end())
        day = now.date() - timedelta(days=count * _DAY_UNITS[unit])
    except OverflowError:
        return None
    return DateMatch(ParsedDate(datetime.combine(day, time()), has_time=False), match.start(), match.end())


def _unit_count(match: re.Match[str]) -> tuple[str, int | None]:
    """The unit ("s", "m", "h", "d", "w") and count of a relative expression (None: no count given)."""
    if match["fu"]:
        lang, word, number = "fr", match["fu"], match["fn"]
    elif match["eu"]:
        lang, word, number = "en", match["eu"], match["en"]
    else:
        lang, word, number = "ar", match["au"], match["an"]
    unit, implied = _UNIT_KEYS[lang].get(fold(word), ("", None))
    if number is None:
        return unit, implied
    return unit, int(number) if number.isdecimal() else NUMBER_WORDS.get(fold(number))


def _bare_day(work: str, match: re.Match[str], now: datetime, *, bare_alone: bool) -> DateMatch | None:
    """ "hier", "aujourd'hui", "أمس", with an optional time ("hier à 14h30")."""
    offset = _BARE_KEYS.get(fold(match["bare"]))
    try:
        day = now.date() + timedelta(days=offset) if offset is not None else None
    except OverflowError:
        day = None
    if day is None:
        return None
    clock = _clock(work, match.end())
    if clock is not None:
        value = datetime.combine(day, time(clock.hour, clock.minute, clock.second), tzinfo=clock.tz)
        return DateMatch(ParsedDate(value, has_time=True), match.start(), clock.end)
    if not bare_alone:
        return None
    return DateMatch(ParsedDate(datetime.combine(day, time()), has_time=False), match.start(), match.end())
