"""How alike an article and a story read: the embedding cosine and a few fitted parts beside it.

The parts (:class:`Parts`) are measured between an article and a story (or another article, a
story of one): the cosine of their embeddings, the names and the numbers both state, numbers that
both state but none in common, and whether the story has a version in the article's language yet
(cosines across languages run lower than within one: a translation scores like a same-language
rewrite of the story). How they combine is a logistic model fitted on labelled pairs from
``../shared/data`` by :mod:`akhbar.bench.quality.stories_fit`; its coefficients are stored in
``similarity.json`` beside this module, with what they were fitted on. The similarity is that
model's log-odds divided by the cosine's coefficient, so it reads on the cosine's scale and a
story is joined when it reaches the fitted ``join`` (log-odds 0).

Time is not a part: annotators judge same-story pairs weeks apart as one story, so it says little
about content; it gates how long a story stays open (:func:`akhbar.stories.grouping.score`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from importlib import resources
from typing import Any

NAMES_CAP = 4.0  # shared names counted at most
NUMBERS_CAP = 3.0  # shared numbers counted at most
PARTS = ("names", "numbers", "conflict", "cross_language")
SCALES = ("cosine", "body")  # the parts on the cosine's scale; their weights add up to 1


@dataclass(frozen=True)
class Parts:
    """What is compared between an article and a story."""

    cosine: float
    body: float = 0.0  # the cosine of the bodies alone (the second half of the vectors)
    names: float = 0.0  # shared name keys (a three-letter skeleton counts half), at most NAMES_CAP
    numbers: float = 0.0  # shared numbers of two digits or more, at most NUMBERS_CAP
    conflict: float = 0.0  # 1 when both state numbers and share none
    cross_language: float = 0.0  # 1 when the story has versions, none in the article's language


@dataclass(frozen=True)
class Weights:
    """Each part's weight on the cosine's scale (the cosine's and the body's weights add up to 1), and
    the score that joins."""

    cosine: float = 1.0
    body: float = 0.0
    names: float = 0.05
    numbers: float = 0.05
    conflict: float = 0.0
    cross_language: float = 0.0
    join: float = 0.6

    def combine(self, parts: Parts) -> float:
        return sum(float(getattr(self, name)) * float(getattr(parts, name)) for name in SCALES + PARTS)

    def largest_bonus(
        self, *, names: float = NAMES_CAP, numbers: float = NUMBERS_CAP, language: bool = True
    ) -> float:
        """The most the parts beside the cosines can add for an article with that many name and
        number keys (and a language): what a story's cosines may lack and still join."""
        caps = {
            "names": min(NAMES_CAP, names),
            "numbers": min(NUMBERS_CAP, numbers),
            "conflict": 1.0,
            "cross_language": float(language),
        }
        return sum(max(0.0, float(getattr(self, name))) * caps[name] for name in PARTS)

    def without(self, *names: str) -> Weights:
        """The same weights with some parts left out (an ablation); the cosines left weigh 1."""
        left = replace(self, **dict.fromkeys(names, 0.0))
        scale = left.cosine + left.body
        if scale <= 0:
            raise ValueError("stories: a similarity needs the cosine of the vectors or of the bodies")
        return replace(left, cosine=left.cosine / scale, body=left.body / scale)

    def used(self) -> tuple[str, ...]:
        """The parts with a weight."""
        return tuple(name for name in SCALES + PARTS if getattr(self, name))

    def embeddings_only(self) -> Weights:
        """The whole vector's cosine alone, against the same join."""
        return replace(self, **dict.fromkeys(PARTS, 0.0), cosine=1.0, body=0.0)


def from_logistic(coefficients: dict[str, float]) -> Weights:
    """Weights from a logistic model's coefficients (``intercept``, ``cosine``, ``body``, the parts)."""
    scale = sum(coefficients.get(name, 0.0) for name in SCALES)
    if scale <= 0 or any(coefficients.get(name, 0.0) < 0 for name in SCALES):
        raise ValueError(f"stories: fitted cosine weights must be positive, not {coefficients}")
    parts = {name: coefficients.get(name, 0.0) / scale for name in SCALES + PARTS}
    return Weights(**parts, join=-coefficients["intercept"] / scale)


def fitted() -> Weights:
    """The weights fitted for the built-in model (``similarity.json``), with the join fitted on the
    stream (a story's centroid is nearer its members than they are to one another)."""
    text = resources.files("akhbar.stories").joinpath("similarity.json").read_text(encoding="utf-8")
    stored: dict[str, Any] = json.loads(text)
    weights = from_logistic({k: float(v) for k, v in stored["coefficients"].items()})
    return replace(weights, join=float(stored["join"]))


def weight_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Weights))
