"""One analyser for indexing and querying, on both backends: text in, index terms out.

Each word is analysed by its script: Arabic-script words by :mod:`akhbar.search.arabic` whatever
the document's language (an English page quoting الناتو still finds it), Latin-script words by the
French or English Snowball stemmer (the document's language when it is one of them, else English),
then accent-folded (défense and defense meet). French elisions (l', d', qu', ...) come off first.
A query does not know its language, so a Latin query word gives both its French and English terms.

A quoted phrase matches words, not stems: every word of a text also has its exact form, the word
folded (case, accents, Arabic letter variants and marks) and nothing more, stop words included
(:func:`index_terms`, :func:`exact_form`), indexed apart from the terms.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import Stemmer

from akhbar.search import arabic
from akhbar.search.stopwords import BY_LANGUAGE
from akhbar.text import APOSTROPHES, TABLE, apply_table, fold, strip_accents

#: Arabic-script runs, or runs of other letters and digits (no underscore); scripts split words.
#: An apostrophe splits too: French elisions (l', d', qu', ...) become stop words of their own.
WORD = re.compile(r"([\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF]+)|([^\W_\u0600-\u06FF]+)")
_TOKEN = re.compile(r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF]+|[^\W_\u0600-\u06FF]+")
LATIN_LANGUAGES = ("fr", "en")
MAX_WORD = 60  # longer "words" (URLs, hashes, garbage) are cut: they never match usefully anyway

_stemmers = {"fr": Stemmer.Stemmer("french"), "en": Stemmer.Stemmer("english")}


@dataclass(frozen=True)
class Word:
    """A word of the original text: where it is (for highlighting) and its normalised form."""

    start: int
    end: int
    normalised: str
    arabic: bool


def prepare(text: str) -> str:
    """NFKC, case folding, akhbar's folding table (:func:`akhbar.text.fold`). Keeps the length of
    most text."""
    return fold(text)


def words(text: str) -> Iterator[Word]:
    """The words of prepared text."""
    for match in WORD.finditer(text):
        yield Word(match.start(), match.end(), match.group(0)[:MAX_WORD], match.group(1) is not None)


@functools.lru_cache(maxsize=100_000)
def latin_term(word: str, language: str) -> str | None:
    """The index term of a Latin-script word in ``language`` (fr or en), None for a stop word."""
    folded = strip_accents(word)  # before stemming, so "défense" and "defense" stem alike
    if folded in BY_LANGUAGE[language]:
        return None
    if folded.isdigit():
        return folded
    stemmed: str = _stemmers[language].stemWord(folded)
    return stemmed


def latin_language(language: str | None) -> str:
    return language if language in LATIN_LANGUAGES else "en"


# words each memo below holds before it starts again empty. A distinct word costs about 430 bytes
# across the memos (its term, its exact form, latin_term's entry): at 500,000 a process that
# indexes a multilingual stream for weeks held over 200 MB of them; at 100,000, under 60 MB, and
# the words that come back often are back in the memo within a few documents of a fresh start.
_CACHE_LIMIT = 100_000


class _TermCache(dict[str, "str | None"]):
    """Word -> term for one Latin language: a pure function's memo, the same in every process.
    A miss computes the term (``__missing__``), so a document's words are looked up in C."""

    def __init__(self, latin: str) -> None:
        super().__init__()
        self.latin = latin

    def __missing__(self, token: str) -> str | None:
        if "\u0621" <= token[0] <= "\u06ff":
            found = self[token] = arabic.term(token[:MAX_WORD])
        else:
            found = self[token] = latin_term(token[:MAX_WORD], self.latin)
        return found


class _ExactCache(dict[str, str]):
    """Word -> exact form (a pure function's memo, like :class:`_TermCache`)."""

    def __missing__(self, token: str) -> str:
        found = self[token] = _exact(token[:MAX_WORD])
        return found


def _exact(word: str) -> str:
    return word if "\u0621" <= word[0] <= "\u06ff" else strip_accents(word)


_caches = {lang: _TermCache(lang) for lang in LATIN_LANGUAGES}
_exact_cache = _ExactCache()
#: Characters the table changes besides apostrophes: text without any (French, English) skips it.
_MAPPED = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in sorted(TABLE) if chr(c) not in APOSTROPHES) + "]"
)


def _tokens(text: str) -> list[str]:
    """The words of ``text`` folded like :func:`prepare` folds it, without looking every character
    up in the table (:func:`akhbar.text.apply_table`, and when no character of it needs the table,
    not at all)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if _MAPPED.search(folded) is not None:
        folded = apply_table(folded)
    else:
        for apostrophe in APOSTROPHES:
            if apostrophe in folded:
                folded = folded.replace(apostrophe, "'")
    return _TOKEN.findall(folded)


def terms(text: str, language: str | None) -> list[str]:
    """The index terms of a document's text, in order (stop words dropped)."""
    return [term for term in map(_term_cache(language).__getitem__, _tokens(text)) if term]


def index_terms(text: str, language: str | None) -> tuple[list[str], list[str]]:
    """A document's index terms (stop words dropped) and the exact forms of all its words, in order."""
    cache = _term_cache(language)
    if len(_exact_cache) > _CACHE_LIMIT:
        _exact_cache.clear()
    tokens = _tokens(text)
    return [term for term in map(cache.__getitem__, tokens) if term], list(
        map(_exact_cache.__getitem__, tokens)
    )


def _term_cache(language: str | None) -> _TermCache:
    cache = _caches[latin_language(language)]
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    return cache


def exact_form(word: Word) -> str:
    """What a word of a quoted phrase matches: the word folded, accents off, never stemmed."""
    return _exact(word.normalised)


def query_terms(word: Word, language: str | None) -> tuple[str, ...]:
    """The terms a query word may match: for Latin script, the French and English ones (or the
    ``language`` one when the reader chose fr or en); empty for a stop word."""
    if word.arabic:
        found = arabic.term(word.normalised)
        return (found,) if found else ()
    languages = (language,) if language in LATIN_LANGUAGES else LATIN_LANGUAGES
    found_terms = [latin_term(word.normalised, lang) for lang in languages]
    if any(t is None for t in found_terms):  # a stop word in one of the languages is dropped
        return ()
    return tuple(dict.fromkeys(t for t in found_terms if t))
