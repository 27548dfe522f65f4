"""Extract the article from a plain-text dump of a whole news page.

A dump holds every visible text of the page, chrome included: navigation, tickers, labels, teasers
and footers around the article. The article is recovered by general rules on the lines' shapes,
scripts, languages, repetitions and positions (see :mod:`akhbar.extract.textdump.lines` and
:mod:`akhbar.extract.textdump.meta`), never by matching a site's own words:

1. the body is the best run of prose-like paragraphs in one script;
2. its language is detected on its longest paragraphs; paragraphs at its ends that are surely in
   another language are dropped;
3. the date line is the short line holding a date nearest before the body (or among its first
   lines: what stands above it there is the heading, not the body); a bracketed or separated name
   beside the date is the site name;
4. the title is the most heading-like line before the date line (or the body) in the body's
   script and language; a title-shaped first line of the body set apart by a blank line, at the
   top of the dump or above a block of running text, is the title even when it reads like a
   sentence (see :func:`_heading_on_top`);
5. a caption is a line between title and body with two of three signs: in another language,
   repeated on the page, alone between the date line and the body;
6. long run-together lines outside the article are tickers, split into headlines.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from akhbar.extract.language import detect_language_scored
from akhbar.extract.text import has_inner_break
from akhbar.extract.textdump.lines import Line, Segment, best_segment, body_lines, is_paragraph, read_lines
from akhbar.extract.textdump.meta import (
    TITLE_MAX_WORDS,
    DateLine,
    earliest_date_line,
    find_caption,
    find_date_line,
    find_title,
    is_title_shaped,
    ticker_headlines,
)
from akhbar.models import Article, Rejected

__all__ = ["MAX_LINES", "MIN_BODY_WORDS", "extract_textdump"]

MIN_BODY_WORDS = 25
"""A body with fewer words than this is not an article."""
MAX_LINES = 50_000
"""Lines read from one dump; a news page has a few thousand at most."""
_LANGUAGE_SAMPLES = 3
_SURE = 0.9
"""One paragraph detected at least this surely settles the language."""
_EDGE_CHECKS = 2
"""Paragraphs checked at each end of the body for another language."""
_EDGE_MIN_WORDS = 8
_FOREIGN = 0.8
_TITLE_SIDE = 3
"""Lines just above the title that may still carry the publication date (a dateline, a kicker)."""
"""An edge paragraph detected at least this surely in another language is not the body's."""


def _language(paragraphs: list[Line]) -> str | None:
    """The body's language: its longest paragraphs vote, weighted by the detector's confidence."""
    votes: dict[str, float] = defaultdict(float)
    for line in sorted(paragraphs, key=lambda line: -line.words)[:_LANGUAGE_SAMPLES]:
        found = detect_language_scored(line.text)
        if found is not None:
            votes[found[0]] += found[1]
            if len(votes) == 1 and found[1] >= _SURE:
                break
    return max(votes, key=votes.__getitem__) if votes else None


def _trim_other_language(paragraphs: list[Line], language: str) -> list[Line]:
    """Drop paragraphs at either end of the body that are surely in another language."""
    first, last = 0, len(paragraphs)
    while last - first > 1 and first < _EDGE_CHECKS and _foreign(paragraphs[first], language):
        first += 1
    trimmed = 0
    while last - first > 1 and trimmed < _EDGE_CHECKS and _foreign(paragraphs[last - 1], language):
        last, trimmed = last - 1, trimmed + 1
    return paragraphs[first:last]


def _foreign(line: Line, language: str) -> bool:
    if line.words < _EDGE_MIN_WORDS:
        return False
    found = detect_language_scored(line.text)
    return found is not None and found[0] != language and found[1] >= _FOREIGN


def _after_date_line(paragraphs: list[Line], date_line: Line, segment: Segment) -> list[Line]:
    """Without the heading lines above a date line that opens the body (kept if they are long, or
    if a paragraph above shares the date line's block of running text: the date is in the text)."""
    above = [line for line in paragraphs if line.number < date_line.number]
    below = paragraphs[len(above) :]
    if not below or any(line.words > TITLE_MAX_WORDS for line in above):
        return paragraphs
    if date_line.block in segment.blocks and any(
        line.block == date_line.block and _prose(line, segment) for line in above
    ):
        return paragraphs
    return below


def _prose(line: Line, segment: Segment) -> bool:
    """A paragraph by its own shape, not only as a line of a block of running text."""
    return is_paragraph(line, segment.script, punctuated=segment.punctuated)


