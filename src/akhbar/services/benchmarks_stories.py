"""``akhbar bench stories``: duplicate detection and story assignment at 10k and 100k stories.

Articles are generated from real text in three languages (parallel-news): each takes a real
article's title and a mix of real sentences, so MinHash signatures are realistic; its embedding is
the real article's embedding moved by noise (most generated articles are new events, some are
follow-ups of a recent one), because embedding 100,000 texts with the model would take hours. The
model's own rate is measured in the same run on real texts: it is the ceiling of the pipeline.

At the end, ``OVERLAPPED`` more articles go through the whole pipeline with the real model, as
ingest runs it: one thread embeds the next articles while another places the previous ones (ingest's
concurrent jobs do the same). Its rate is measured beside the model alone on the same articles.
"""

from __future__ import annotations

import json
import logging
import queue
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from akhbar.dedupe.signatures import signature
from akhbar.models import Article, Document
from akhbar.services import stories
from akhbar.store import Store, articles, documents
from akhbar.store.signatures import Placement
from akhbar.stories import features
from akhbar.stories.embedding import Embedder, Vector, normalise_rows

log = logging.getLogger(__name__)

FOLLOW_UP = 0.15  # share of generated articles that continue a recent story
OVERLAPPED = 600
ARTICLES_PER_DAY = 4000


@dataclass
class Figures:
    """What the bench reports."""

    model_per_second: float = 0.0
    assign_per_second: float = 0.0
    articles: int = 0
    stories: int = 0
    p99_ms: dict[int, float] = field(default_factory=dict)  # stories checkpoint -> p99 latency
    p50_ms: dict[int, float] = field(default_factory=dict)
    overlapped_model_per_second: float = 0.0  # the model alone on the overlapped phase's articles
    overlapped_per_second: float = 0.0  # embedding and placing overlapped, wall clock

    @property
    def pipeline_per_second(self) -> float:
        """Embedding then assignment, one after the other, per article."""
        return 1 / (1 / self.model_per_second + 1 / self.assign_per_second)


def _pool(data_dir: Path) -> list[Article]:
    rows = [json.loads(line) for line in (data_dir / "parallel-news" / "docs.jsonl").read_text().splitlines()]
    return [
        Article(
            r["title"], tuple(p for p in r["text"].split("\n") if p.strip()), r["lang"], site_name=r["group"]
        )
        for r in rows
    ]


def model_rate(embedder: Embedder, pool: list[Article], count: int) -> float:
    """Articles per second of the model alone, one article at a time as ingest embeds them."""
    sample = pool[:count]
    embedder.embed(["warm up"])
    start = time.perf_counter()
    for article in sample:
        features.embed_many(embedder, [(article.title, article.body_paragraphs)])
    return len(sample) / (time.perf_counter() - start)


def _generated(
    pool: list[Article], vectors: list[Vector], count: int, seed: int
) -> Iterator[tuple[Article, stories.Prepared, datetime]]:
    rng = np.random.default_rng(seed)
    pick = random.Random(seed)
    sentences = [s for a in pool for s in features.lead_sentences(a.body_paragraphs, 50)]
    recent: list[Vector] = []
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(count):
        base = pick.randrange(len(pool))
        if recent and pick.random() < FOLLOW_UP:
            noise, centre = 0.25, recent[pick.randrange(len(recent))]
        else:
            noise, centre = 1.6, vectors[base]
        jitter = np.asarray(rng.standard_normal(size=(len(centre),)), dtype=np.float32)
        vector = normalise_rows((centre + jitter * (noise / np.sqrt(len(centre))))[None, :])[0]
        recent = [*recent[-200:], vector]
        body = tuple(pick.sample(sentences, 6))
        article = Article(pool[base].title, body, pool[base].language, site_name=f"site{n % 500}")
        when = start + timedelta(days=n / ARTICLES_PER_DAY)
        yield (
            article,
            stories.Prepared(signature(body), vector, features.entity_keys(article.title, body)),
            when,
        )


def run(
    store: Store,
    data_dir: Path,
    embedder: Embedder,
    *,
    count: int,
    checkpoints: tuple[int, ...],
    seed: int = 1,
    overlapped: int = OVERLAPPED,
) -> Figures:
    pool = _pool(data_dir)
    figures = Figures(model_per_second=model_rate(embedder, pool, 40))
    vectors = features.embed_many(embedder, [(a.title, a.body_paragraphs) for a in pool])
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, Document("bench", f"bench {time.time()}".encode()), None)
    latencies: list[float] = []
    seen: set[int] = set()
    busy = 0.0
    pending = sorted(checkpoints)
    for n, (article, prepared, when) in enumerate(_generated(pool, vectors, count, seed)):
        begin = time.perf_counter()
        placed = _place(store, n, raw_id, article, prepared, when)
        elapsed = time.perf_counter() - begin
        busy += elapsed
        latencies = [*latencies[-999:], elapsed]
        seen.add(placed.story_id or 0)
        if pending and len(seen) >= pending[0]:
            figures.p99_ms[pending[0]] = float(np.percentile(latencies, 99)) * 1000
            figures.p50_ms[pending[0]] = float(np.percentile(latencies, 50)) * 1000
            pending.pop(0)
        figures.articles = n + 1
        if figures.articles % 5000 == 0:
            p99 = float(np.percentile(latencies, 99)) * 1000
            log.info("bench stories: %d articles, %d stories, p99 %.1f ms", n + 1, len(seen), p99)
    tail = list(_generated(pool, vectors, figures.articles + overlapped, seed + 1))[-overlapped:]
    texts = [(a.title, a.body_paragraphs) for a, _, _ in tail]
    start = time.perf_counter()
    for text in texts:
        features.embed_many(embedder, [text])
    figures.overlapped_model_per_second = len(texts) / (time.perf_counter() - start)
    figures.overlapped_per_second = _overlapped(store, embedder, tail, raw_id, figures.articles)
    figures.stories = len(seen)
    figures.assign_per_second = figures.articles / busy if busy else 0.0
    if pending:  # fewer stories than asked: report the end
        figures.p99_ms[figures.stories] = float(np.percentile(latencies, 99)) * 1000
        figures.p50_ms[figures.stories] = float(np.percentile(latencies, 50)) * 1000
    return figures


def _place(
    store: Store, n: int, raw_id: int, article: Article, prepared: stories.Prepared, when: datetime
) -> Placement:
    """Store generated article ``n`` and place it, in one transaction as ingest does."""
    with store.transaction() as connection:
        article_id, _ = articles.upsert_article(connection, f"bench:{n}", raw_id, article, None)
        return stories.place(connection, article_id, article, prepared, now=when)


def _overlapped(
    store: Store,
    embedder: Embedder,
    items: list[tuple[Article, stories.Prepared, datetime]],
    raw_id: int,
    first: int,
) -> float:
    """Articles per second, wall clock, with one thread embedding while this one places."""
    ready: queue.Queue[tuple[Article, stories.Prepared, datetime] | None] = queue.Queue(maxsize=8)

    def embed() -> None:
        for article, prepared, when in items:
            vector = features.embed_many(embedder, [(article.title, article.body_paragraphs)])[0]
            ready.put((article, stories.Prepared(prepared.signature, vector, prepared.entities), when))
        ready.put(None)

    start = time.perf_counter()
    worker = threading.Thread(target=embed, name="bench-embed")
    worker.start()
    n = first
    while (item := ready.get()) is not None:
        _place(store, n, raw_id, *item)
        n += 1
    worker.join()
    return len(items) / (time.perf_counter() - start)
