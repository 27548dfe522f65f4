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


class Highlighted(str):
    """Text made here: every character of the original escaped, ``<mark>`` and ``</mark>`` (balanced)
    the only markup. A page may insert it as it is; text of any other origin is sanitised first
    (:func:`akhbar.web.presenting.marked`)."""

    __slots__ = ()


class _Analysed:
    """The original words of one language analysed so far: each word's terms, and the words of each
    term (a pure function's memo, the same in every process, so a query's matching words are a set
    union and a text's are a set intersection, with no Python step per word)."""

    __slots__ = ("terms", "words")

    def __init__(self) -> None:
        self.terms: dict[str, frozenset[str]] = {}
        self.words: dict[str, set[str]] = {}

    def learn(self, tokens: set[str], language: str | None) -> None:
        """Analyse the words not seen yet. A word's terms point to it before the word itself is
        entered, so a word found in ``terms`` is always found under its terms (threads read at will)."""
        for token in tokens.difference(self.terms):
            token_terms = frozenset(terms(token, language))
            for term in token_terms:
                self.words.setdefault(term, set()).add(token)
            self.terms[token] = token_terms

    def matching(self, tokens: set[str], wanted: frozenset[str]) -> set[str]:
        """Those of ``tokens`` (all learnt) with a wanted term."""
        found: set[str] = set()
        for term in wanted:
            words = self.words.get(term)
            if words:
                found |= tokens.intersection(words)
        return found


_analysed: dict[str | None, _Analysed] = {}


class _Chunks(dict[str, tuple[str, ...]]):
    """The words of each run of text between spaces seen so far (a pure function's memo), and the
    runs that are one word each (most are): a text's distinct words are then set operations and a
    union of the other runs' words, with no regex and no Python step per run."""

    def __init__(self) -> None:
        super().__init__()
        self.words: set[str] = set()

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        found = self[chunk] = tuple(_ORIGINAL.findall(chunk))
        if found == (chunk,):
            self.words.add(chunk)
        return found


_chunks = [_Chunks()]


def _words(text: str) -> set[str]:
    """The distinct words of ``text`` (as :data:`_ORIGINAL` finds them: no word holds a space)."""
    chunks = _chunks[0]
    if len(chunks) > _CACHE_LIMIT:
        chunks = _chunks[0] = _Chunks()
    runs = set(text.split())
    found = runs & chunks.words
    found.update(*map(chunks.__getitem__, runs.difference(chunks.words)))
    return found


def _matching(tokens: set[str], wanted: frozenset[str], language: str | None) -> set[str]:
    """The words of ``tokens`` (distinct, as written) whose terms are wanted."""
    known = _analysed.get(language)
    if known is None or len(known.terms) > _CACHE_LIMIT:
        known = _analysed[language] = _Analysed()  # a search holding the old one keeps using it
    known.learn(tokens, language)
    return known.matching(tokens, wanted)


def highlight(text: str, wanted: frozenset[str], language: str | None) -> Highlighted:
    """All of ``text``, HTML-escaped, every matching word in ``<mark>``."""
    forms = _matching(_words(text), wanted, language)
    return _marked(text, 0, len(text), _spans(text, forms, 0, len(text)) if forms else [])


def _joined(text: str, at: int) -> bool:
    """Whether the characters at ``at`` and ``at + 1`` belong to one word (words are runs of one of
    the two disjoint classes of :data:`_ORIGINAL`)."""
    return _ORIGINAL.fullmatch(text, at, at + 2) is not None


def _occurrences(text: str, form: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each word of ``text[start:end]`` written ``form``, as :data:`_ORIGINAL` reads
    that slice (a word cut by its edges counts as cut), found by ``str.find``."""
    at = text.find(form, start, end)
    while at >= 0:
        stop = at + len(form)
        if (at == start or not _joined(text, at - 1)) and (stop == end or not _joined(text, stop - 1)):
            yield at, stop
        at = text.find(form, at + 1, end)


def _spans(text: str, forms: set[str], start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the words of ``text[start:end]`` written as one of ``forms``, in order."""
    return sorted(span for form in forms for span in _occurrences(text, form, start, end))


def _first(text: str, forms: set[str]) -> tuple[int, int] | None:
    """(start, end) of the first word of ``text`` written as one of ``forms``, each form looked
    for only before the best so far (a word's start is never inside another word, so ending the
    slice there cuts no word)."""
    best: tuple[int, int] | None = None
    for form in forms:
        found = next(_occurrences(text, form, 0, len(text) if best is None else best[0]), None)
        best = found or best
    return best


def snippet(text: str, wanted: frozenset[str], language: str | None) -> Highlighted:
    """About ``WINDOW`` characters around the first match (the start when nothing matches), escaped.

    The text's distinct words are sorted by set operations (:func:`_words`, :class:`_Analysed`),
    the first match is found by ``str.find``, and only the window's words are read one by one. A
    window cut inside a word (no space near) marks what the whole text's matching words are.
    """
    text = text[:SCAN]
    forms = _matching(_words(text), wanted, language)
    first = _first(text, forms) if forms else None
    start = max(0, first[0] - WINDOW // 3) if first else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if first and 0 <= space < first[0] else start
    end = min(len(text), start + WINDOW)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    found = _spans(text, forms, start, end) if first else []
    body = _marked(text, start, end, found)
    return Highlighted(("… " if start else "") + body + (" …" if end < len(text) else ""))


def _marked(text: str, start: int, end: int, found: list[tuple[int, int]]) -> Highlighted:
    out, at = [], start
    for begin, finish in found:
        if begin < start or finish > end:
            continue
        out.append(html.escape(text[at:begin]))
        out.append("<mark>" + html.escape(text[begin:finish]) + "</mark>")
        at = finish
    out.append(html.escape(text[at:end]))
    return Highlighted("".join(out))


def direction(text: str, language: str | None) -> str:
    """``rtl`` for Arabic-script text (by language, else by the majority of letters), else ``ltr``."""
    if language in ("ar", "fa", "ur"):
        return "rtl"
    if language:
        return "ltr"
    letters = [c for c in text[:DIRECTION_SAMPLE] if c.isalpha()]
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff")
    return "rtl" if letters and arabic * 2 > len(letters) else "ltr"
