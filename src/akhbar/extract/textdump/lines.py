"""Lines of a whole-page text dump, their shapes, and where the article body is among them.

The body is found as the best-scoring run of lines in one script: a prose-like line (many words,
ending like a sentence, seen once on the page) adds to the run, anything else (short chrome,
repeated lines, lines in another script) costs. The run with the highest total wins, which is the
longest stretch of prose that chrome does not interrupt for long.

Blank lines split a dump into blocks. Where a dump sets its parts apart with blank lines but keeps
several lines of running text in one block, and most of that block's lines are prose, the block is
one text: its other lines (a short answer, a question, a standfirst line, a last line that lost its
full stop) are paragraphs too. A dump with a blank line between every two lines (the specimen,
:func:`akhbar.extract.pagetext.page_text`) or none at all gives no such sign. A dump where no line
ends like a sentence (some writers and translations leave out the final stop) is judged on the
lines' lengths alone.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from akhbar.extract.text import clean_lines, has_inner_break, letter_count, script_of
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
BLOCK_MIN_LINES = 3
"""A block of running text has at least this many lines, more than half of them prose."""
SPACELESS_CHARS = 20
"""A line with fewer spaces than one per this many characters lost its spaces, or its script uses
none (words average five to eight characters with their space, German's and Finnish's included),
when it is longer than ``SPACELESS_MIN_CHARS`` (one long compound is a word) or written in
ideographs: its words are estimated from its letters instead..."""
SPACELESS_MIN_CHARS = 40
CHARS_PER_WORD = 6
"""...at this many characters a word."""
IDEOGRAPHS_PER_WORD = 2
"""Chinese and Japanese words are one to three characters long."""

_LETTER = re.compile(r"[^\W\d_]")
_QUOTES = " \"'«»“”‘’.!?…"
_ELLIPSES = ("...", "…")
"""A line ending with an ellipsis is a cut teaser more often than a finished sentence."""
_TERMINALS = frozenset(".!?؟۔…。！？")
_CLOSERS = " »”\"'’)]"
"""Closing quotes and brackets that may follow the final punctuation of a sentence."""
_IDEOGRAPH = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


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
    block: int
    """Which block of the dump the line is in; blank lines separate blocks."""

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
    punctuated: bool = True
    """False when no line of the dump ends like a sentence: lines are judged on their length alone."""
    blocks: frozenset[int] = frozenset()
    """The blocks of running text of the dump (see :func:`text_blocks`)."""


def _numbered(text: str, max_lines: int | None) -> list[tuple[str, int]]:
    """The non-empty lines of a dump, each with the number of its block (blank lines before it)."""
    cleaned = clean_lines(text)
    blanks = itertools.accumulate(0 if line else 1 for line in cleaned)
    numbered = [(line[:MAX_LINE_CHARS], block) for line, block in zip(cleaned, blanks, strict=True) if line]
    return numbered if max_lines is None else numbered[:max_lines]


def word_estimate(line: str, *, ideographic: bool = True) -> int:
    """The words of a line: its spaces, or its letters where spaces are missing or not used
    (Chinese and Japanese text is measured in ideographs and kana; an address is few words).

    ``ideographic`` False says the line has no ideographs or kana (the dump has none), which saves
    looking for them.
    """
    words = line.count(" ") + 1
    ideographs = len(_IDEOGRAPH.findall(line)) if ideographic else 0
    if not ideographs and (len(line) <= SPACELESS_CHARS * words or len(line) <= SPACELESS_MIN_CHARS):
        return words
    letters = letter_count(line) - ideographs
    return max(words, letters // CHARS_PER_WORD + ideographs // IDEOGRAPHS_PER_WORD)


def read_lines(text: str, *, max_lines: int | None = None) -> list[Line]:
    """The non-empty, cleaned lines of a dump with their measures."""
    numbered = _numbered(text, max_lines)
    counts = Counter(line for line, _block in numbered)
    ideographic = _IDEOGRAPH.search(text) is not None
    lines: list[Line] = []
    for index, (line, block) in enumerate(numbered):
        words = word_estimate(line, ideographic=ideographic)
        ends = line.rstrip(_CLOSERS)[-1:] in _TERMINALS and not line.endswith(_ELLIPSES)
        sample = line[:SCRIPT_SAMPLE_CHARS]
        script = ("latin" if _LETTER.search(sample) else "none") if sample.isascii() else script_of(sample)
        ticker = words >= MIN_TICKER_WORDS and not ends and is_ticker(line, words=words, ends_sentence=ends)
        lines.append(Line(index, line, words, script, ends, counts[line], ticker, block))
    return lines


def own_weight(line: Line, *, punctuated: bool = True) -> float:
    """How much a line adds to (or takes from) a body run written in its own script.

    With ``punctuated`` False (a dump where no line ends like a sentence), every line is weighed
    as if it ended like one.
    """
    if not line.has_letters:
        return -NO_LETTER_COST
    if line.copies > 1 or line.ticker:
        return -REPEAT_COST
    gain = float(min(line.words, MAX_LINE_WORDS) - PROSE_WORDS)
    if punctuated and not line.ends_sentence:
        return gain * UNPUNCTUATED_SHARE if line.words > LONG_WORDS else min(gain, -1.0)
    return max(gain, SHORT_SENTENCE_COST) if line.words >= 3 else gain


def is_punctuated(lines: Sequence[Line]) -> bool:
    """Whether any line of three words or more ends like a sentence."""
    return any(line.ends_sentence and line.words >= 3 for line in lines)


def text_blocks(lines: Sequence[Line], own: Sequence[float]) -> frozenset[int]:
    """The blocks of running text: several lines together holding prose, more than half of them
    sentences or long lines (translations and Arabic writers often leave out the final stop)."""
    sizes = Counter(line.block for line in lines)
    prose = {
        line.block for line, gain in zip(lines, own, strict=True) if gain > 0.0 and sizes[line.block] > 1
    }
    texts = Counter(line.block for line in lines if line.block in prose and _reads_as_text(line))
    return frozenset(
        block
        for block, count in texts.items()
        if sizes[block] >= BLOCK_MIN_LINES and 2 * count > sizes[block]
    )


def _reads_as_text(line: Line) -> bool:
    return (line.ends_sentence and line.words >= 3) or line.words > PROSE_WORDS


def _in_text(line: Line) -> bool:
    """Whether a line inside a block of running text may be one of its paragraphs."""
    return line.has_letters and not line.ticker


def _weights(lines: list[Line], punctuated: bool) -> tuple[list[float], frozenset[int]]:
    """Each line's weight (a line inside running text costs little) and the blocks of running text."""
    own = [own_weight(line, punctuated=punctuated) for line in lines]
    blocks = text_blocks(lines, own)
    if blocks:
        for position, line in enumerate(lines):
            if line.block in blocks and _in_text(line):
                own[position] = max(own[position], SHORT_SENTENCE_COST)
    return own, blocks


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
    """The run grown over short paragraphs right at its edges (a one-sentence last paragraph) and
    over the rest of the blocks of running text it starts or ends in."""
    start, end = segment.start, segment.end
    while end < len(lines) and _joins(lines[end], lines[end - 1], segment):
        end += 1
    while start > 0 and _joins(lines[start - 1], lines[start], segment):
        start -= 1
    return replace(segment, start=start, end=end)


