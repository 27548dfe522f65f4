"""parallel-news stories through the product's own path, over several stream orders.

The 240 versions (80 real articles in Arabic, French and English) are written as text dumps in the
layout users load (title line, blank line, paragraphs), ingested in a seeded order with
:func:`akhbar.services.ingest.ingest_paths` (what ``akhbar ingest`` runs) into a fresh SQLite store
with a real :class:`~akhbar.services.stories.Grouping`, and each article's story is read back from
the store. Scored per order: B-cubed precision/recall/F1 (as :func:`stories.bcubed`), and per
language the share of versions that end in their group's story (the story holding most of the
group's versions; on a tie, the one holding the English original).

The model's output is cached across orders (:class:`CachingEmbedder`): the same text gives the same
vector, so each order costs extraction and placing only.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from akhbar.bench.quality.stories import Item, bcubed, load_parallel
from akhbar.bench.quality.textdump_parallel import LANGUAGES, plain_dump, versions
from akhbar.services import articles, ingest
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.stories import grouping
from akhbar.stories.embedding import Embedder, Vector

ORDERS = 5
ORDER_SEEDS = tuple(range(1, ORDERS + 1))
ORIGINAL = "en"  # the language the parallel-news articles were written in


class CachingEmbedder:
    """Another embedder's vectors, each text embedded once (orders re-read the same texts)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.join = getattr(inner, "join", None)
        self.merge = getattr(inner, "merge", None)
        self._cache: dict[str, Vector] = {}

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed(self, texts: Sequence[str]) -> Vector:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing), strict=True):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


@dataclass(frozen=True)
class OrderResult:
    """One stream order: B-cubed figures and, per language, the share of versions in their group's story."""

    seed: int
    precision: float
    recall: float
    f1: float
    in_group: dict[str, float]


def group_story_shares(
    labels: Sequence[int | None], items: Sequence[Item], groups: Sequence[str]
) -> dict[str, float]:
    """Per language, the share of versions in their group's story (a version without a story never is)."""
    members: dict[str, list[int]] = {}
    for n, group in enumerate(groups):
        members.setdefault(group, []).append(n)
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for indices in members.values():
        counts = Counter(labels[n] for n in indices if labels[n] is not None)
        originals = {labels[n] for n in indices if items[n].language == ORIGINAL}
        ranked = sorted(counts, key=lambda label: (-counts[label], label not in originals))
        story = ranked[0] if ranked else None
        for n in indices:
            language = items[n].language or "?"
            totals[language] += 1
            hits[language] += story is not None and labels[n] == story
    return {language: hits[language] / totals[language] for language in LANGUAGES if totals[language]}


def ingest_order(texts: Sequence[str], order: Sequence[int], grouping: Grouping) -> list[int | None]:
    """Each text written as a file, ingested in ``order``; the story of each text, read from the store."""
    with tempfile.TemporaryDirectory(prefix="akhbar-stories-") as scratch:
        folder = Path(scratch)
        paths = {}
        for position, n in enumerate(order):
            path = folder / f"{position:05d}.txt"
            path.write_text(texts[n], encoding="utf-8")
            paths[n] = str(path)
        store = Store(f"sqlite:///{folder / 'eval.db'}")
        try:
            results = list(ingest.ingest_paths(store, [paths[n] for n in order], grouping=grouping))
            ids = {n: result.article_id for n, result in zip(order, results, strict=True)}
            return [_story_of(store, ids[n]) for n in range(len(texts))]
        finally:
            store.close()


def _story_of(store: Store, article_id: int | None) -> int | None:
    found = articles.get_article(store, article_id) if article_id is not None else None
    return found.article.story_id if found is not None else None


def through_ingest(
    data_dir: Path,
    embedder: Embedder,
    *,
    seeds: Sequence[int] = ORDER_SEEDS,
    first: int | None = None,
    rule: grouping.Settings | None = None,
    progress: Callable[[int], None] = lambda _seed: None,
) -> list[OrderResult]:
    """parallel-news written as text dumps and ingested in each seeded order, scored from the store
    (``first``: only the versions of the file's first that many articles; ``rule``: another
    assignment rule than the model's own)."""
    items = load_parallel(data_dir)
    found = versions(data_dir)
    if len(found) != len(items):
        raise ValueError(f"eval: parallel-news has {len(found)} versions but {len(items)} items")
    if first is not None:
        kept = list(dict.fromkeys(version.group for version in found))[:first]
        chosen = [n for n, version in enumerate(found) if version.group in kept]
        items, found = [items[n] for n in chosen], [found[n] for n in chosen]
    texts = [plain_dump(version) for version in found]
    groups = [version.group for version in found]
    caching = embedder if isinstance(embedder, CachingEmbedder) else CachingEmbedder(embedder)
    results = []
    for seed in seeds:
        progress(seed)
        order = list(range(len(items)))
        random.Random(seed).shuffle(order)
        with Grouping(embedder=caching, rule=rule) as placing:
            stories = ingest_order(texts, order, placing)
        labels = [story if story is not None else -1 - n for n, story in enumerate(stories)]
        p, r, f = bcubed(labels, items)
        results.append(OrderResult(seed, p, r, f, group_story_shares(stories, items, groups)))
    return results


def summary(results: Sequence[OrderResult]) -> dict[str, float]:
    """Mean and minimum B-cubed F1 over the orders, and the least share in group per language."""
    found = {
        "orders": float(len(results)),
        "f1_mean": float(np.mean([r.f1 for r in results])),
        "f1_min": min(r.f1 for r in results),
        "precision_mean": float(np.mean([r.precision for r in results])),
        "recall_mean": float(np.mean([r.recall for r in results])),
    }
    for language in LANGUAGES:
        shares = [r.in_group[language] for r in results if language in r.in_group]
        if shares:
            found[f"{language}_in_group_mean"] = float(np.mean(shares))
            found[f"{language}_in_group_min"] = min(shares)
    return found
