"""Near-duplicate signatures: MinHash over normalised, language-aware word shingles, with LSH bands.

The signature and its band keys are plain values (bytes and integers) so they can be stored and
looked up by any worker process; nothing here keeps state between calls.
"""

from __future__ import annotations

import functools
import hashlib
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from akhbar.dedupe.minhash import minhash
from akhbar.text import fold_for_signatures

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 3
MIN_SHINGLES = 8
SEED = 7
# The permutation scheme of akhbar.dedupe.minhash (datasketch 2's default, which the first stored
# signatures were made with): another scheme would make stored signatures meaningless.
SCHEME = "affine32"
_HEADER = struct.Struct("<I")

_WORD = re.compile(r"\w+", re.UNICODE)


def normalise(text: str) -> str:
    """Fold case, Latin accents, Arabic diacritics and letter variants, Eastern Arabic digits.

    With :func:`akhbar.text.fold_for_signatures`, the variant stored signatures were made with.
    """
    return fold_for_signatures(text)


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def _shingles(tokens: Sequence[str]) -> set[str]:
    if len(tokens) < SHINGLE_WORDS:
        return {" ".join(tokens)} if tokens else set()
    # each word with the next ones (zip stops at the shortest: every shingle has SHINGLE_WORDS words)
    return set(map(" ".join, zip(*(tokens[i:] for i in range(SHINGLE_WORDS)), strict=False)))


def shingles(paragraphs: Iterable[str]) -> set[str]:
    """Word 3-grams of the body; a text too short for shingles gives its words as one shingle."""
    return set(read(paragraphs).shingles)


@dataclass(frozen=True)
class Text:
    """A body as near-duplicate detection reads it: its folded words, and the same words with
    their case (a capitalised word that the text never writes in lower case is a name)."""

    cased: tuple[str, ...]
    words: tuple[str, ...]
    headline: frozenset[str] = frozenset()  # the folded words of its title

    @functools.cached_property
    def shingles(self) -> frozenset[str]:
        return frozenset(_shingles(self.words))

    @functools.cached_property
    def lower_case(self) -> frozenset[str]:
        """The words the text writes in lower case somewhere (in a script that has case)."""
        return frozenset(w.casefold() for w in self.cased if w.islower())


def read(paragraphs: Iterable[str], title: str = "") -> Text:
    """The words of a body, folded as signatures fold them, with and without their case."""
    cased = tuple(w for p in paragraphs for w in _WORD.findall(fold_for_signatures(p, keep_case=True)))
    return Text(cased, tuple(map(str.casefold, cased)), frozenset(words(title)))


@dataclass(frozen=True)
class Signature:
    """A MinHash of an article's shingles and how many shingles it had."""

    hashvalues: npt.NDArray[np.uint64]  # NUM_PERM values
    size: int

    def to_bytes(self) -> bytes:
        return _HEADER.pack(self.size) + self.hashvalues.astype("<u8").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        (size,) = _HEADER.unpack_from(data)
        return cls(np.frombuffer(data, dtype="<u8", offset=_HEADER.size).astype(np.uint64), size)

    def jaccard(self, other: Signature) -> float:
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / len(self.hashvalues)

    def containment(self, other: Signature) -> float:
        """Estimated share of the smaller text's shingles found in the other (syndication trims)."""
        j = self.jaccard(other)
        smaller = min(self.size, other.size)
        if smaller == 0:
            return 0.0
        return min(1.0, j / (1 + j) * (self.size + other.size) / smaller)

    def bands(self) -> list[int]:
        """LSH band keys: signed 64-bit integers, one per band (the band index is part of the key)."""
        keys = []
        for band in range(BANDS):
            chunk = self.hashvalues[band * ROWS : (band + 1) * ROWS].astype("<u8").tobytes()
            digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
        return keys


def signature(paragraphs: Sequence[str] | Text) -> Signature:
    """The MinHash signature of an article body (its paragraphs, or the body as read)."""
    found = paragraphs.shingles if isinstance(paragraphs, Text) else shingles(paragraphs)
    hashes = minhash(list(map(str.encode, found)), count=NUM_PERM, seed=SEED)
    return Signature(hashes.astype(np.uint64), len(found))


def is_duplicate(a: Signature, b: Signature, *, jaccard: float = 0.55, containment: float = 0.8) -> bool:
    """Whether two signatures are copies of one text (with headers, footers, trims or small edits)."""
    if min(a.size, b.size) < MIN_SHINGLES:
        return a.size == b.size and a.jaccard(b) == 1.0
    return a.jaccard(b) >= jaccard or a.containment(b) >= containment
