"""``akhbar bench ingest``: end-to-end ingestion speed beside bare trafilatura, in the same run.

A loopback HTTP server (in this process, in a thread) serves N real pages (each made unique) and
feeds listing them; akhbar follows the feeds with the in-process runner on a fresh SQLite
database, whose schema is made before the clock and the CPU count start (fetch under every rule,
extract, store), twice: with story grouping (the embedding model's work, its own stage with its
own benchmark, ``akhbar bench stories``) and without it (setting ``stories = off``: fetch,
extract, find duplicates, store, index for search). The
baseline is ``trafilatura.extract`` over the same N pages, with no fetching or storing, timed
before akhbar's runs and again after them (their mean: the machine's speed drifts). Both sides
are warm when timed: trafilatura after a first pass over the pages, akhbar's end-to-end runs after
its ``extract()`` and ``ingest_document()`` passes over them (start-up and first-use costs, such
as dateparser's locales or the embedding model's loading, fall in those passes). With
``extract_processes`` above 0, pages are extracted in that many worker processes (one pool for
every pass, so its workers are warmed by a first pass over the pages like this process). Peak
memory is the high-water mark of the process tree (extraction workers and their fork server
included) and the embedding service, each process's proportional set size: pages shared by
several processes are counted once between them. akhbar's CPU per page is this process's, its
extraction workers' (and the service's) less what the bench's own parts in it spend: the site's
threads and the memory sampler (the baseline is timed around trafilatura's calls alone).
``--runs N`` makes the two end-to-end runs N times, each on a fresh database, and reports their
medians, each run's own ratios beside them: on a shared machine one run's figures can move by a
tenth from one run to the next.

Start-up is timed last, as a user meets it: ``akhbar ingest PAGE`` run as a command (stories on,
the default settings) on a database made beforehand, from its start to its end, with the
machine's embedding service running (as after any ingest of the last two minutes) and with a
service of its own to start (a runtime directory of its own, the service ended afterwards); the
median over three pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from akhbar.bench.ingestsite import Pages, Site, corpus, serving, unique_page
from akhbar.bench.report import PeakTreeMemory, Target, process_cpu_seconds, processes_naming
from akhbar.bench.throughput import Throughput
from akhbar.config import Settings, load_settings
from akhbar.jobs.inline import InlineRunner
from akhbar.jobs.tasks import schedule_due
from akhbar.services import sources as sources_service
from akhbar.services.extractors import ExtractionPool, Extractor, make_extractor
from akhbar.services.fetching import open_runtime
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.stories.processes import ProcessEmbedder

T = TypeVar("T")


@dataclass(frozen=True)
class IngestBench:
    pages: int
    sources: int
    end_to_end: Throughput
    without_grouping: Throughput
    baseline: Throughput
    extract_only: Throughput
    ingest_only: Throughput
    stored: int
    errors: int
    peak_memory_mb: float  # the whole process tree, and the embedding service it uses
    cpu: CpuPerPage = field(default_factory=lambda: CpuPerPage(math.nan, math.nan, math.nan))
    extract_processes: int = 0  # extraction's worker processes (0: in the ingesting threads)
    load: tuple[float, float] = (math.nan, math.nan)  # the machine's 1-minute load average, start and end
    # seconds of `akhbar ingest PAGE` as a command: the model's service running, and to start
    start_up: tuple[float, float] = (math.nan, math.nan)
    # the end-to-end runs' own figures, one per run (the figures above are their medians)
    runs: tuple[RunFigures, ...] = ()
    # at the memory's peak: (what the processes are, how many, MB together), most memory first
    peak_parts: tuple[tuple[str, int, float], ...] = ()
    blas: str = ""  # the BLAS the model's products ran on, and its kernels ("": no model ran)
    warm_pages: int = 0  # pages the untimed run through fetching stored before the timed runs

    def cores(self) -> tuple[float, float]:
        """Cores akhbar kept busy on average, end to end with stories on and off (CPU per page times
        pages per second): on a machine other work shares, what it could get shows here."""
        return (
            self.cpu.akhbar_ms * self.end_to_end.per_second / 1000,
            self.cpu.off_ms * self.without_grouping.per_second / 1000,
        )

    @property
    def ratio(self) -> float:
        return self.end_to_end.per_second / self.baseline.per_second

    @property
    def ratio_without_grouping(self) -> float:
        return self.without_grouping.per_second / self.baseline.per_second

    def targets(self) -> list[Target]:
        """Issue targets: >= 0.7x bare trafilatura with stories, >= 0.9x without, tree < 500 MB."""
        return [
            Target("end to end / bare trafilatura, stories on", self.ratio, 0.70),
            Target("end to end / bare trafilatura, stories off", self.ratio_without_grouping, 0.90),
            Target(
                "peak memory of the process tree", self.peak_memory_mb, 500.0, " MB", higher_is_better=False
            ),
            Target(
                "CPU per page / (trafilatura's + the model's)", self.cpu.ratio, 1.5, higher_is_better=False
            ),
            Target(
                "start-up: akhbar ingest of one page, the model's service to start",
                self.start_up[1],
                2.0,
                " s",
                higher_is_better=False,
            ),
        ]


@dataclass(frozen=True)
class RunFigures:
    """One end-to-end run's ratios against the baseline: throughput with stories on and off, and
    CPU per page against trafilatura's and the model's."""

    ratio: float
    ratio_without_grouping: float
    cpu_ratio: float


@dataclass(frozen=True)
class CpuPerPage:
    """CPU milliseconds per page: akhbar end to end with stories on (this process, its children and
    the embedding service, less the bench's site and memory sampler), bare trafilatura, and the
    model alone (the service's share of the run; NaN when the model runs in the ingesting threads,
    where it cannot be told apart)."""

    akhbar_ms: float
    trafilatura_ms: float
    model_ms: float
    bench_ms: float = math.nan  # what the bench's own site and memory sampler spent, left out of akhbar_ms
    off_ms: float = math.nan  # akhbar end to end with stories off (no model), measured alike
    # bare trafilatura in ``loaded_processes`` processes at once (:func:`_loaded_baseline`)
    trafilatura_loaded_ms: float = math.nan
    loaded_processes: int = 0

    @property
    def ratio(self) -> float:
        return self.akhbar_ms / (self.trafilatura_ms + self.model_ms)

    @property
    def ratio_loaded(self) -> float:
        """:attr:`ratio` against trafilatura's CPU per page on a machine as loaded as akhbar's runs."""
        return self.akhbar_ms / (self.trafilatura_loaded_ms + self.model_ms)


def _cpu_seconds(service_pid: int | None, extractor: Extractor | None = None) -> tuple[float, float]:
    """(CPU of this process, its waited children and every extraction worker of ``extractor`` so far
    (those replaced meanwhile too), CPU of the embedding service) so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    if isinstance(extractor, ExtractionPool):
        total += extractor.cpu_seconds(process_cpu_seconds)
    return total, process_cpu_seconds(service_pid) if service_pid else math.nan


def _akhbar_cpu(
    service_pid: int | None, site: Site, memory: PeakTreeMemory, extractor: Extractor
) -> tuple[float, float, float]:
    """:func:`_cpu_seconds`, less what the bench's own threads in this process spent so far (its
    site serving the pages, its memory sampler; their work is the bench's, not akhbar's), and that."""
    own, model = _cpu_seconds(service_pid, extractor)
    bench = site.cpu_seconds + memory.cpu_seconds()
    return own - bench, model, bench


def _baseline(pages: Sequence[bytes], count: int) -> tuple[Throughput, float]:
    """Bare trafilatura on the pages: the time of its calls alone, and their CPU seconds."""
    import trafilatura

    elapsed = cpu = 0.0
    for index in range(count):
        html = pages[index % len(pages)].decode("utf-8", errors="replace")
        started, started_cpu = time.perf_counter(), time.process_time()
        trafilatura.extract(html)
        elapsed += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
    return Throughput("bare trafilatura.extract", count, elapsed), cpu


def _extract_only(pages: Sequence[bytes], count: int) -> Throughput:
    """akhbar's own extraction stage on the same pages: what the pipeline around it costs shows beside it."""
    from akhbar import extract as extraction
    from akhbar.models import Document

    elapsed = 0.0
    for index in range(count):
        url = f"http://127.0.0.1/p/{index}"
        document = Document(url, pages[index % len(pages)], "text/html", url)
        started = time.perf_counter()
        extraction.extract(document)
        elapsed += time.perf_counter() - started
    return Throughput("akhbar extract() alone (no fetch, no store)", count, elapsed)


def _warm_baseline(pages: Sequence[bytes], count: int) -> tuple[Throughput, float]:
    """:func:`_baseline` after an untimed pass over the same pages.

    trafilatura is warmed on every page before it is timed, as akhbar is (its extract() and
    ingest_document() runs go over the same pages before the end-to-end runs): a first pass costs
    about a tenth more (its caches, justext's stop lists per language).
    """
    _baseline(pages, count)
    return _baseline(pages, count)


def _baselines(pages: Sequence[bytes], count: int) -> tuple[Throughput, float, Throughput]:
    """Bare trafilatura and akhbar's ``extract()`` alone on the pages, each warmed first."""
    return (*_warm_baseline(pages, count), _extract_only(pages, count))


def _in_child(work: Callable[[Pages, int], T], pages: Pages, count: int, *, in_child: bool) -> T:
    """``work(pages, count)``, in a child process when ``in_child``: when akhbar extracts in worker
    processes, this process holds no extraction caches of its own, and the baselines' would be
    counted in the memory of the process tree measured afterwards."""
    if not in_child:
        return work(pages, count)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        return child.submit(work, pages, count).result()


def _loaded_baseline(pages: Pages, count: int, processes: int) -> float:
    """CPU seconds per page of bare trafilatura with ``processes`` processes extracting at once (each
    warmed, each over every page), as loaded as the machine is in akhbar's end-to-end runs (its
    extraction workers, the ingesting process and the model at once). A CPU second buys less work
    when every core is busy than when one is (shared caches, the host's other guests, frequency):
    trafilatura alone took 29.5 ms a page in one bench and 47.0 ms in the one before it."""
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as children:
        done = [children.submit(_warm_baseline, pages, count) for _ in range(processes)]
        spent = [future.result()[1] for future in done]
    return statistics.mean(spent) / count


def _both(before: tuple[Throughput, float], after: tuple[Throughput, float]) -> tuple[Throughput, float]:
    """Bare trafilatura timed before akhbar's runs and after them, as one figure (their mean): on a
    shared machine, a baseline timed only before runs that take a minute drifts from them by a
    tenth either way, and a ratio to it with it."""
    (first, first_cpu), (second, second_cpu) = before, after
    name = f"{first.name} (before and after: {first.per_second:.1f}, {second.per_second:.1f} pages/s)"
    return Throughput(name, first.pages + second.pages, first.seconds + second.seconds), (
        first_cpu + second_cpu
    ) / 2


def _warm(extractor: Extractor, pages: Sequence[bytes], count: int, threads: int, passes: int) -> None:
    """Every page through ``extractor`` from ``threads`` threads, ``passes`` times, untimed: its
    worker processes (with ``extract_processes``) are as warm as this process is after its own
    passes. A pass shares the pages among the workers, and a worker that missed the pages that
    first need dateparser's every locale (about 1.5 s of CPU) would pay for them in a timed run:
    one pass per worker."""
    from akhbar import extract as extraction
    from akhbar.models import Document

    def one(index: int) -> None:
        url = f"http://127.0.0.1/p/{index}"
        extractor(
            Document(url, pages[index % len(pages)], "text/html", url), extraction.DEFAULT_MAX_BYTES, None
        )

    with ThreadPoolExecutor(threads, thread_name_prefix="bench-warm") as workers:
        for _ in range(passes):
            list(workers.map(one, range(count)))


def _ingest_only(
    pages: Sequence[bytes], count: int, database: Path, grouping: Grouping, extractor: Extractor
) -> Throughput:
    """``ingest_document`` (extract, store, index, group) on the same pages, with no fetching or queue."""
    from akhbar.models import Document
    from akhbar.services.ingest import ingest_document

    store = Store(f"sqlite:///{database}")
    try:
        elapsed = 0.0
        for index in range(count):
            url = f"http://127.0.0.1/p/{index}"
            data = unique_page(pages, index)
            started = time.perf_counter()
            document = Document(url, data, "text/html", url)
            ingest_document(store, document, grouping=grouping, extractor=extractor)
            elapsed += time.perf_counter() - started
        return Throughput("akhbar ingest_document alone (no fetch)", count, elapsed)
    finally:
        store.close()


def _settings(database: Path, concurrency: int) -> Settings:
    overrides = {
        "database_url": f"sqlite:///{database}",
        "fetch_allow_networks": "127.0.0.0/8",  # the benchmark's own loopback server only
        "fetch_host_delay": 0,
        "fetch_host_concurrency": concurrency,
        "worker_concurrency": concurrency,
        "images": False,  # the pages name photos on the internet: this measures the pages alone
    }
    return load_settings(overrides, environ={}, config_file=database.with_name("none.toml"))


async def _follow_and_run(
    store: Store, settings: Settings, grouping: Grouping, base: str, sources: int, extractor: Extractor
) -> tuple[int, int]:
    opml = "".join(f'<outline text="b" xmlUrl="{base}/feed/{n}"/>' for n in range(sources))
    sources_service.import_opml(store, settings, f"<opml><body>{opml}</body></opml>".encode())
    async with open_runtime(store, settings, grouping, extractor=extractor) as runtime:
        runner = InlineRunner(runtime, concurrency=settings.worker_concurrency)
        await schedule_due(store, runner, limit=sources)
        outcomes = await runner.run_until_idle()
    stored = sum(1 for page in outcomes.pages if page.status in {"stored", "updated"})
    errors = sum(1 for page in outcomes.pages if page.status == "error")
    errors += sum(1 for refresh in outcomes.refreshes if refresh.status == "error")
    return stored, errors


def bench_ingest(
    data_dir: Path | None,
    grouping: Grouping,
    *,
    pages: int = 200,
    sources: int = 10,
    concurrency: int = 4,
    extract_processes: int = 0,
    start_up_pages: int = 3,
    runs: int = 1,
) -> IngestBench:
    """Serve ``pages`` pages through ``sources`` feeds and ingest them end to end, placing articles
    with ``grouping`` (and once more with grouping off), extracting in ``extract_processes`` worker
    processes (0: in the ingesting threads), then timing start-up over ``start_up_pages`` pages;
    see the module doc. With ``runs`` above 1 the two end-to-end runs are made that many times
    (each on a fresh database) and their medians reported, each run's own ratios beside them."""
    # only the pages served (``pages`` cycle through them), never all held at once uncompressed:
    # the memory of this process is measured
    html = Pages(corpus(data_dir, pages))
    load_before = os.getloadavg()[0]
    before, before_cpu, extract_only = _in_child(_baselines, html, pages, in_child=extract_processes > 0)
    # this process and its children, and the machine's embedding service when the model runs there
    service = grouping.embedder if grouping.enabled and grouping.processes else None
    service_pid = service.service_pid if isinstance(service, ProcessEmbedder) else None
    memory = PeakTreeMemory(also=[service_pid] if service_pid else [])
    extractor, close = make_extractor(extract_processes, timeout=60.0)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="akhbar-bench-") as tmp,
            serving(html, pages, sources) as site,
            memory.watching(),
        ):
            _warm(extractor, html, pages, concurrency, passes=max(1, extract_processes))
            ingest_only = _ingest_only(html, pages, Path(tmp) / "ingest-only.db", grouping, extractor)
            repeated = _Runs(
                Path(tmp), f"http://127.0.0.1:{site.server_port}", sources, concurrency, extractor
            )
            warmed = repeated.warm(grouping)
            measured = [repeated.measure(grouping, service_pid, site, memory, run) for run in range(runs)]
    finally:
        close()
    # after the memory watch: a child of this process would count in its tree
    after = _in_child(_warm_baseline, html, pages, in_child=extract_processes > 0)
    baseline, trafilatura_cpu = _both((before, before_cpu), after)
    loaded_processes = max(2, extract_processes)  # as busy a machine as akhbar's runs keep it
    loaded = _loaded_baseline(html, pages, loaded_processes)
    start_up = start_up_seconds(list(corpus(data_dir, start_up_pages)))
    with_service = service_pid is not None
    each = tuple(
        RunFigures(
            pages / one.seconds / baseline.per_second,
            pages / other.seconds / baseline.per_second,
            _per_page(one, other, trafilatura_cpu, pages, with_service=with_service).ratio,
        )
        for one, other in measured
    )
    on, off = _median([one for one, _ in measured]), _median([other for _, other in measured])
    return IngestBench(
        pages,
        sources,
        Throughput("akhbar end to end (fetch, extract, store, group)", pages, on.seconds),
        Throughput("akhbar end to end, stories = off", pages, off.seconds),
        baseline,
        extract_only,
        ingest_only,
        on.stored,
        on.errors,
        memory.peak_mb,
        replace(
            _per_page(on, off, trafilatura_cpu, pages, with_service=with_service),
            trafilatura_loaded_ms=1000 * loaded,
            loaded_processes=loaded_processes,
        ),
        extract_processes,
        (load_before, os.getloadavg()[0]),
        start_up,
        each,
        tuple(memory.parts_by_role()),
        _model_blas(grouping),
        warmed,
    )


