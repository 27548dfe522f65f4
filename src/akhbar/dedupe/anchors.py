"""Anchors: the few word 5-grams of a text that any other text holding the same passage also picks.

MinHash bands find texts with much the same shingles (Jaccard similarity), so a wire item printed
whole inside a long roundup (containment 1.0, Jaccard 0.04) is never their candidate. Anchors find
it: each text keeps the hashes that *winnowing* selects (Schleimer, Wilkerson and Aiken, 2003):
the smallest hash of every ``WINDOW`` consecutive 5-gram hashes. The choice depends only on the
window's own words, so a passage of at least ``WINDOW + ANCHOR_WORDS - 1`` words shared by two
texts gives both at least one common anchor, wherever it stands in each, and a text contained in
another shares nearly all its anchors with it. About ``2 / (WINDOW + 1)`` of the 5-grams are kept:
with a window of 20, a passage of 24 words (about the shortest text a containment is judged on) is
always anchored, and an article of 400 words has about 38 anchors. Each anchor is an index row that
a new article writes at a random place in the index, so the window is as wide as that allows (12
wrote 60% more rows, and the write-ahead log's checkpoints came often enough to show in the p99 of
``akhbar bench stories``).

Anchors are signed 64-bit integers (BLAKE2b of the folded words), plain values any worker can store
and look up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["ANCHOR_WORDS", "WINDOW", "anchors", "expected_count"]

ANCHOR_WORDS = 5
WINDOW = 20
MAX_ANCHORS = 2000  # a text longer than ~11,000 words indexes its first anchors only


def _word_hashes(words: Sequence[str]) -> np.ndarray[tuple[int], np.dtype[np.uint64]]:
    """Each word's 8-byte BLAKE2b, little-endian (each distinct word hashed once)."""
    blake2b = hashlib.blake2b
    distinct = dict.fromkeys(words)
    digests = b"".join([blake2b(word.encode(), digest_size=8).digest() for word in distinct])
    at = {word: index for index, word in enumerate(distinct)}
    hashes = np.frombuffer(digests, dtype="<u8").astype(np.uint64)
    return hashes[np.fromiter(map(at.__getitem__, words), dtype=np.intp, count=len(words))]


def _mix(values: np.ndarray[tuple[int], np.dtype[np.uint64]]) -> np.ndarray[tuple[int], np.dtype[np.uint64]]:
    """SplitMix64's finaliser: every input bit moves every output bit (modulo 2**64, as intended)."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _gram_hashes(words: Sequence[str]) -> np.ndarray[tuple[int], np.dtype[np.uint64]]:
    """One hash per ``ANCHOR_WORDS``-gram: each word's hash, mixed with its place in the gram."""
    per_word = _word_hashes(words)
    count = len(words) - ANCHOR_WORDS + 1
    combined = np.zeros(count, dtype=np.uint64)
    for offset in range(ANCHOR_WORDS):
        combined = _mix(combined ^ per_word[offset : offset + count])
    return combined


def anchors(words: Sequence[str]) -> list[int]:
    """The text's anchors, in the order they occur, each once (folded words in, keys out)."""
    if len(words) < ANCHOR_WORDS:
        return []
    grams = _gram_hashes(words)
    if len(grams) <= WINDOW:
        chosen = grams[[int(np.argmin(grams))]]
    else:
        windows = sliding_window_view(grams, WINDOW)
        # the rightmost smallest hash of each window: a run of equal windows keeps one choice
        last = WINDOW - 1 - np.argmin(windows[:, ::-1], axis=1)
        chosen = grams[np.unique(np.arange(len(windows)) + last)]
    signed: list[int] = chosen.view(np.int64).tolist()  # the same 64 bits, read as a signed integer
    return list(dict.fromkeys(signed))[:MAX_ANCHORS]


def expected_count(shingle_count: int) -> float:
    """About how many anchors a text of ``shingle_count`` word 3-grams keeps."""
    grams = max(0, shingle_count - (ANCHOR_WORDS - 3))
    if grams == 0:
        return 0.0
    return max(1.0, grams * 2 / (WINDOW + 1))
