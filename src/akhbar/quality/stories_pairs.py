"""SemEval-2022 Task 8 pairs and the built duplicate set for ``akhbar eval stories``."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np

from akhbar.dedupe.signatures import Signature, is_duplicate, signature
from akhbar.models import as_utc
from akhbar.quality import stories_baselines as baselines
from akhbar.quality.stories import FIXED_TIME, Item, Scores, _features, embed_items, load_parallel
from akhbar.stories import grouping
from akhbar.stories.embedding import Embedder

SAME, DIFFERENT = 1.5, 3.0
TFIDF_SAME = 0.3
TFIDF_DUPLICATE = 0.8
EMBEDDING_DUPLICATE = 0.95


def _time(text: str | None) -> datetime:
    for form in ("%a %b %d %H:%M:%S %Y", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"):
        try:
            when = datetime.strptime((text or "").strip(), form)
        except ValueError:
            continue
        return as_utc(when)
    return FIXED_TIME


def _item(side: dict[str, str], language: str) -> Item:
    paragraphs = tuple(p.strip() for p in side["text"].split("\n") if p.strip())
    return Item(
        side["title"] or "", paragraphs, language, side.get("id", ""), published=_time(side.get("published"))
    )


def load_pairs(data_dir: Path) -> list[tuple[Item, Item, float]]:
    pairs = []
    for line in (data_dir / "news-similarity" / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        a, b = _item(row["a"], row["lang1"]), _item(row["b"], row["lang2"])
        if FIXED_TIME in (a.published, b.published):  # a date is missing: time says nothing
            a, b = replace(a, published=FIXED_TIME), replace(b, published=FIXED_TIME)
        pairs.append((a, b, float(row["overall"])))
    return pairs


def _pair_scores(similarity: Sequence[float], human: Sequence[float], threshold: float) -> dict[str, float]:
    pearson = float(np.corrcoef(np.asarray(similarity), -np.asarray(human))[0, 1])
    decided = [
        (s >= threshold, h <= SAME)
        for s, h in zip(similarity, human, strict=True)
        if h <= SAME or h >= DIFFERENT
    ]
    accuracy = sum(1 for guess, truth in decided if guess == truth) / max(1, len(decided))
    return {"pearson": pearson, "accuracy": accuracy, "decided": float(len(decided))}


def semeval(data_dir: Path, embedder: Embedder, *, with_baselines: bool = True) -> Scores:
    pairs = load_pairs(data_dir)
    flat = [item for a, b, _ in pairs for item in (a, b)]
    vectors = embed_items(flat, embedder)
    human = [h for _, _, h in pairs]
    settings = grouping.Settings()
    akhbar = []
    for k in range(len(pairs)):
        a = _features(flat[2 * k], vectors[2 * k], entities=True)
        b = _features(flat[2 * k + 1], vectors[2 * k + 1], entities=True)
        story = grouping.Candidate(0, b.embedding, 1, b.published, b.published, dict.fromkeys(b.entities, 1))
        akhbar.append(grouping.score(a, story, settings))
    scores = {"akhbar": _pair_scores(akhbar, human, settings.join)}
    if with_baselines:
        cosines = [float(vectors[2 * k] @ vectors[2 * k + 1]) for k in range(len(pairs))]
        scores["embeddings alone"] = _pair_scores(cosines, human, settings.join)
        tfidf = baselines.TitleTfidf([i.title for i in flat])
        titles = [baselines.cosine(tfidf.vector(a.title), tfidf.vector(b.title)) for a, b, _ in pairs]
        scores["title TF-IDF"] = _pair_scores(titles, human, TFIDF_SAME)
    return scores


def syndicated(item: Item, number: int) -> Item:
    """A realistic syndicated copy: another header and footer, last paragraph cut, new byline."""
    header = {"ar": "الرباط - وكالات", "fr": "PARIS (AFP) -"}.get(item.language or "", "LONDON (Reuters) -")
    footer = {"ar": "تابعوا آخر الأخبار على موقعنا", "fr": "Lire aussi : nos autres articles"}.get(
        item.language or "", "Read more stories like this on our website"
    )
    body = list(item.paragraphs[:-1] if len(item.paragraphs) > 3 else item.paragraphs)
    byline = f"By Staff Writer {number}"
    return Item(item.title, (byline, f"{header} {body[0]}", *body[1:], footer), item.language, item.truth)


def duplicates(data_dir: Path, embedder: Embedder | None = None) -> Scores:
    """Precision and recall of "this is a copy of that" over originals plus their syndicated copies."""
    originals = load_parallel(data_dir)
    copies = [syndicated(item, n) for n, item in enumerate(originals)]
    stream = originals + copies  # originals first: the copy's original is the earliest
    truth = {len(originals) + n: n for n in range(len(copies))}
    signatures = [signature(i.paragraphs) for i in stream]
    scores = {
        "akhbar": _stream(
            len(stream), truth, lambda i, j: is_duplicate(signatures[i], signatures[j]), signatures
        )
    }
    tfidf = baselines.TitleTfidf([i.title for i in stream])
    titles = [tfidf.vector(i.title) for i in stream]
    scores["title TF-IDF"] = _stream(
        len(stream), truth, lambda i, j: baselines.cosine(titles[i], titles[j]) >= TFIDF_DUPLICATE
    )
    if embedder is not None:
        vectors = embed_items(stream, embedder)
        scores["embeddings alone"] = _stream(
            len(stream), truth, lambda i, j: float(vectors[i] @ vectors[j]) >= EMBEDDING_DUPLICATE
        )
    return scores


def _stream(
    count: int,
    truth: dict[int, int],
    same: Callable[[int, int], bool],
    signatures: list[Signature] | None = None,
) -> dict[str, float]:
    """Each item's original is the earliest earlier item judged the same (LSH candidates for akhbar)."""
    bands: dict[int, list[int]] = {}
    true_positive = flagged = 0
    for i in range(count):
        if signatures is not None:
            pool = sorted({j for b in signatures[i].bands() for j in bands.get(b, [])})
            for b in signatures[i].bands():
                bands.setdefault(b, []).append(i)
        else:
            pool = list(range(i))
        found = next((j for j in pool if same(i, j)), None)
        if found is not None:
            flagged += 1
            true_positive += int(truth.get(i) == found)
    return {
        "precision": true_positive / flagged if flagged else 1.0,
        "recall": true_positive / len(truth),
        "flagged": float(flagged),
    }