def _joins(line: Line, edge: Line, segment: Segment) -> bool:
    if line.block == edge.block and line.block in segment.blocks:
        return line.script == segment.script and _in_text(line)
    return line.words >= EDGE_MIN_WORDS and is_paragraph(line, segment.script, punctuated=segment.punctuated)


def best_segment(lines: list[Line]) -> Segment | None:
    """The highest-scoring run of body-like lines over every script present, or None.

    A script is tried only if its prose, added up, could beat the best run found so far.
    """
    punctuated = is_punctuated(lines)
    own, blocks = _weights(lines, punctuated)
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
    if best is None:
        return None
    return _extended(lines, replace(best, punctuated=punctuated, blocks=blocks))


def is_paragraph(line: Line, script: str, *, punctuated: bool = True) -> bool:
    """Whether a line inside the body run is one of the article's paragraphs.

    A line ending with a full stop needs three words; a lone question (a teaser's shape) or a line
    with no final punctuation (a heading or a link) needs to be long, unless no line of the dump
    ends like a sentence.
    """
    if line.script != script or line.copies > 1 or line.ticker:
        return False
    if not line.ends_sentence and punctuated:
        return line.words > 2 * PROSE_WORDS
    if line.text.endswith(("?", "؟")) and not has_inner_break(line.text):
        return line.words > 2 * PROSE_WORDS
    return line.words >= 3


def is_heading(line: Line, script: str) -> bool:
    """Whether a line could be a subheading: short, once on the page, in the body's script."""
    return line.script == script and line.copies == 1 and line.words <= HEADING_MAX_WORDS


def body_lines(lines: list[Line], segment: Segment) -> list[Line]:
    """The paragraphs of the body run, with lone subheadings between two paragraphs and every line
    of its blocks of running text.

    A line repeated on the page is chrome unless every copy is inside the run and it is a sentence
    (an exclamation the article repeats) or in running text. A pull quote (a line repeated inside
    a longer paragraph) is dropped, unless it is in running text, where it is the writer's.
    """
    run = lines[segment.start : segment.end]
    inside = Counter(line.text for line in run)
    run = [line._replace(copies=1) if _said_again(line, inside, segment) else line for line in run]
    script, punctuated = segment.script, segment.punctuated
    keep = [is_paragraph(line, script, punctuated=punctuated) for line in run]
    for position, line in enumerate(run):
        if not keep[position] and line.block in segment.blocks:
            keep[position] = line.script == script and _in_text(line) and line.copies == 1
    for position in range(1, len(run) - 1):
        if (
            not keep[position]
            and keep[position - 1]
            and is_paragraph(run[position + 1], script, punctuated=punctuated)
        ):
            keep[position] = is_heading(run[position], script)
    kept_lines = [line for line, kept in zip(run, keep, strict=True) if kept]
    joined = "\n".join(line.text for line in kept_lines)
    if len(kept_lines) > PULL_QUOTE_MAX_PARAGRAPHS or len(joined) > PULL_QUOTE_MAX_CHARS:
        return kept_lines
    return [
        line
        for line in kept_lines
        if line.block in segment.blocks or not _quoted_elsewhere(line, joined, kept_lines)
    ]


def _said_again(line: Line, inside: Counter[str], segment: Segment) -> bool:
    if line.copies == 1 or line.words < 3 or inside[line.text] != line.copies:
        return False
    return line.ends_sentence or line.block in segment.blocks


def _quoted_elsewhere(line: Line, joined: str, others: list[Line]) -> bool:
    """A pull quote: the line's words stand again in a longer paragraph of the body."""
    core = line.text.strip(_QUOTES)
    if len(core) < PULL_QUOTE_MIN_CHARS or joined.count(core) < 2:
        return False
    return any(len(other.text) > len(line.text) and core in other.text for other in others)
