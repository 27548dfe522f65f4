"""Baselines for ``akhbar eval stories``: title TF-IDF cosine, and embeddings alone.

Both group online with the same centroid rule as akhbar (join the best story above a threshold),
so the comparison isolates what akhbar adds: lead sentences, names and numbers, time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from akhbar.dedupe.signatures import words

SparseVector = dict[str, float]


class TitleTfidf:
    """TF-IDF over normalised title words, fitted on the titles of the set being evaluated."""

    def __init__(self, titles: Sequence[str]) -> None:
        documents = [set(words(t)) for t in titles]
        frequency = Counter(w for d in documents for w in d)
        count = max(1, len(documents))
        self.idf = {w: math.log((1 + count) / (1 + f)) + 1 for w, f in frequency.items()}

    def vector(self, title: str) -> SparseVector:
        counts = Counter(words(title))
        raw = {w: c * self.idf.get(w, 1.0) for w, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
        return {w: v / norm for w, v in raw.items()}


def cosine(a: SparseVector, b: SparseVector) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(w, 0.0) for w, v in a.items())
    norm_b = math.sqrt(sum(v * v for v in b.values())) or 1.0
    return dot / norm_b


def group_sparse(vectors: Sequence[SparseVector], threshold: float) -> list[int]:
    """Online centroid grouping over sparse vectors (a scan: fine for a few hundred items)."""
    centroids: list[SparseVector] = []
    labels = []
    for vector in vectors:
        scores = [cosine(vector, c) for c in centroids]
        best = max(range(len(scores)), key=scores.__getitem__, default=-1)
        if best >= 0 and scores[best] >= threshold:
            for w, v in vector.items():
                centroids[best][w] = centroids[best].get(w, 0.0) + v
            labels.append(best)
        else:
            centroids.append(dict(vector))
            labels.append(len(centroids) - 1)
    return labels
