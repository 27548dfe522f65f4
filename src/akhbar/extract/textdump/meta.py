"""What surrounds the body of a text dump: date line, site name, title, photo caption, ticker headlines.

Every rule works on the shape of lines and their place around the body, never on known labels:
a date line is a short line (a few words) holding a date; what is left of it, when bracketed or
set apart by a separator, names the site; the title is the best heading-like line before the date
line (or the body) in the body's script; a caption is a line between the heading and the body
with two of three signs: in another language, repeated on the page, alone between the date line
and the body.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote

from akhbar.extract.dates import DateMatch, find_date
from akhbar.extract.language import detect_language_scored
from akhbar.extract.text import clean, has_inner_break
from akhbar.extract.textdump.headlines import split_headlines
from akhbar.extract.textdump.lines import Line
from akhbar.text.urls import split_url

__all__ = [
    "DateLine",
    "earliest_date_line",
    "find_caption",
    "find_date_line",
    "find_title",
    "is_title_shaped",
    "site_name_of",
    "ticker_headlines",
]

logger = logging.getLogger(__name__)

DATE_LINE_MAX_WORDS = 16
"""A line with more words is prose or a caption that mentions a date, not a date line."""
DATE_LINE_MAX_CHARS = 140
HEAD_WINDOW = 45
# Inside the body run a date line is mostly its date ("Publié le 29/09/2018 à 10h"): a sentence that
# mentions a day ("... arrives in Birmingham, September 29, 2018.") is body text, in any language.
BODY_DATE_LINE_OTHER_WORDS = 8
"""How many lines before the body may hold its title, date and caption."""
BODY_LOOKAHEAD = 3
"""How many lines at the start of the body run may still be the heading, above a date line."""
TITLE_WINDOW = 15
"""How many lines before the date line may hold the title."""
TAIL_WINDOW = 12
"""How many lines after the body may hold its date when none precedes it."""
TITLE_MAX_WORDS = 40
TITLE_MAX_CHARS = 300
SITE_NAME_MAX_WORDS = 6
CAPTION_WINDOW = 2
"""How many lines just before the body may be its photo caption."""
CONFIDENT = 0.8
"""Language answers at least this sure may rule a short line in or out."""

_SEPARATORS = "|–—-·•/"
_PIECES = re.compile(r"\s[|–—·•/-]\s")
_BRACKETS = {"[": "]", "(": ")", "«": "»", "【": "】", "{": "}"}
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_COMBINING = re.compile("[\u0300-\u036f\u064b-\u065f\u0670]")
_SLUG_WORD = re.compile(r"[^\W_]+")
_MIN_SLUG_WORD = 3  # shorter words of a URL or title (le, of, 24) say nothing about the title
# How a line scores as the title: words count up to _TITLE_SCORE_WORDS, each line of distance costs
# _DISTANCE_COST; a line whose characters are more than 1/_DIGIT_SHARE digits is a date or a score.
_TITLE_SCORE_WORDS = 15
_DISTANCE_COST = 0.7
_DIGIT_SHARE = 10
_SLUG_BONUS = 10  # for a line whose words are all in the URL's slug


@dataclass(frozen=True, slots=True)
class DateLine:
    """A short line carrying the article's date; ``site_name`` is what it names beside the date."""

    number: int
    match: DateMatch
    site_name: str | None


def _date_of(line: Line, now: datetime | None) -> DateMatch | None:
    if line.words > DATE_LINE_MAX_WORDS or len(line.text) > DATE_LINE_MAX_CHARS:
        return None
    if _DIGIT.search(line.text) is None:
        return None
    try:
        return find_date(line.text, now=now)
    except Exception:  # a date parser bug must not lose the article: record it and go on
        logger.warning("date parsing failed on %r", line.text, exc_info=True)
        return None


def _bracketed(part: str) -> str | None:
    part = part.strip()
    if len(part) >= 3 and part[0] in _BRACKETS and part[-1] == _BRACKETS[part[0]]:
        return part[1:-1].strip()
    return None


def site_name_of(text: str, match: DateMatch) -> str | None:
    """The name set beside a date on its line: ``[Name]18 octobre 2024``, ``Name | 18/10/2024``.

    Only a line made of the date and one name counts: with words on both sides of the date, or
    several pieces between separators (``Accueil | Par X | date``), nothing says which is the site.
    """
    before, after = text[: match.start].strip(), text[match.end :].strip()
    for part, other, joint in ((before, after, before[-1:]), (after, before, after[:1])):
        if not part or _LETTER.search(other):
            continue
        name = _bracketed(part)
        if name is None and joint and joint in _SEPARATORS:
            name = part.strip(_SEPARATORS + " ")
            name = _bracketed(name) or (None if _PIECES.search(name) else name)
        if name and _LETTER.search(name) and len(name.split()) <= SITE_NAME_MAX_WORDS:
            return clean(name)
    return None


def _is_sentence_around(text: str, match: DateMatch) -> bool:
    """Whether the line is a sentence that mentions a date rather than a line giving one."""
    other = len(text[: match.start].split()) + len(text[match.end :].split())
    return other > BODY_DATE_LINE_OTHER_WORDS