def _model_blas(grouping: Grouping) -> str:
    """The BLAS and kernels the model ran on ("" when none ran: stories off)."""
    from akhbar.stories.embedding import blas_of

    return blas_of(grouping.embedder) if grouping.enabled else ""


def start_up_seconds(pages: Sequence[bytes]) -> tuple[float, float]:
    """Seconds ``akhbar ingest PAGE`` takes as a command on a database created beforehand (``akhbar
    db upgrade``), with the machine's embedding service running and with one to start: the median
    over ``pages`` (a page whose date only dateparser reads costs its locales, two seconds, once)."""
    running: list[float] = []
    cold: list[float] = []
    with tempfile.TemporaryDirectory(prefix="akhbar-bench-start-") as tmp:
        work = Path(tmp)
        try:
            # untimed: the command's own model service (its path is that of the command's installation)
            # is running from here on, whatever this process used
            warm = work / "warm.html"
            warm.write_bytes(unique_page(pages, len(pages)))
            _command(work / "data-warm", ["ingest", str(warm)], None, expect="1 stored")
            for index in range(len(pages)):
                page = work / f"page-{index}.html"
                page.write_bytes(unique_page(pages, index))
                own = work / f"runtime-{index}"  # a service of its own: its socket is in here
                own.mkdir(mode=0o700)
                for runtime, timed in ((None, running), (own, cold)):
                    data = work / f"data-{index}-{'own' if runtime else 'machine'}"
                    _command(data, ["db", "upgrade"], None)
                    started = time.perf_counter()
                    _command(data, ["ingest", str(page)], runtime, expect="1 stored")
                    timed.append(time.perf_counter() - started)
        finally:
            _end_services(work)
    return statistics.median(running), statistics.median(cold)


