"""Lines of a whole-page text dump, their shapes, and where the article body is among them.

The body is found as the best-scoring run of lines in one script: a prose-like line (many words,
ending like a sentence, seen once on the page) adds to the run, anything else (short chrome,
repeated lines, lines in another script) costs. The run with the highest total wins, which is the
longest stretch of prose that chrome does not interrupt for long.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from akhbar.extract.text import clean_lines, has_inner_break, script_of
from akhbar.extract.textdump.headlines import MIN_TICKER_WORDS, is_ticker

__all__ = ["Line", "Segment", "best_segment", "body_lines", "read_lines"]

PROSE_WORDS = 10
"""A line needs more words than this to count in favour of a body run."""
LONG_WORDS = 60
"""A line with more words than this is prose even when it does not end like a sentence..."""
UNPUNCTUATED_SHARE = 0.5
"""...but counts for only this share of its words; shorter such lines are headings or links."""
REPEAT_COST = 10.0
"""Cost of a line seen more than once on the page (menus, share buttons, repeated captions) or a ticker."""
OTHER_SCRIPT_COST = 15.0
"""Cost of a line in another script than the run's."""
NO_LETTER_COST = 3.0
"""Cost of a line without letters (numbers, symbols)."""
SHORT_SENTENCE_COST = -1.0
"""Weight of a short line that ends like a sentence: nearly neutral, chrome rarely does."""
GAP_STEP = 2.0
"""Each further line of an unbroken stretch of non-prose costs this much more than the one before."""
MAX_LINE_WORDS = 400
"""Words beyond this in one line add nothing more (one giant line is not a long article)."""
SCRIPT_SAMPLE_CHARS = 400
"""A line's script is judged on its first characters (a paragraph does not change script midway)."""
MAX_LINE_CHARS = 20_000
"""Characters kept of one line; no paragraph is longer, a longer line is not text meant for reading."""
PULL_QUOTE_MIN_CHARS = 40
"""Shorter lines repeated inside a paragraph are ordinary phrases, not pull quotes."""
PULL_QUOTE_MAX_PARAGRAPHS = 500
PULL_QUOTE_MAX_CHARS = 300_000
"""Pull quotes are looked for in bodies of an article's size only (the search is quadratic)."""
HEADING_MAX_WORDS = 20
"""A subheading has at most this many words."""
EDGE_MIN_WORDS = 4
"""A paragraph right outside the best run joins it with at least this many words."""

_LETTER = re.compile(r"[^\W\d_]")
_QUOTES = " \"'«»“”‘’.!?…"
_ELLIPSES = ("...", "…")
"""A line ending with an ellipsis is a cut teaser more often than a finished sentence."""
_TERMINALS = frozenset(".!?؟۔…")
_CLOSERS = " »”\"'’)]"
"""Closing quotes and brackets that may follow the final punctuation of a sentence."""


