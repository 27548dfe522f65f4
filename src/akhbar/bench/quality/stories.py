"""``akhbar eval stories``: story grouping and duplicate detection on real news, beside baselines.

* ``parallel-news``: 80 real English articles with professional Arabic and French translations
  (240 versions) streamed in a fixed shuffled order through the online grouper; versions of one
  article and ``same_story`` clusters are one story each; ``same_topic`` clusters are not forced
  together or apart (pairs inside them are ignored by precision). B-cubed precision/recall/F1.
  The set has no publication times: every version gets the same time.
* ``news-similarity``: SemEval-2022 Task 8 pairs with human scores (1 same story … 4 unrelated):
  Pearson correlation of the story similarity (embedding cosine plus shared names and numbers) with
  the human similarity (``-overall``), and accuracy of the same-story decision on pairs scored <= 1.5
  or >= 3. The time penalty is not part of the similarity: it is how long a story stays open, and the
  annotators judged content (pairs a month apart are scored "same story"). The time-gated score that
  the grouping uses is printed beside it.
* duplicates (:mod:`akhbar.bench.quality.stories_duplicates`): copies as real sites make them,
  built in memory from the parallel-news texts, akhbar's extraction of the real pages and the
  news-similarity articles (syndicated and AMP copies, copies in other spelling habits, light
  edits, wire items printed inside roundups, and template cables and real articles refilled with
  other names and numbers as negatives), placed one by one by the product's own code in a
  temporary store. Precision and recall of "copy of which original", overall and by kind.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from akhbar.bench.quality import stories_baselines as baselines
from akhbar.stories import features, grouping, versions
from akhbar.stories.embedding import Embedder, Vector
from akhbar.stories.online import MemoryGrouper

SEED = 2018
FIXED_TIME = datetime(2018, 9, 30, 12, tzinfo=UTC)
TFIDF_JOIN = 0.3
Scores = dict[str, dict[str, float]]


@dataclass(frozen=True)
class Item:
    title: str
    paragraphs: tuple[str, ...]
    language: str | None
    truth: str
    topic: str | None = None
    published: datetime = FIXED_TIME
    url: str | None = None


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split("\n") if p.strip())


def load_parallel(data_dir: Path) -> list[Item]:
    folder = data_dir / "parallel-news"
    clusters: dict[str, tuple[str, str]] = {}
    for line in (folder / "same_event.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        name, level, ids, *_ = line.split("\t")
        for doc_id in ids.split(","):
            clusters[doc_id.strip()] = (name, level)
    items = []
    for line in (folder / "docs.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        cluster = clusters.get(doc["group"].split(":", 1)[-1])
        truth = cluster[0] if cluster and cluster[1] == "same_story" else doc["group"]
        topic = cluster[0] if cluster and cluster[1] == "same_topic" else None
        items.append(Item(doc["title"], _paragraphs(doc["text"]), doc["lang"], truth, topic))
    return items


def bcubed(labels: Sequence[int], items: Sequence[Item]) -> tuple[float, float, float]:
    """B-cubed precision, recall, F1; pairs inside one ``same_topic`` cluster do not count."""
    precision = recall = 0.0
    for i, item in enumerate(items):
        predicted = [j for j, label in enumerate(labels) if label == labels[i]]
        gold = [j for j, other in enumerate(items) if other.truth == item.truth]
        correct = sum(1 for j in predicted if items[j].truth == item.truth)
        counted = [
            j
            for j in predicted
            if items[j].truth == item.truth or item.topic is None or items[j].topic != item.topic
        ]
        precision += correct / len(counted)
        recall += correct / len(gold)
    p, r = precision / len(items), recall / len(items)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def embed_items(items: Sequence[Item], embedder: Embedder) -> list[Vector]:
    return features.embed_many(embedder, [(i.title, i.paragraphs) for i in items])


def _features(item: Item, vector: Vector, *, entities: bool) -> grouping.Features:
    keys = features.entity_keys(item.title, item.paragraphs) if entities else frozenset()
    shape = versions.shape_of(item.language, item.paragraphs)
    return grouping.Features(vector, keys, item.published, item.language, shape=shape)


def _online(
    items: Sequence[Item], vectors: Sequence[Vector], order: list[int], settings: grouping.Settings
) -> list[int]:
    grouper = MemoryGrouper(settings=settings)
    for i in order:
        grouper.add(_features(items[i], vectors[i], entities=True))
    position = {i: n for n, i in enumerate(order)}
    return [grouper.story_of(position[i]) for i in range(len(items))]


def embeddings_only(settings: grouping.Settings) -> grouping.Settings:
    """The same rule with the cosine alone: no names, numbers, languages or time."""
    return replace(
        settings, weights=settings.weights.embeddings_only(), penalty_per_day=0.0, age_penalty_per_day=0.0
    )


def ablations(settings: grouping.Settings) -> dict[str, grouping.Settings]:
    """The rule with each part of its similarity left out in turn, and with the cosine alone."""
    weights = settings.weights
    found = {
        f"without {name.replace('_', ' ')}": replace(settings, weights=weights.without(name))
        for name in weights.used()
        if name != "cosine"
    }
    found["embeddings alone"] = embeddings_only(settings)
    return found


def parallel_news(data_dir: Path, embedder: Embedder, *, with_baselines: bool = True) -> Scores:
    items = load_parallel(data_dir)
    order = list(range(len(items)))
    random.Random(SEED).shuffle(order)
    vectors = embed_items(items, embedder)
    settings = grouping.for_model(embedder)
    results = {"akhbar": _online(items, vectors, order, settings)}
    if with_baselines:
        results["embeddings alone"] = _online(items, vectors, order, embeddings_only(settings))
        tfidf = baselines.TitleTfidf([i.title for i in items])
        sparse = [tfidf.vector(items[i].title) for i in order]
        labels = baselines.group_sparse(sparse, TFIDF_JOIN)
        by_item = dict(zip(order, labels, strict=True))
        results["title TF-IDF"] = [by_item[i] for i in range(len(items))]
    scores = {}
    for name, labels in results.items():
        p, r, f = bcubed(labels, items)
        scores[name] = {"precision": p, "recall": r, "f1": f}
    return scores