def _command(data_dir: Path, arguments: list[str], runtime: Path | None, expect: str = "") -> None:
    """``akhbar --data-dir DATA_DIR ARGUMENTS`` as a user runs it (the default settings)."""
    environment = {**os.environ, "AKHBAR_STORIES": "on"}
    environment.pop("AKHBAR_DATABASE_URL", None)  # the data directory's own database
    if runtime is not None:
        environment["XDG_RUNTIME_DIR"] = str(runtime)
    command = [sys.executable, "-m", "akhbar", "--data-dir", str(data_dir), *arguments]
    done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300, check=False)
    if done.returncode != 0 or expect not in done.stdout + done.stderr:
        raise RuntimeError(f"akhbar {' '.join(arguments)}: {done.stderr.strip()[-500:]}")


def _end_services(runtime: Path) -> None:
    """End the embedding services listening under ``runtime`` (each names its socket's path)."""
    for pid in processes_naming("akhbar.stories.service", str(runtime)):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)


@dataclass(frozen=True)
class _Run:
    """One end-to-end run: pages stored, errors, seconds, and CPU seconds (akhbar's, the model's,
    the bench's own threads')."""

    stored: int
    errors: int
    seconds: float
    cpu: float
    model: float
    bench: float


def _median(runs: Sequence[_Run]) -> _Run:
    """Each figure's median over ``runs`` (pages stored: the fewest; errors: the most)."""
    return _Run(
        min(run.stored for run in runs),
        max(run.errors for run in runs),
        statistics.median(run.seconds for run in runs),
        statistics.median(run.cpu for run in runs),
        statistics.median(run.model for run in runs),
        statistics.median(run.bench for run in runs),
    )