def find_date_line(
    lines: list[Line], start: int, end: int, *, now: datetime | None = None
) -> DateLine | None:
    """The date line nearest before the body, else the first one after it.

    The first lines of the body are searched too: a title or standfirst that reads like a sentence
    can open the body run, and a date line right after it shows where the body really starts.
    """
    for index in range(min(start + BODY_LOOKAHEAD, end) - 1, max(start - HEAD_WINDOW, 0) - 1, -1):
        match = _date_of(lines[index], now)
        if match is not None and (index < start or not _is_sentence_around(lines[index].text, match)):
            return DateLine(index, match, site_name_of(lines[index].text, match))
    for index in range(end, min(end + TAIL_WINDOW, len(lines))):
        match = _date_of(lines[index], now)
        if match is not None and not _is_sentence_around(lines[index].text, match):
            return DateLine(index, match, site_name_of(lines[index].text, match))
    return None


def earliest_date_line(
    lines: list[Line], first: int, anchor: DateLine, *, now: datetime | None = None
) -> DateLine:
    """The date line with the earliest day from ``first`` up to the anchor date line.

    Pages often give "updated" next to (or below) "published"; the article dates from the first.
    """
    best = anchor
    for index in range(max(first, 0), anchor.number):
        match = _date_of(lines[index], now)
        if match is not None and match.date.value.date() < best.match.date.value.date():
            best = DateLine(index, match, site_name_of(lines[index].text, match))
    return best


def _fold(text: str) -> str:
    """Lower case without accents, for comparing words of a title and of a URL."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.lower()))


def _slug_words(url: str | None) -> set[str]:
    if not url:
        return set()
    parts = split_url(url)
    path = _fold(unquote(parts.path)) if parts else ""
    return {word for word in _SLUG_WORD.findall(path) if len(word) >= _MIN_SLUG_WORD and not word.isdigit()}


def _title_score(line: Line, distance: int, slug: set[str]) -> float:
    """How heading-like a line is: a dozen words or so, no sentence inside, near, maybe repeated."""
    score = min(line.words, _TITLE_SCORE_WORDS) - _DISTANCE_COST * distance
    if line.words < 4:
        score -= 4
    if line.text.endswith((".", ":", ",")) and not line.text.endswith("..."):
        score -= 6
    if has_inner_break(line.text):
        score -= 6
    if line.copies in (2, 3):
        score += 4
    if len(_DIGIT.findall(line.text)) * _DIGIT_SHARE > len(line.text):
        score -= 3
    if slug:
        words = {word for word in _SLUG_WORD.findall(_fold(line.text)) if len(word) >= _MIN_SLUG_WORD}
        if words:
            score += _SLUG_BONUS * len(words & slug) / len(words)
    return score


def is_title_shaped(line: Line, script: str) -> bool:
    """Whether a line could be a title: a few words to a few dozen in the body's script, not a ticker."""
    return (
        line.script == script
        and 2 <= line.words <= TITLE_MAX_WORDS
        and len(line.text) <= TITLE_MAX_CHARS
        and line.copies <= 3
        and not line.ticker
    )


def find_title(
    lines: list[Line], before: int, script: str, language: str | None, *, url: str | None, skip: set[int]
) -> Line | None:
    """The most heading-like line in the body's script and language just before ``before``.

    Words of the page's URL path that recur in a line make it likelier to be the title.
    """
    slug = _slug_words(url)
    scored: list[tuple[float, int, Line]] = []
    for distance, index in enumerate(range(before - 1, max(before - TITLE_WINDOW, 0) - 1, -1)):
        line = lines[index]
        if index not in skip and is_title_shaped(line, script):
            scored.append((_title_score(line, distance, slug), -distance, line))
    for _score, _distance, line in sorted(scored, reverse=True):
        if language is None or not _other_language(line.text, language):
            return line
    return None


def _other_language(text: str, language: str) -> bool:
    found = detect_language_scored(text)
    return found is not None and found[1] >= CONFIDENT and found[0] != language


def find_caption(
    lines: list[Line], after: int, start: int, language: str | None, *, date_number: int | None
) -> Line | None:
    """A photo caption between the heading (or date line) and the body, nearest the body first.

    Two signs out of three are needed: the line is repeated on the page (captions come back under
    galleries or at the end), it stands alone between the date line and the body, it is in another
    language than the article.
    """
    between = [line for line in lines[after + 1 : start] if line.has_letters and line.number != date_number]
    alone = len(between) == 1 and date_number is not None and date_number < between[0].number
    for line in between[::-1][:CAPTION_WINDOW]:
        if line.words < 3 or line.words > TITLE_MAX_WORDS:
            continue
        signs = int(alone) + int(line.copies == 2)
        if signs == 2 or (signs == 1 and language is not None and _other_language(line.text, language)):
            return line
    return None


def ticker_headlines(lines: list[Line], used: set[int]) -> list[str]:
    """Headlines from ticker lines: long lines outside the article that split into several headlines."""
    headlines: list[str] = []
    for line in lines:
        if line.ticker and line.number not in used:
            headlines.extend(split_headlines(line.text))
    return headlines
