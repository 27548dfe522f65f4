"""Body-text scores used by published extraction benchmarks, in any script.

* **Word 4-gram shingles** (the article-extraction-benchmark of Zyte/Scrapinghub): each text is cut
  into tokens, every run of four tokens is a shingle, and a page's true positives, false positives
  and false negatives are the shingles the two texts share and do not share (as multisets),
  normalised so that long pages weigh no more than short ones. Over a set, precision is the mean of
  the pages' precisions where the system output something, recall the mean of their recalls where
  the page has a body, and F1 the harmonic mean of those two means.
* **ROUGE-LSum** over paragraphs (the score of Fundus's and Bevendorff et al.'s comparisons): the
  summary-level longest common subsequence of ROUGE 1.5.5, each paragraph a "sentence": for every
  expected paragraph, the union of its LCS with each extracted paragraph, its tokens counted at most
  as often as they occur on both sides. Over a set, the mean of the pages' precision, recall and F1.

Tokens are runs of word characters (``\\w+``, case kept, as the shingle benchmark does), except that
every Chinese character and kana is a token of its own: Chinese and Japanese write no spaces, and
a whole clause as one token would make a single differing character cost the entire clause.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["BodyScores", "Shingles", "rouge_lsum", "shingle_counts", "summarise", "tokens"]

_IDEOGRAPHS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_IDEOGRAPHS}]|[^\W{_IDEOGRAPHS}]+")
SHINGLE = 4
_MAX_CELLS = 4_000_000  # one alignment table at most this big (16 MB); more candidates go in turns


def tokens(text: str) -> list[str]:
    """Word tokens; a Chinese character or kana is one token (see the module docstring)."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class Shingles:
    """One page's shingle matches, normalised to sum to 1 (the benchmark's weighting)."""

    tp: float
    fp: float
    fn: float


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    found = tokens(text)
    return Counter(tuple(found[i : i + SHINGLE]) for i in range(max(1, len(found) - SHINGLE + 1)) if found)


def shingle_counts(found: Iterable[str], expected: Iterable[str]) -> Shingles:
    """True/false positives and false negatives of 4-token shingles, normalised to sum to 1."""
    got, want = _shingles("\n".join(found)), _shingles("\n".join(expected))
    tp = float(sum((got & want).values()))
    fp = float(sum((got - want).values()))
    fn = float(sum((want - got).values()))
    total = tp + fp + fn
    return Shingles(tp / total, fp / total, fn / total) if total else Shingles(0.0, 0.0, 0.0)


def _precision(page: Shingles) -> float:
    if page.fp == page.fn == 0:
        return 1.0
    return page.tp / (page.tp + page.fp)


def _recall(page: Shingles) -> float:
    if page.fp == page.fn == 0:
        return 1.0
    return page.tp / (page.tp + page.fn)


def _union_positions(reference: npt.NDArray[np.int64], candidates: list[npt.NDArray[np.int64]]) -> set[int]:
    """Positions in ``reference`` of the union of one longest common subsequence with each candidate.

    All candidates are aligned at once, padded into one matrix: row by row, each row of the
    dynamic-programming table is the running maximum of the row above and its diagonal plus a match.
    """
    union: set[int] = set()
    rows = len(reference)
    per_chunk = max(1, _MAX_CELLS // (rows + 1) // _widest(candidates))
    for start in range(0, len(candidates), per_chunk):
        chunk = candidates[start : start + per_chunk]
        width = _widest(chunk)
        padded = np.full((len(chunk), width), -1, dtype=np.int64)
        for index, candidate in enumerate(chunk):
            padded[index, : len(candidate)] = candidate
        table = np.zeros((rows + 1, len(chunk), width + 1), dtype=np.int32)
        for i in range(1, rows + 1):
            above = table[i - 1]
            step = np.maximum(above[:, 1:], above[:, :-1] + (padded == reference[i - 1]))
            table[i, :, 1:] = np.maximum.accumulate(step, axis=1)
        for index, candidate in enumerate(chunk):
            if table[rows, index, len(candidate)]:
                union.update(_backtrack(table[:, index, :], reference, candidate))
    return union


def _widest(candidates: list[npt.NDArray[np.int64]]) -> int:
    return max((len(item) for item in candidates), default=0) + 1


def _backtrack(
    table: npt.NDArray[np.int32], reference: npt.NDArray[np.int64], candidate: npt.NDArray[np.int64]
) -> list[int]:
    positions: list[int] = []
    i, j = len(reference), len(candidate)
    while i > 0 and j > 0:
        if reference[i - 1] == candidate[j - 1] and table[i, j] == table[i - 1, j - 1] + 1:
            positions.append(i - 1)
            i, j = i - 1, j - 1
        elif table[i - 1, j] >= table[i, j - 1]:
            i -= 1
        else:
            j -= 1
    return positions


def _encode(paragraphs: Sequence[str], vocabulary: dict[str, int]) -> list[npt.NDArray[np.int64]]:
    encoded = []
    for paragraph in paragraphs:
        ids = [vocabulary.setdefault(token, len(vocabulary)) for token in tokens(paragraph)]
        if ids:
            encoded.append(np.array(ids, dtype=np.int64))
    return encoded


def rouge_lsum(found: Sequence[str], expected: Sequence[str]) -> tuple[float, float, float]:
    """(precision, recall, F1) of ROUGE-LSum, each paragraph a sentence."""
    vocabulary: dict[str, int] = {}
    references, candidates = _encode(expected, vocabulary), _encode(found, vocabulary)
    reference_total = sum(len(item) for item in references)
    candidate_total = sum(len(item) for item in candidates)
    if not reference_total or not candidate_total:
        return 0.0, 0.0, 0.0
    left_reference = Counter(int(token) for item in references for token in item)
    left_candidate = Counter(int(token) for item in candidates for token in item)
    candidate_sets = [set(item.tolist()) for item in candidates]
    hits = 0
    for reference in references:
        present = set(reference.tolist())
        if any(np.array_equal(reference, item) for item in candidates):
            union = set(range(len(reference)))  # the paragraph itself was extracted: all of it is hit
        else:
            sharing = [
                item for item, kinds in zip(candidates, candidate_sets, strict=True) if present & kinds
            ]
            union = _union_positions(reference, sharing)
        for position in sorted(union):
            token = int(reference[position])
            if left_reference[token] > 0 and left_candidate[token] > 0:
                hits += 1
                left_reference[token] -= 1
                left_candidate[token] -= 1
    precision, recall = hits / candidate_total, hits / reference_total
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


@dataclass(frozen=True)
class BodyScores:
    """Set-level body scores: shingle precision/recall/F1 and mean ROUGE-LSum precision/recall/F1."""

    precision: float
    recall: float
    f1: float
    rouge_precision: float
    rouge_recall: float
    rouge_f1: float


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def summarise(shingles: list[Shingles], rouges: list[tuple[float, float, float]]) -> BodyScores:
    """The set's scores from its pages' shingle matches and ROUGE-LSum triples."""
    precision = _mean([_precision(page) for page in shingles if page.tp + page.fp > 0])
    recall = _mean([_recall(page) for page in shingles if page.tp + page.fn > 0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BodyScores(
        precision,
        recall,
        f1,
        _mean([item[0] for item in rouges]),
        _mean([item[1] for item in rouges]),
        _mean([item[2] for item in rouges]),
    )
