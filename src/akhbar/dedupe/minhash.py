"""MinHash in numpy, value for value the scheme near-duplicate signatures were first stored with.

That scheme is datasketch 2's default, ``affine32``, and stored signatures must keep meaning the
same, so it is reproduced exactly:

- each value is hashed with SHA-1, whose first four bytes are read as a little-endian 32-bit integer;
- the integer goes once through MurmurHash3's 32-bit finaliser (an avalanching bijection);
- permutation ``i`` maps it to ``a[i] * h + b[i]`` modulo 2**32, with odd ``a[i]``; ``a`` and ``b``
  are drawn from numpy's ``RandomState(seed)`` (a stream numpy keeps stable across versions) as
  ``randint(0, 2**31, n) * 2 + 1`` and then ``randint(0, 2**32, n)``;
- the signature is the minimum of each permutation over the values, 2**32 - 1 for no value.

Everything is computed from the seed; nothing is kept between calls but the read-only permutations.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from collections.abc import Collection

import numpy as np
import numpy.typing as npt

__all__ = ["EMPTY", "minhash", "permutations"]

Hashes = npt.NDArray[np.uint32]

_DIGEST = operator.methodcaller("digest")
EMPTY = np.uint32(0xFFFFFFFF)  # the value of every permutation before any value is added

# MurmurHash3's 32-bit finaliser: shift, multiply, shift, multiply, shift.
_FMIX_SHIFTS = (np.uint32(16), np.uint32(13), np.uint32(16))
_FMIX_MULTIPLIERS = (np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35))


@functools.cache
def permutations(count: int, seed: int) -> tuple[Hashes, Hashes]:
    """The ``count`` affine permutations (``a`` odd, ``b``) drawn for ``seed``; read-only."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, count, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, count, dtype=np.uint32)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def _sha1_32(values: Collection[bytes]) -> Hashes:
    """The first 4 bytes of each value's SHA-1, as a little-endian 32-bit integer."""
    # C's own loops (map over the hash constructor and its digest): no bytecode per value
    digests = np.frombuffer(b"".join(map(_DIGEST, map(hashlib.sha1, values))), dtype=np.uint8)
    return digests.reshape(-1, 20)[:, :4].copy().view("<u4").ravel().astype(np.uint32)


def _fmix32(hashes: Hashes) -> Hashes:
    first, second, third = _FMIX_SHIFTS
    hashes = hashes ^ (hashes >> first)
    hashes = hashes * _FMIX_MULTIPLIERS[0]  # wraps modulo 2**32, as intended
    hashes = hashes ^ (hashes >> second)
    hashes = hashes * _FMIX_MULTIPLIERS[1]
    return hashes ^ (hashes >> third)


def minhash(values: Collection[bytes], *, count: int, seed: int) -> Hashes:
    """The MinHash of ``values``: ``count`` 32-bit minima, one per permutation."""
    a, b = permutations(count, seed)
    if not values:
        return np.full(count, EMPTY, dtype=np.uint32)
    hashes = _fmix32(_sha1_32(values))[:, np.newaxis]
    result: Hashes = (hashes * a + b).min(axis=0)
    return result
