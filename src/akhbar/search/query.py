"""Parsing what a reader types into a query: words, "phrases", -exclusions and OR.

Any string parses: unbalanced quotes close at the end, operators of the backends mean nothing
here, control characters are spaces. What cannot be searched (nothing but stop words and
punctuation, only exclusions, far too long) is a :class:`QueryProblem` value with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from akhbar.search.analysis import prepare, query_terms, words

MAX_CHARS = 2000
MAX_CLAUSES = 32
_LEXEME = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

#: One position of a phrase: the terms it may match (a Latin word: its French and English terms).
Position = tuple[str, ...]


@dataclass(frozen=True)
class Phrase:
    """Words that must follow each other (one word is a phrase of one)."""

    positions: tuple[Position, ...]

    def variants(self) -> tuple[tuple[str, ...], ...]:
        """The phrase as plain term sequences: the first alternative of each word, then the second."""
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

    def terms(self) -> frozenset[str]:
        """Every term the reader looks for (for highlighting and title boosts)."""
        return frozenset(t for c in self.clauses for p in c.phrases for pos in p.positions for t in pos)


@dataclass(frozen=True)
class QueryProblem:
    """Why a string cannot be searched, in words fit for the reader (an HTTP 400, exit code 2)."""

    text: str
    reason: str


def _phrase(text: str, language: str | None) -> Phrase | None:
    positions = []
    for word in words(prepare(text)):
        found = query_terms(word, language)
        if found:
            positions.append(found)
    return Phrase(tuple(positions)) if positions else None


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
        phrase = _phrase(part, language)
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
    return Query(text, clauses, tuple(excluded[:MAX_CLAUSES]))
