"""Highlighted snippets: the original text around the first matching words, matches in <mark>."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from akhbar.search.analysis import terms

WINDOW = 220  # characters of context in a snippet
SCAN = 2000  # characters of a body searched for the first match
DIRECTION_SAMPLE = 500  # characters whose letters decide the direction of a text without a language


#: Words as they stand in the original text, diacritics, tatweel and presentation forms included,
#: so that match positions need no mapping back.
_ORIGINAL = re.compile(
    r"[\u0610-\u061A\u0621-\u065F\u066E-\u06D3\u06D5-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]+"
    r"|[^\W_\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]+"
)


_CACHE_LIMIT = 200_000
_token_caches: dict[str | None, dict[str, frozenset[str]]] = {}


def _token_terms(token: str, language: str | None) -> frozenset[str]:
    """The terms of one original word (a pure function's memo: the same in every process)."""
    cache = _token_caches.setdefault(language, {})
    found = cache.get(token)
    if found is None:
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        found = cache[token] = frozenset(terms(token, language))
    return found


_Sorted = tuple[set[str], set[str]]  # original words whose terms a query wants, and the others
_sorted_words: dict[tuple[str | None, frozenset[str]], _Sorted] = {}
_SORTED_QUERIES = 256


def _sorted(wanted: frozenset[str], language: str | None) -> _Sorted:
    """The words already sorted for this query: the results of one search share most of their words,
    so each result's words are mostly sorted by set operations, not one by one."""
    key = (language, wanted)
    found = _sorted_words.get(key)
    if found is None:
        if len(_sorted_words) >= _SORTED_QUERIES:
            _sorted_words.clear()
        found = _sorted_words[key] = (set(), set())
    return found


def _forms(text: str, wanted: frozenset[str], language: str | None) -> frozenset[str]:
    """The distinct words of ``text``, as written, whose terms are wanted: each distinct word is
    analysed once (memoised), and a word already sorted for this query costs a set operation."""
    words = set(_ORIGINAL.findall(text))
    hits, misses = _sorted(wanted, language)
    cache = _token_caches.setdefault(language, {})
    for token in words - hits - misses:
        token_terms = cache.get(token)
        if token_terms is None:
            token_terms = _token_terms(token, language)
        (misses if wanted.isdisjoint(token_terms) else hits).add(token)
    return frozenset(words & hits)


def _matches(
    text: str, forms: frozenset[str], start: int = 0, end: int | None = None
) -> Iterator[tuple[int, int]]:
    """(start, end) of the words of ``text[start:end]`` written as one of ``forms``."""
    for m in _ORIGINAL.finditer(text, start, len(text) if end is None else end):
        if m.group(0) in forms:
            yield m.start(), m.end()


def highlight(text: str, wanted: frozenset[str], language: str | None) -> str:
    """All of ``text``, HTML-escaped, every matching word in ``<mark>``."""
    forms = _forms(text, wanted, language)
    return _marked(text, 0, len(text), list(_matches(text, forms)) if forms else [])


def _hit(word: str, wanted: frozenset[str], language: str | None, memo: _Sorted) -> bool:
    """Whether ``word`` (as written) has a wanted term; ``memo`` is the query's sorted words."""
    hits, misses = memo
    if word in hits:
        return True
    if word in misses:
        return False
    found = not wanted.isdisjoint(_token_terms(word, language))
    (hits if found else misses).add(word)
    return found


def _first(text: str, wanted: frozenset[str], language: str | None, memo: _Sorted) -> tuple[int, int] | None:
    """(start, end) of the first word of ``text`` with a wanted term, words already sorted for the
    query costing a set look-up (sorting all the words of a text first cost more: most texts match
    early, and reading on to the end at once, past a few dozen words, did not pay either)."""
    hits, misses = memo
    for m in _ORIGINAL.finditer(text):
        word = m.group()
        if word in misses:
            pass
        elif word in hits or _hit(word, wanted, language, memo):
            return m.span()
    return None


def snippet(text: str, wanted: frozenset[str], language: str | None) -> str:
    """About ``WINDOW`` characters around the first match (the start when nothing matches), escaped.

    The words are read from the start up to the first match only, then those of the window: what
    sorting every word of the text first gives (the first match is the first word sorted a match,
    and a window cut at spaces holds whole words, each sorted as it would be in the whole text).
    A window cut inside a word (no space near) is marked from the whole text's matching words.
    """
    text = text[:SCAN]
    memo = _sorted(wanted, language)
    first = _first(text, wanted, language, memo)
    start = max(0, first[0] - WINDOW // 3) if first else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if first and 0 <= space < first[0] else start
    end = min(len(text), start + WINDOW)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    if first is None:
        found: list[tuple[int, int]] = []
    elif (start == 0 or text[start - 1].isspace()) and (end == len(text) or text[end].isspace()):
        window = _ORIGINAL.finditer(text, start, end)
        found = [m.span() for m in window if _hit(m.group(), wanted, language, memo)]
    else:
        found = list(_matches(text, _forms(text, wanted, language), start, end))
    body = _marked(text, start, end, found)
    return ("… " if start else "") + body + (" …" if end < len(text) else "")


def _marked(text: str, start: int, end: int, found: list[tuple[int, int]]) -> str:
    out, at = [], start
    for begin, finish in found:
        if begin < start or finish > end:
            continue
        out.append(html.escape(text[at:begin]))
        out.append("<mark>" + html.escape(text[begin:finish]) + "</mark>")
        at = finish
    out.append(html.escape(text[at:end]))
    return "".join(out)


def direction(text: str, language: str | None) -> str:
    """``rtl`` for Arabic-script text (by language, else by the majority of letters), else ``ltr``."""
    if language in ("ar", "fa", "ur"):
        return "rtl"
    if language:
        return "ltr"
    letters = [c for c in text[:DIRECTION_SAMPLE] if c.isalpha()]
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff")
    return "rtl" if letters and arabic * 2 > len(letters) else "ltr"
