"""``akhbar bench stories``: duplicate detection and story assignment at 10k and 100k stories.

Articles are generated from real text in three languages (parallel-news): each takes a real
article's title and a mix of real sentences, so MinHash signatures are realistic; its embedding is
the real article's embedding moved by noise (most generated articles are new events, some are
follow-ups of a recent one), because embedding 100,000 texts with the model would take hours. The
timed part of each article is what ingest does besides the model: its MinHash signature and names,
then storing and placing it in one transaction. The model's own rate is measured in the same run
on real texts, in this process: it is the ceiling of the pipeline.

At the end, ``OVERLAPPED`` more articles go through the whole pipeline with the real model, as
ingest runs it: ``CONCURRENCY`` threads each prepare an article (the model runs where the setting
``stories_processes`` puts it) and then store and place it. Its rate is measured beside the model
alone on the same articles.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from akhbar.models import Article, Document
from akhbar.services import stories
from akhbar.store import Store, articles, documents
from akhbar.store.signatures import Placement
from akhbar.stories import features
from akhbar.stories.embedding import Embedder, Vector, blas_of, normalise_rows

log = logging.getLogger(__name__)
PROGRESS_EVERY = 100  # placed articles between two progress calls

FOLLOW_UP = 0.15  # share of generated articles that continue a recent story
OVERLAPPED = 600
CONCURRENCY = 4  # ingest's default worker_concurrency
ARTICLES_PER_DAY = 4000


@dataclass
class Figures:
    """What the bench reports."""

    model_per_second: float = 0.0
    model_wide_per_second: float = 0.0  # the model alone with numpy on every core (when asked)
    assign_per_second: float = 0.0
    articles: int = 0
    stories: int = 0
    p99_ms: dict[int, float] = field(default_factory=dict)  # stories checkpoint -> p99 latency
    p50_ms: dict[int, float] = field(default_factory=dict)
    overlapped_model_per_second: float = 0.0  # the model alone on the overlapped phase's articles
    overlapped_per_second: float = 0.0  # embedding and placing overlapped, wall clock
    blas: str = ""  # the BLAS and kernels the model alone ran on
    pipeline_blas: str = ""  # and the pipeline's model (its service's, when it runs in one)

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
    pool: list[Article], vectors: list[Vector], count: int, seed: int, *, first: int = 0
) -> Iterator[tuple[Article, Vector, datetime]]:
    """``count`` generated articles, numbered (and dated) from ``first`` on."""
    rng = np.random.default_rng(seed)
    pick = random.Random(seed)
    sentences = [s for a in pool for s in features.lead_sentences(a.body_paragraphs, 50)]
    recent: list[Vector] = []
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(first, first + count):
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
        yield article, vector, when


def run(
    store: Store,
    data_dir: Path,
    embedder: Embedder,
    *,
    pipeline: stories.Grouping,
    wide: Embedder | None = None,
    count: int,
    checkpoints: tuple[int, ...],
    seed: int = 1,
    overlapped: int = OVERLAPPED,
    progress: Callable[[int], None] = lambda _done: None,
) -> Figures:
    """Place ``count`` generated articles one by one (latency at each checkpoint), then ``overlapped``
    more as ingest does; ``progress`` hears how many are placed, every :data:`PROGRESS_EVERY`."""
    pool = _pool(data_dir)
    figures = Figures(model_per_second=model_rate(embedder, pool, 40))
    pipeline.embedder.embed(["warm up"])  # a model in child processes starts before any clock does
    figures.blas, figures.pipeline_blas = blas_of(embedder), blas_of(pipeline.embedder)
    if wide is not None:
        figures.model_wide_per_second = model_rate(wide, pool, 40)
    vectors = features.embed_many(embedder, [(a.title, a.body_paragraphs) for a in pool])
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, Document("bench", f"bench {time.time()}".encode()), None)
    latencies: list[float] = []
    seen: set[int] = set()
    busy = 0.0
    pending = sorted(checkpoints)
    for n, (article, vector, when) in enumerate(_generated(pool, vectors, count, seed)):
        begin = time.perf_counter()
        placed = _place(store, pipeline, n, raw_id, article, stories.prepared_with(article, vector), when)
        elapsed = time.perf_counter() - begin
        busy += elapsed
        latencies = [*latencies[-999:], elapsed]
        seen.add(placed.story_id or 0)
        if pending and len(seen) >= pending[0]:
            figures.p99_ms[pending[0]] = float(np.percentile(latencies, 99)) * 1000
            figures.p50_ms[pending[0]] = float(np.percentile(latencies, 50)) * 1000
            pending.pop(0)
        figures.articles = n + 1
        if figures.articles % PROGRESS_EVERY == 0:
            progress(figures.articles)
        if figures.articles % 5000 == 0:
            p99 = float(np.percentile(latencies, 99)) * 1000
            log.info("bench stories: %d articles, %d stories, p99 %.1f ms", n + 1, len(seen), p99)
    generated = _generated(pool, vectors, overlapped, seed + 1, first=figures.articles)
    tail = [(article, when) for article, _, when in generated]
    figures.overlapped_model_per_second = model_rate(embedder, [a for a, _ in tail], len(tail))
    figures.overlapped_per_second = _overlapped(store, pipeline, tail, raw_id, figures.articles)
    figures.stories = len(seen)
    figures.assign_per_second = figures.articles / busy if busy else 0.0
    if pending:  # fewer stories than asked: report the end
        figures.p99_ms[figures.stories] = float(np.percentile(latencies, 99)) * 1000
        figures.p50_ms[figures.stories] = float(np.percentile(latencies, 50)) * 1000
    return figures


def _place(
    store: Store,
    grouping: stories.Grouping,
    n: int,
    raw_id: int,
    article: Article,
    prepared: stories.Prepared,
    when: datetime,
) -> Placement:
    """Store generated article ``n`` and place it, in one transaction as ingest does."""
    with store.transaction() as connection:
        article_id, created = articles.upsert_article(connection, f"bench:{n}", raw_id, article, None)
        return stories.place(connection, article_id, article, prepared, grouping, now=when, created=created)


def _overlapped(
    store: Store, grouping: stories.Grouping, items: list[tuple[Article, datetime]], raw_id: int, first: int
) -> float:
    """Articles per second, wall clock, with ``CONCURRENCY`` threads preparing and placing as ingest."""

    def ingest(numbered: tuple[int, tuple[Article, datetime]]) -> None:
        n, (article, when) = numbered
        _place(store, grouping, n, raw_id, article, stories.prepare(article, grouping), when)

    start = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="bench-ingest") as workers:
        list(workers.map(ingest, enumerate(items, start=first)))
    return len(items) / (time.perf_counter() - start)
