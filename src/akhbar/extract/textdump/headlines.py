"""Tickers: long lines where a page runs several headlines together, and how to split them.

A ticker line is long, does not end like a sentence, and breaks into several headlines at visible
seams: ``. `` and ``... `` (a truncated headline), a closing quote, or a switch between Arabic and
Latin script. A paragraph that merely lacks its final full stop has sentence breaks, but rarely
several truncations or switches of script.
"""

from __future__ import annotations

import itertools
import re

__all__ = ["MIN_TICKER_ITEMS", "MIN_TICKER_WORDS", "is_ticker", "split_headlines"]

MIN_TICKER_WORDS = 12
MIN_TICKER_ITEMS = 3
MIN_SCRIPT_SWITCHES = 3
MAX_TICKER_CHARS = 8_000

_CLOSING_QUOTES = "”»’"
_ARABIC_RANGE = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_TRUNCATION = re.compile(r"(?:\.\.\.|…)\s+\S")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")


def _is_arabic(char: str) -> bool:
    return _ARABIC_RANGE.match(char) is not None


def _edge_script(token: str, *, last: bool) -> str | None:
    """The script of the token's first (or last) letter: ``"arabic"``, ``"latin"`` or None."""
    for char in reversed(token) if last else token:
        if char.isalpha():
            return "arabic" if _is_arabic(char) else "latin"
    return None


def _breaks_after(token: str, item: list[str]) -> bool:
    if token.endswith(("...", "…")):
        return True
    if token.endswith(".") and sum(char.isalpha() for char in token) >= 2:
        return True
    if token[-1] in _CLOSING_QUOTES:
        return True
    return token.endswith('"') and sum(part.count('"') for part in item) % 2 == 0


def split_headlines(text: str) -> list[str]:
    """Split a run-together ticker line into headlines at visible breaks.

    Breaks: after ``. `` and ``... ``, after a closing quote, and between two words whose facing
    letters are in different scripts (Arabic and Latin). Every word of the line lands in one item.
    """
    items: list[str] = []
    current: list[str] = []
    previous: str | None = None
    for token in text.split():
        first = _edge_script(token, last=False)
        if current and previous is not None and first is not None and first != previous:
            items.append(" ".join(current))
            current = []
        current.append(token)
        previous = _edge_script(token, last=True) or previous
        if _breaks_after(token, current):
            items.append(" ".join(current))
            current, previous = [], None
    if current:
        items.append(" ".join(current))
    return [item for item in items if item]


def _script_switches(items: list[str]) -> int:
    switches = 0
    for left, right in itertools.pairwise(items):
        facing = (_edge_script(left, last=True), _edge_script(right, last=False))
        if None not in facing and facing[0] != facing[1]:
            switches += 1
    return switches


def is_ticker(text: str, *, words: int, ends_sentence: bool) -> bool:
    """Whether a line is several headlines run together rather than prose or a single headline.

    It must be long, not end like a sentence, split into several items, and show seams prose does
    not have: two truncated headlines (``... `` inside the line), or one and a switch between
    Arabic and Latin script, or three such switches.
    """
    if words < MIN_TICKER_WORDS or ends_sentence or len(text) > MAX_TICKER_CHARS:
        return False
    truncations = len(_TRUNCATION.findall(text))
    mixed = _ARABIC_RANGE.search(text) is not None and _LATIN.search(text) is not None
    if truncations < 2 and not mixed:
        return False
    items = split_headlines(text)
    if len(items) < MIN_TICKER_ITEMS:
        return False
    switches = _script_switches(items) if mixed else 0
    return truncations >= 2 or (truncations == 1 and switches >= 1) or switches >= MIN_SCRIPT_SWITCHES
