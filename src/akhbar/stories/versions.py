"""Whether two texts are one article in two languages (a translation), from their shape alone.

A translation keeps its article's paragraphs: as many of them, each as long as the original's
relative to the others (a long paragraph stays long in any language), and the same numbers. Two
articles about one event in two languages rarely agree on all three: their writers cut the text
into paragraphs their own way and report different figures. The check needs no model, so it can
confirm what the embeddings only suggest: a poor translation, or a script the model reads badly,
may score lower against its original than another article of the same story does, and arrival
order then decides where it ends (:mod:`akhbar.services.story_moves`).

Only articles of at least :data:`MIN_PARAGRAPHS` paragraphs are compared: one or two paragraphs
have no shape to agree on.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from akhbar.stories import entities

MIN_PARAGRAPHS = 3  # fewer paragraphs have no shape to agree on
MIN_LENGTH_CORRELATION = 0.6  # Pearson correlation of the two texts' paragraph lengths
MIN_SHARED_NUMBERS = 0.3  # shared numbers over the numbers either states (when either states one)


@dataclass(frozen=True)
class Shape:
    """What a translation keeps of its article: the language it is in, its paragraphs' lengths in
    characters, and the numbers of its whole text (:func:`akhbar.stories.entities.numbers`, read
    only when the lengths agree: most comparisons end before)."""

    language: str | None
    lengths: tuple[int, ...]
    text: str = ""

    @functools.cached_property
    def numbers(self) -> frozenset[str]:
        return frozenset(entities.numbers(self.text))


def shape_of(language: str | None, paragraphs: Sequence[str]) -> Shape:
    kept = [p.strip() for p in paragraphs if p.strip()]
    return Shape(language, tuple(len(p) for p in kept), "\n".join(kept))


def same_article(a: Shape, b: Shape) -> bool:
    """Whether ``a`` and ``b`` are versions of one article in two languages: as many paragraphs (at
    least :data:`MIN_PARAGRAPHS`), their lengths rising and falling together, and the same numbers."""
    if a.language is None or b.language is None or a.language == b.language:
        return False
    if len(a.lengths) != len(b.lengths) or len(a.lengths) < MIN_PARAGRAPHS:
        return False
    mine, theirs = np.asarray(a.lengths, dtype=np.float64), np.asarray(b.lengths, dtype=np.float64)
    if not mine.std() or not theirs.std():
        return False  # paragraphs all of one length: nothing rises or falls
    if float(np.corrcoef(mine, theirs)[0, 1]) < MIN_LENGTH_CORRELATION:
        return False
    stated = a.numbers | b.numbers
    return not stated or len(a.numbers & b.numbers) / len(stated) >= MIN_SHARED_NUMBERS