def _heading_on_top(paragraphs: list[Line], segment: Segment) -> Line | None:
    """The body's first line when it is the article's heading rather than its first paragraph.

    A title that ends with a full stop, or a long one, reads like prose and opens the body run; so
    does a title written on the line above the paragraphs of a block of running text. It is the
    heading when it is title-shaped and either nothing stands above it in the dump, or a blank line
    sets it apart from the next paragraph, which opens a block of running text (paragraphs one per
    line). A line of several sentences needs both signs. Enough body must remain without it.
    """
    if len(paragraphs) < 2:
        return None
    first, second = paragraphs[0], paragraphs[1]
    top = first.number == 0
    apart = first.block != second.block and second.block in segment.blocks
    if not (top or apart) or not is_title_shaped(first, segment.script):
        return None
    if first.ends_sentence and has_inner_break(first.text) and not (top and apart):
        return None
    if sum(line.words for line in paragraphs[1:]) < MIN_BODY_WORDS:
        return None
    return first


def _rejection(lines: list[Line], location: str) -> Rejected | None:
    if not lines:
        return Rejected(location, "no text: the dump is empty")
    if not any(line.has_letters for line in lines):
        return Rejected(location, "no text: the dump has no letters")
    return None


def _body(lines: list[Line], location: str) -> tuple[Segment, list[Line]] | Rejected:
    segment = best_segment(lines)
    if segment is None:
        return Rejected(location, "no article body: no prose-like paragraph, only short lines or links")
    paragraphs = body_lines(lines, segment)
    words = sum(line.words for line in paragraphs)
    if words < MIN_BODY_WORDS:
        return Rejected(location, f"no article body: only {words} words of prose (need {MIN_BODY_WORDS})")
    return segment, paragraphs


def extract_textdump(
    text: str, *, url: str | None = None, fetched_at: datetime | None = None
) -> Article | Rejected:
    """The article in a whole-page text dump, or a Rejected value saying why there is none.

    ``url`` is the page's address when known (its path helps to pick the title); ``fetched_at``
    anchors relative dates such as "il y a 3 heures". Never raises on any text.
    """
    location = url or "<text dump>"
    lines = read_lines(text, max_lines=MAX_LINES)
    found = _rejection(lines, location) or _body(lines, location)
    if isinstance(found, Rejected):
        return found
    segment, paragraphs = found
    return _article(lines, segment, paragraphs, url=url, now=fetched_at)


def _article(
    lines: list[Line], segment: Segment, paragraphs: list[Line], *, url: str | None, now: datetime | None
) -> Article:
    language = _language(paragraphs)
    if language is not None:
        paragraphs = _trim_other_language(paragraphs, language)
    date_line = find_date_line(lines, paragraphs[0].number, segment.end, now=now)
    if date_line is not None and date_line.number > paragraphs[0].number:
        paragraphs = _after_date_line(paragraphs, lines[date_line.number], segment)
        paragraphs = [line for line in paragraphs if line.number != date_line.number or _prose(line, segment)]
    title, paragraphs = _heading(lines, segment, paragraphs, date_line, language=language, url=url)
    start = paragraphs[0].number
    date_number = date_line.number if date_line is not None else None
    after = title.number if title is not None else min(_head_end(date_line, start), start - 1)
    caption = find_caption(lines, after, start, language, date_number=date_number)
    used = {line.number for line in (*paragraphs, title, caption) if line is not None}
    if date_line is not None:
        used.add(date_line.number)
        if title is not None and title.number < date_line.number:
            date_line = earliest_date_line(lines, title.number - _TITLE_SIDE, date_line, now=now)
    return Article(
        title=title.text if title is not None else "",
        body_paragraphs=tuple(line.text for line in paragraphs),
        language=language,
        site_name=date_line.site_name if date_line is not None else None,
        url=url,
        published=date_line.match.date.iso() if date_line is not None else None,
        image_caption=caption.text if caption is not None else None,
        headlines=tuple(ticker_headlines(lines, used)),
    )


def _head_end(date_line: DateLine | None, start: int) -> int:
    """Where the heading ends: at the date line when it stands above the body, else at the body."""
    return date_line.number if date_line is not None and date_line.number < start else start


def _heading(
    lines: list[Line],
    segment: Segment,
    paragraphs: list[Line],
    date_line: DateLine | None,
    *,
    language: str | None,
    url: str | None,
) -> tuple[Line | None, list[Line]]:
    """The title line and the paragraphs without it.

    The body's own first line when it is the heading (:func:`_heading_on_top`), else the most
    heading-like line above the date line or the body, else the date line itself when a title
    holds the date (``Dollar price on Tuesday 3-3-2020``) and nothing above it could be a title.
    """
    top = _heading_on_top(paragraphs, segment)
    if top is not None:
        return top, paragraphs[1:]
    start = paragraphs[0].number
    used = {line.number for line in paragraphs}
    title = find_title(lines, _head_end(date_line, start), segment.script, language, url=url, skip=used)
    if title is None and date_line is not None and date_line.number < start:
        line = lines[date_line.number]
        dated = date_line.match.end - date_line.match.start
        if is_title_shaped(line, segment.script) and 2 * dated < len(line.text):
            title = line
    return title, paragraphs
