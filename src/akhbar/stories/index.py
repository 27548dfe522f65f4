"""Candidate keys for story lookup: random-hyperplane LSH bands within day buckets.

A story is stored under the keys of its members' embeddings for the days it was active; an article
asks for the keys of its own embedding on its day and the neighbouring days. Each table hashes
``BITS`` hyperplane signs, so near vectors share a key in at least one table with high probability
while the number of candidates stays a small fraction of the stories of those days. A lookup also
probes, in each table whose least certain sign is near zero (a projection within ``PROBE_MARGIN``:
the hyperplanes' rows are standard normal, so a unit vector's projections are about N(0, 1)), the
bucket across that plane: a translation into another script sits at a wider angle from its original
than a rewrite does, and one plane falling between them would otherwise hide the story from it in
that table. About half the tables are probed, so a lookup reads about half as many keys again.

Each embedding model has its own key space (:func:`model_space`), so an article never meets a
story whose vectors another model made, even when both models have the same dimension.
"""

from __future__ import annotations

import functools
import zlib
from datetime import UTC, datetime

import numpy as np

from akhbar.config import BUILT_IN_MODEL
from akhbar.stories.embedding import Vector

TABLES = 16
BITS = 5
NEIGHBOUR_DAYS = 1
PROBE_MARGIN = 0.2  # a table whose least certain projection is this near zero is probed across it
SPACE_SHIFT = 40
DAY_SHIFT = 16  # a key is space | day << DAY_SHIFT | table << BITS | value
PLANES_SEED = 20181001  # the hyperplanes' seed: changing it changes every stored key
_WEIGHTS = (1 << np.arange(BITS)).astype(np.int64)


def model_space(spec: str) -> int:
    """The key bits of the model named ``spec``: 0 for the built-in model, as keys were before."""
    if spec == BUILT_IN_MODEL:
        return 0
    return (zlib.crc32(spec.encode()) % 0xFFFF + 1) << SPACE_SHIFT


def day_bucket(when: datetime) -> int:
    return int(when.astimezone(UTC).timestamp() // 86400)


@functools.cache
def planes(dimension: int) -> Vector:
    """The hyperplanes for vectors of ``dimension``: seeded, so every process gets the same keys."""
    drawn: Vector = (
        np.random.default_rng(PLANES_SEED).standard_normal((TABLES * BITS, dimension)).astype(np.float32)
    )
    drawn.setflags(write=False)
    return drawn


def band_values(embedding: Vector) -> list[int]:
    """One small integer per table: the signs of the embedding against that table's hyperplanes."""
    signs = (planes(embedding.shape[0]) @ embedding > 0).reshape(TABLES, BITS).astype(np.int64)
    return [int(v) for v in signs @ _WEIGHTS]


def probe_values(embedding: Vector, margin: float = PROBE_MARGIN) -> list[list[int]]:
    """Per table, the embedding's own value, then, when its least certain sign (the projection
    nearest zero) is within ``margin`` of zero, the value with that sign flipped."""
    projections = (planes(embedding.shape[0]) @ embedding).reshape(TABLES, BITS)
    own = (projections > 0).astype(np.int64) @ _WEIGHTS
    bits = np.argmin(np.abs(projections), axis=1)
    return [
        [int(value)] + ([int(value) ^ (1 << int(bit))] if abs(float(row[bit])) < margin else [])
        for value, bit, row in zip(own, bits, projections, strict=True)
    ]


def keys_for_day(embedding: Vector, day: int, space: int = 0) -> list[int]:
    return [
        space | (day << DAY_SHIFT) | (table << BITS) | value
        for table, value in enumerate(band_values(embedding))
    ]


def lookup_keys(embedding: Vector, when: datetime, space: int = 0) -> list[int]:
    """Keys to query: the embedding's own and probed buckets (:func:`probe_values`), this day and
    ``NEIGHBOUR_DAYS`` on each side, in the model's ``space``."""
    day = day_bucket(when)
    values = probe_values(embedding)
    return [
        space | ((day + delta) << DAY_SHIFT) | (table << BITS) | value
        for delta in range(-NEIGHBOUR_DAYS, NEIGHBOUR_DAYS + 1)
        for table, probed in enumerate(values)
        for value in probed
    ]


def store_keys(embedding: Vector, when: datetime, space: int = 0) -> list[int]:
    return keys_for_day(embedding, day_bucket(when), space)