class Line(NamedTuple):
    """One non-empty line of the dump with the measures the rules use (a tuple: cheap to make)."""

    number: int
    """Position among the non-empty lines of the dump."""
    text: str
    words: int
    script: str
    ends_sentence: bool
    copies: int
    """How many lines of the page have exactly this text."""
    ticker: bool
    """Several headlines run together (see :mod:`akhbar.extract.textdump.headlines`)."""

    @property
    def has_letters(self) -> bool:
        return self.script != "none"


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of lines ``[start, end)`` in ``script`` whose weights add up to ``score``."""

    start: int
    end: int
    script: str
    score: float


def read_lines(text: str, *, max_lines: int | None = None) -> list[Line]:
    """The non-empty, cleaned lines of a dump with their measures."""
    raw = [line[:MAX_LINE_CHARS] for line in clean_lines(text) if line]
    if max_lines is not None:
        raw = raw[:max_lines]
    counts = Counter(raw)
    lines: list[Line] = []
    for index, line in enumerate(raw):
        words = line.count(" ") + 1
        ends = line.rstrip(_CLOSERS)[-1:] in _TERMINALS and not line.endswith(_ELLIPSES)
        sample = line[:SCRIPT_SAMPLE_CHARS]
        script = ("latin" if _LETTER.search(sample) else "none") if sample.isascii() else script_of(sample)
        ticker = words >= MIN_TICKER_WORDS and not ends and is_ticker(line, words=words, ends_sentence=ends)
        lines.append(Line(index, line, words, script, ends, counts[line], ticker))
    return lines


def own_weight(line: Line) -> float:
    """How much a line adds to (or takes from) a body run written in its own script."""
    if not line.has_letters:
        return -NO_LETTER_COST
    if line.copies > 1 or line.ticker:
        return -REPEAT_COST
    gain = float(min(line.words, MAX_LINE_WORDS) - PROSE_WORDS)
    if not line.ends_sentence:
        return gain * UNPUNCTUATED_SHARE if line.words > LONG_WORDS else min(gain, -1.0)
    return max(gain, SHORT_SENTENCE_COST) if line.words >= 3 else gain


def _best_run(lines: list[Line], own: list[float], script: str) -> Segment | None:
    best: Segment | None = None
    total = best_total = 0.0
    start = gap = 0
    for position, line in enumerate(lines):
        gain = own[position] if line.script == script or line.script == "none" else -OTHER_SCRIPT_COST
        gap = gap + 1 if gain <= 0.0 else 0
        if gap > 1:
            gain -= GAP_STEP * (gap - 1)
        if total <= 0.0:
            total, start = 0.0, position
        total += gain
        if total > best_total:
            best_total = total
            best = Segment(start, position + 1, script, total)
    return best


def _extended(lines: list[Line], segment: Segment) -> Segment:
    """The run grown over short paragraphs right at its edges (a one-sentence last paragraph)."""
    start, end = segment.start, segment.end
    while end < len(lines) and _edge_paragraph(lines[end], segment.script):
        end += 1
    while start > 0 and _edge_paragraph(lines[start - 1], segment.script):
        start -= 1
    return Segment(start, end, segment.script, segment.score)


def _edge_paragraph(line: Line, script: str) -> bool:
    return line.words >= EDGE_MIN_WORDS and is_paragraph(line, script)


def best_segment(lines: list[Line]) -> Segment | None:
    """The highest-scoring run of body-like lines over every script present, or None.

    A script is tried only if its prose, added up, could beat the best run found so far.
    """
    own = [own_weight(line) for line in lines]
    bounds: dict[str, float] = {}
    for line, gain in zip(lines, own, strict=True):
        if gain > 0.0:
            bounds[line.script] = bounds.get(line.script, 0.0) + gain
    best: Segment | None = None
    for script, bound in sorted(bounds.items(), key=lambda item: -item[1]):
        if best is not None and bound <= best.score:
            break
        found = _best_run(lines, own, script)
        if found is not None and (best is None or found.score > best.score):
            best = found
    return None if best is None else _extended(lines, best)


def is_paragraph(line: Line, script: str) -> bool:
    """Whether a line inside the body run is one of the article's paragraphs.

    A line ending with a full stop needs three words; a lone question (a teaser's shape) or a line
    with no final punctuation (a heading or a link) needs to be long.
    """
    if line.script != script or line.copies > 1 or line.ticker:
        return False
    if not line.ends_sentence:
        return line.words > 2 * PROSE_WORDS
    if line.text.endswith(("?", "؟")) and not has_inner_break(line.text):
        return line.words > 2 * PROSE_WORDS
    return line.words >= 3


def is_heading(line: Line, script: str) -> bool:
    """Whether a line could be a subheading: short, once on the page, in the body's script."""
    return line.script == script and line.copies == 1 and line.words <= HEADING_MAX_WORDS


def body_lines(lines: list[Line], segment: Segment) -> list[Line]:
    """The paragraphs of the body run, with lone subheadings between two paragraphs.

    A line repeated on the page is chrome unless it is a sentence whose every copy is inside the
    run (an exclamation the article repeats).
    """
    run = lines[segment.start : segment.end]
    inside = Counter(line.text for line in run)
    run = [line._replace(copies=1) if _said_again(line, inside) else line for line in run]
    keep = [is_paragraph(line, segment.script) for line in run]
    for position in range(1, len(run) - 1):
        if not keep[position] and keep[position - 1] and is_paragraph(run[position + 1], segment.script):
            keep[position] = is_heading(run[position], segment.script)
    kept_lines = [line for line, kept in zip(run, keep, strict=True) if kept]
    joined = "\n".join(line.text for line in kept_lines)
    if len(kept_lines) > PULL_QUOTE_MAX_PARAGRAPHS or len(joined) > PULL_QUOTE_MAX_CHARS:
        return kept_lines
    return [line for line in kept_lines if not _quoted_elsewhere(line, joined, kept_lines)]


def _said_again(line: Line, inside: Counter[str]) -> bool:
    return line.copies > 1 and line.ends_sentence and line.words >= 3 and inside[line.text] == line.copies


def _quoted_elsewhere(line: Line, joined: str, others: list[Line]) -> bool:
    """A pull quote: the line's words stand again in a longer paragraph of the body."""
    core = line.text.strip(_QUOTES)
    if len(core) < PULL_QUOTE_MIN_CHARS or joined.count(core) < 2:
        return False
    return any(len(other.text) > len(line.text) and core in other.text for other in others)
