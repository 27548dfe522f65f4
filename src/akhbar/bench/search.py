"""``akhbar bench search``: index N generated articles, time 200 mixed queries beside the raw backend.

Articles are made of real sentences (parallel-news in Arabic, French and English, CC BY-SA 4.0):
a title and 3–6 body sentences of one language, dates over two years in arrival order (as a
feed reader stores them: article ids grow with time, give or take a few days). Indexing is timed apart
from loading the articles: ``akhbar search reindex``'s rebuild (``services.search.rebuild``) of the
whole index from these articles: analysis plus writing the index rows, the analysis of a batch
overlapping the writing of the previous one; on PostgreSQL into a shadow table, indexed once full
and swapped in.
Each query runs through the whole search service (parse, match, ranking blend, story grouping,
snippets of the first page) and as the backend's raw query (same terms, bm25 or ts_rank alone, no
join, no blend): over the newest matches as the service walks them (its ceiling) and over every
match (the backend's own ranking, what the service would cost without the window).
Queries mix single words, pairs, phrases, OR, exclusions and Arabic variants.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import re
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from akhbar.models import Article
from akhbar.search import Query, QueryProblem, parse, postgres, sqlite
from akhbar.services import search
from akhbar.store import Store, tables
from akhbar.store.bulk import insert_articles

BATCH = 2000
SPAN_DAYS = 730  # the generated articles' dates cover two years
_SENTENCE = re.compile(r"(?<=[.!?؟])\s+|\n+")
_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True)
class Timing:
    name: str
    p50_ms: float
    p99_ms: float
    mean_ms: float
    cpu_p50_ms: float  # this process's CPU time: what the query costs when the machine is busy
    cpu_p99_ms: float


@dataclass(frozen=True)
class SearchBench:
    articles: int
    load_seconds: float
    index_seconds: float
    index_cpu_seconds: float  # this process's CPU (SQLite's work included; not PostgreSQL's server)
    index_bytes: int | None
    queries: int
    full: Timing
    raw_window: Timing  # the backend's query as the service runs it: newest matches, bm25 only
    raw: Timing  # the backend's own ranking over every match (FTS5 ORDER BY rank, ts_rank)
    backend: str = "sqlite"
    reused: str | None = None  # when the corpus was built, if this run reused it (--reuse)

    @property
    def timings(self) -> tuple[Timing, ...]:
        return (self.full, self.raw_window, self.raw)

    @property
    def index_rate(self) -> float:
        return self.articles / self.index_seconds if self.index_seconds else float("inf")

    @property
    def index_cpu_rate(self) -> float:
        return self.articles / self.index_cpu_seconds if self.index_cpu_seconds else float("inf")


def sentences(data_dir: Path) -> dict[str, list[str]]:
    """Real sentences by language (ar, fr, en)."""
    found: dict[str, list[str]] = {"ar": [], "fr": [], "en": []}
    for line in (data_dir / "parallel-news" / "docs.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        parts = (s.strip() for s in _SENTENCE.split(doc["text"]))
        found[doc["lang"]].extend(s for s in parts if 20 <= len(s) <= 400)
    return found


def generate(pool: dict[str, list[str]], count: int, seed: int = 7) -> Iterator[tuple[str, Article]]:
    rng = random.Random(seed)
    languages = sorted(pool)
    start = date(2024, 1, 1)
    for n in range(count):
        language = languages[n % len(languages)]
        lines = pool[language]
        title = rng.choice(lines)[:120]
        body = tuple(rng.choice(lines) for _ in range(rng.randint(3, 6)))
        # articles arrive in publication order, give or take a few days (ids grow with time)
        published = (start + timedelta(days=max(0, n * SPAN_DAYS // count - rng.randrange(4)))).isoformat()
        yield f"bench:{n}", Article(title, body, language=language, published=published)


def mixed_queries(pool: dict[str, list[str]], count: int = 200, seed: int = 11) -> list[str]:
    """Single words, pairs, phrases, OR, exclusions; Arabic with attached ال/و/ب and diacritics."""
    rng = random.Random(seed)
    vocab = {lang: sorted({w for s in lines for w in _WORD.findall(s)}) for lang, lines in pool.items()}
    out: list[str] = []
    while len(out) < count:
        lang = rng.choice(sorted(vocab))
        a, b = rng.choice(vocab[lang]), rng.choice(vocab[lang])
        kind = len(out) % 6
        if kind == 0:
            out.append(a)
        elif kind == 1:
            out.append(f"{a} {b}")
        elif kind == 2:
            sentence_words = _WORD.findall(rng.choice(pool[lang]))
            at = rng.randrange(max(1, len(sentence_words) - 1))
            out.append('"' + " ".join(sentence_words[at : at + 2]) + '"')
        elif kind == 3:
            out.append(f"{a} OR {b}")
        elif kind == 4:
            out.append(f"{a} -{b}")
        else:
            out.append(("و" + a + "َ") if lang == "ar" else a.upper())
    return out


def load(
    store: Store, pool: dict[str, list[str]], count: int, progress: Callable[[str], None]
) -> tuple[float, float, float]:
    """Insert ``count`` articles, then index them as reindexing does (:func:`search.rebuild`);
    returns (load s, index s, index CPU s).
    The articles are generated again for indexing (the same seed) rather than kept in memory."""
    ids: list[int] = []
    items = generate(pool, count)
    started = time.perf_counter()
    while len(ids) < count:
        batch = list(itertools.islice(items, BATCH))
        with store.transaction() as connection:
            ids.extend(insert_articles(connection, batch))
        if len(ids) % (BATCH * 50) == 0 or len(ids) == count:
            progress(f"  loaded {len(ids)} articles ({len(ids) / (time.perf_counter() - started):.0f}/s)")
    load_s = time.perf_counter() - started

    def batches() -> Iterator[list[search.Pending]]:
        again = generate(pool, count)
        for at in range(0, count, BATCH):
            yield [
                (ids[at + n], article, None) for n, (_, article) in enumerate(itertools.islice(again, BATCH))
            ]
            done = min(at + BATCH, count)
            if done % (BATCH * 50) == 0 or done == count:
                progress(f"  indexed {done} articles ({done / (time.perf_counter() - started):.0f}/s)")

    started, cpu = time.perf_counter(), time.process_time()
    search.rebuild(store, batches())
    return load_s, time.perf_counter() - started, time.process_time() - cpu


def _timing(name: str, millis: list[tuple[float, float]]) -> Timing:
    ordered = sorted(wall for wall, _ in millis)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    cpus = sorted(c for _, c in millis)
    cpu_p99 = cpus[min(len(cpus) - 1, round(0.99 * (len(cpus) - 1)))]
    return Timing(
        name, statistics.median(ordered), p99, statistics.fmean(ordered), statistics.median(cpus), cpu_p99
    )


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def time_queries(store: Store, texts: list[str]) -> tuple[Timing, Timing, Timing]:
    """(whole service, raw query over the newest matches, raw query over every match), in one run."""
    full, window, raw = [], [], []
    backend = postgres if store.dialect == "postgresql" else sqlite
    for text in texts:
        full.append(_timed(lambda: search.search(store, text, limit=20)))  # noqa: B023  # called at once
        parsed = parse(text)
        if isinstance(parsed, QueryProblem):
            continue

        def run_raw(query: Query = parsed, newest: int | None = None) -> None:
            with store.reading() as connection:
                backend.raw_ids(connection, query, 20, newest)

        window.append(_timed(lambda: run_raw(newest=backend.WINDOW)))
        raw.append(_timed(run_raw))
    return (
        _timing("akhbar search (ranked, grouped, snippets)", full),
        _timing(f"raw query, newest {backend.WINDOW} matches", window),
        _timing("raw query, every match (backend's rank)", raw),
    )


def index_bytes(store: Store) -> int | None:
    with store.reading() as connection:
        if store.dialect == "postgresql":
            size = connection.execute(sa.text("SELECT pg_total_relation_size('search_documents')")).scalar()
            return int(size or 0)
        try:
            size = connection.execute(
                sa.text("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%'")
            ).scalar()
        except sa.exc.OperationalError:  # SQLite built without the dbstat table
            return None
        return int(size or 0)


def phase_count(articles: int) -> int:
    """How many progress messages :func:`bench_search` sends for ``articles``."""
    reports = -(-articles // (BATCH * 50))  # one per 50 batches loaded, and the last, then as many indexed
    return 1 + 2 * reports + 1


@dataclass(frozen=True)
class Corpus:
    """A corpus the bench built and kept (``--keep``): its size and how long building it took."""

    articles: int
    load_seconds: float
    index_seconds: float
    index_cpu_seconds: float
    built_at: str


class CorpusError(Exception):
    """The database holds something the bench cannot use (a message for the operator)."""


_marker = sa.Table(
    "akhbar_bench_corpus",  # the bench's own record, beside akhbar's schema, in bench databases only
    sa.MetaData(),
    sa.Column("articles", sa.Integer, nullable=False),
    sa.Column("load_seconds", sa.Float, nullable=False),
    sa.Column("index_seconds", sa.Float, nullable=False),
    sa.Column("index_cpu_seconds", sa.Float, nullable=False),
    sa.Column("built_at", sa.String(40), nullable=False),
)


def kept_corpus(store: Store) -> Corpus | None:
    """The corpus a previous run kept in this database, if any."""
    with store.reading() as connection:
        if not sa.inspect(connection).has_table(_marker.name):
            return None
        row = connection.execute(sa.select(_marker)).first()
    return Corpus(**row._mapping) if row is not None else None


def _keep(store: Store, corpus: Corpus) -> None:
    with store.transaction() as connection:
        _marker.create(connection, checkfirst=True)
        connection.execute(sa.delete(_marker))
        connection.execute(sa.insert(_marker), [dataclasses.asdict(corpus)])


def _corpus(
    store: Store, pool: dict[str, list[str]], articles: int, reuse: bool, progress: Callable[[str], None]
) -> tuple[Corpus, bool]:
    """The corpus to time queries on: the kept one (``reuse``, same size) or a new one, built into
    an empty database; returns it and whether it was reused."""
    kept = kept_corpus(store)
    if reuse and kept is not None and kept.articles == articles:
        progress(f"reusing the {articles} articles built {kept.built_at} ({store.dialect})")
        return kept, True
    with store.reading() as connection:
        present = connection.execute(sa.select(sa.func.count()).select_from(tables.articles)).scalar()
    if present:
        kept_size = f"a kept corpus of {kept.articles} articles" if kept else f"{present} articles"
        raise CorpusError(
            f"the {store.dialect} database holds {kept_size}, not an empty database: give an empty "
            f"one, or --reuse a corpus of {articles} articles kept there with --keep"
        )
    progress(f"loading and indexing {articles} articles ({store.dialect})")
    load_s, index_s, index_cpu = load(store, pool, articles, progress)
    built = datetime.now(UTC).isoformat(timespec="seconds")
    return Corpus(articles, load_s, index_s, index_cpu, built), False


def bench_search(
    store: Store,
    data_dir: Path,
    *,
    articles: int,
    queries: int,
    progress: Callable[[str], None],
    keep: bool = False,
    reuse: bool = False,
) -> SearchBench:
    """Build (or ``reuse``) a corpus of ``articles``, then time ``queries`` mixed queries on it;
    ``keep`` records the corpus so a later run can reuse it."""
    pool = sentences(data_dir)
    corpus, reused = _corpus(store, pool, articles, reuse, progress)
    if keep and not reused:
        _keep(store, corpus)
    texts = mixed_queries(pool, queries)
    progress(f"timing {len(texts)} queries")
    time_queries(store, texts[:20])  # warm the caches as a running server would be
    full, window, raw = time_queries(store, texts)
    size = index_bytes(store)
    return SearchBench(
        articles,
        corpus.load_seconds,
        corpus.index_seconds,
        corpus.index_cpu_seconds,
        size,
        len(texts),
        full,
        window,
        raw,
        store.dialect,
        corpus.built_at if reused else None,
    )