def _per_page(on: _Run, off: _Run, trafilatura_cpu: float, pages: int, *, with_service: bool) -> CpuPerPage:
    """The runs' CPU per page; the model's counts in akhbar's when it ran in the embedding service."""
    return CpuPerPage(
        1000 * (on.cpu + (on.model if with_service else 0.0)) / pages,
        1000 * trafilatura_cpu / pages,
        1000 * on.model / pages,
        1000 * on.bench / pages,
        1000 * off.cpu / pages,
    )


@dataclass(frozen=True)
class _Runs:
    work: Path
    base: str
    sources: int
    concurrency: int
    extractor: Extractor

    def measure(
        self, grouping: Grouping, service_pid: int | None, site: Site, memory: PeakTreeMemory, run: int = 0
    ) -> tuple[_Run, _Run]:
        """The end-to-end run with ``grouping``, then one with stories off (run ``run`` of several)."""
        return (
            self._one(f"bench-{run}.db", grouping, service_pid, site, memory),
            self._one(f"ungrouped-{run}.db", grouping.duplicates_only(), None, site, memory),
        )

    def warm(self, grouping: Grouping) -> int:
        """One untimed run over the site's first feed into a database of its own: what the first
        run through the fetching path pays once (its modules imported on first use, the HTTP
        client, the first connections; about 0.2 s) is start-up, timed apart, not the first timed
        run's share. The pages stored."""
        settings = _settings(self.work / "warm-fetching.db", self.concurrency)
        store = Store(settings.database_url)
        try:
            stored, _, _ = _end_to_end(store, settings, grouping, self.base, 1, self.extractor)
        finally:
            store.close()
        return stored

    def _one(
        self, name: str, grouping: Grouping, service_pid: int | None, site: Site, memory: PeakTreeMemory
    ) -> _Run:
        settings = _settings(self.work / name, self.concurrency)
        store = Store(settings.database_url)  # the schema is made before the clock and the CPU count
        try:
            own_before, model_before, bench_before = _akhbar_cpu(service_pid, site, memory, self.extractor)
            stored, errors, elapsed = _end_to_end(
                store, settings, grouping, self.base, self.sources, self.extractor
            )
            own_after, model_after, bench_after = _akhbar_cpu(service_pid, site, memory, self.extractor)
        finally:
            store.close()
        return _Run(
            stored,
            errors,
            elapsed,
            own_after - own_before,
            model_after - model_before,
            bench_after - bench_before,
        )


def _end_to_end(
    store: Store, settings: Settings, grouping: Grouping, base: str, sources: int, extractor: Extractor
) -> tuple[int, int, float]:
    """Follow the site's feeds into ``store`` (made beforehand: its schema is start-up, timed as such
    at the end) and ingest every page; (stored, errors, seconds)."""
    started = time.perf_counter()
    stored, errors = asyncio.run(_follow_and_run(store, settings, grouping, base, sources, extractor))
    return stored, errors, time.perf_counter() - started
