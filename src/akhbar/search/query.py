"""Parsing what a reader types into a query: words, "phrases", -exclusions and OR.

A word matches the words that share its stem (retraite, retraites, retraité); a quoted phrase
matches its words in order, exactly up to folding (case, accents, Arabic letter variants): "la
retraite" matches "La Retraite" and "la retraité", not "chiffre d'affaires retraité". The index
holds stems, so a quoted phrase is looked up by its stems and then checked word by word
(:func:`akhbar.search.index.phrase_conditions`); a query needs one clause the index can look up.

Any string parses: unbalanced quotes close at the end, operators of the backends mean nothing
here, control characters are spaces. What cannot be searched (nothing but stop words and
punctuation, only exclusions, far too long) is a :class:`QueryProblem` value with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from akhbar.search.analysis import exact_form, prepare, query_terms, words

MAX_CHARS = 2000
MAX_CLAUSES = 32
_LEXEME = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

#: One position of a phrase: the terms it may match (a Latin word: its French and English terms).
Position = tuple[str, ...]


@dataclass(frozen=True)
class Phrase:
    """Words that must follow each other (one word is a phrase of one).

    ``positions`` are the words' terms (stems, stop words dropped): what an unquoted word matches,
    and what highlighting and ranking look for. ``exact`` is set for a quoted phrase: the exact
    forms of all its words, in order, stop words included, which is what it must match.
    """

    positions: tuple[Position, ...]
    exact: tuple[str, ...] = ()

    def variants(self) -> tuple[tuple[str, ...], ...]:
        """The phrase as plain term sequences: the first alternative of each word, then the second."""
        if not self.positions:
            return ()
        count = max(len(p) for p in self.positions)
        found = (tuple(p[min(i, len(p) - 1)] for p in self.positions) for i in range(count))
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Clause:
    """Phrases joined by OR; a query's clauses must all match."""

    phrases: tuple[Phrase, ...]


@dataclass(frozen=True)
class Query:
    text: str
    clauses: tuple[Clause, ...]
    excluded: tuple[Phrase, ...]

    @property
    def exact(self) -> bool:
        """Whether the reader quoted a phrase: asked for these words exactly."""
        return any(p.exact for c in self.clauses for p in c.phrases)

    def indexed(self) -> tuple[Clause, ...]:
        """The clauses the index can look up by their terms: every phrase of them has some (a
        quoted phrase of stop words only has none, and is only checked word by word)."""
        return tuple(c for c in self.clauses if all(p.positions for p in c.phrases))

    def excluded_terms(self) -> tuple[Phrase, ...]:
        """The excluded phrases the index excludes by their terms (not quoted ones: the terms of
        "la retraite" would exclude "retraité" too)."""
        return tuple(p for p in self.excluded if not p.exact)

    def terms(self) -> frozenset[str]:
        """Every term the reader looks for (for highlighting and title boosts)."""
        return frozenset(t for c in self.clauses for p in c.phrases for pos in p.positions for t in pos)


@dataclass(frozen=True)
class QueryProblem:
    """Why a string cannot be searched, in words fit for the reader (an HTTP 400, exit code 2)."""

    text: str
    reason: str


def _phrase(text: str, language: str | None, *, quoted: bool = False) -> Phrase | None:
    positions = []
    exact = []
    for word in words(prepare(text)):
        found = query_terms(word, language)
        if found:
            positions.append(found)
        if quoted:
            exact.append(exact_form(word))
    if not positions and not exact:
        return None
    return Phrase(tuple(positions), tuple(exact))


def _lexemes(text: str) -> list[tuple[str, bool, str]]:
    """(kind, excluded, text) where kind is "or", "phrase" or "word"."""
    out = []
    for match in _LEXEME.finditer(text):
        minus, quoted, bare = match.groups()
        if bare is None:
            out.append(("phrase", bool(minus), quoted))
        elif bare in ("OR", "|"):
            out.append(("or", False, bare))
        elif bare.startswith("-") and len(bare) > 1:
            out.append(("word", True, bare[1:]))
        else:
            out.append(("word", False, bare))
    return out


def parse(text: str, language: str | None = None) -> Query | QueryProblem:
    """Parse ``text``; ``language`` (when the reader chose one) narrows Latin words to its stemmer."""
    if len(text) > MAX_CHARS:
        return QueryProblem(text[:80], f"query too long ({len(text)} characters, at most {MAX_CHARS})")
    clean = _CONTROL.sub(" ", text)
    groups: list[list[Phrase]] = []
    excluded: list[Phrase] = []
    join_next = False
    for kind, negative, part in _lexemes(clean):
        if kind == "or":
            join_next = bool(groups)
            continue
        phrase = _phrase(part, language, quoted=kind == "phrase")
        if phrase is None:
            continue
        if negative:
            excluded.append(phrase)
        elif join_next:
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
        join_next = False
    if not groups:
        reason = "only exclusions: add a word to look for" if excluded else "no word to look for"
        return QueryProblem(text, reason)
    clauses = tuple(Clause(tuple(dict.fromkeys(g))) for g in groups[:MAX_CLAUSES])
    query = Query(text, clauses, tuple(excluded[:MAX_CLAUSES]))
    if not query.indexed():
        return QueryProblem(text, "only common words (like the, de, في): add a word to look for")
    return query
