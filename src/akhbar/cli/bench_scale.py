"""``akhbar bench search`` and ``akhbar bench fleet``: PostgreSQL search at a million articles
beside SQLite, and many ``akhbar worker`` processes polling many sources (production's figures)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from akhbar.bench.report import Target
from akhbar.cli.app import data_option
from akhbar.cli.bench import bench_group, finish, json_option
from akhbar.cli.progress import bars, phases


@bench_group.command("search")
@data_option("Directory with parallel-news/docs.jsonl (real ar/fr/en sentences for the articles).")
@click.option("--articles", type=click.IntRange(100, 100_000_000), default=1_000_000, show_default=True)
@click.option("--queries", type=click.IntRange(10, 100_000), default=200, show_default=True)
@click.option(
    "--backend",
    "backends",
    type=click.Choice(["sqlite", "postgresql"]),
    multiple=True,
    help="Backend(s) to measure, in one run (repeat it for both); default: sqlite.",
)
@click.option(
    "--database-url",
    help="The PostgreSQL database for --backend postgresql: empty, or holding a corpus kept with --keep.",
)
@click.option(
    "--sqlite-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The SQLite corpus file; default: a temporary one, or akhbar-bench-search-N.db with --keep/--reuse.",
)
@click.option("--keep", is_flag=True, help="Keep the built corpus (and its build times) for --reuse.")
@click.option("--reuse", is_flag=True, help="Time queries on a corpus of --articles kept by --keep.")
@json_option
def bench_search(
    data_dir: Path,
    articles: int,
    queries: int,
    backends: tuple[str, ...],
    database_url: str | None,
    sqlite_file: Path | None,
    keep: bool,
    reuse: bool,
    json_file: Path | None,
) -> None:
    """Search speed: p50/p99 of mixed queries beside the raw backend query, index size and rate."""
    import tempfile

    chosen = backends or (("postgresql",) if database_url else ("sqlite",))
    if "postgresql" in chosen and not database_url:
        raise click.UsageError("--backend postgresql needs --database-url (an empty throwaway database)")
    reports = []
    with tempfile.TemporaryDirectory(prefix="akhbar-bench-") as scratch:
        for backend in chosen:
            if backend == "postgresql":
                url = str(database_url)
            else:
                kept = Path(f"akhbar-bench-search-{articles}.db") if keep or reuse else None
                url = f"sqlite:///{sqlite_file or kept or Path(scratch) / 'bench.db'}"
            reports.append(_search_run(url, data_dir, articles, queries, keep=keep, reuse=reuse))
    targets = []
    for report in reports:
        _print_search(report)
        targets += _search_targets(report, prefix=f"{report.backend} " if len(reports) > 1 else "")
    finish("search", reports if len(reports) > 1 else reports[0], targets, json_file)


def _search_run(url: str, data_dir: Path, articles: int, queries: int, *, keep: bool, reuse: bool) -> Any:
    from akhbar.bench import search as benchmarks_search
    from akhbar.store import Store

    store = Store(url)
    try:
        with bars() as display:
            return benchmarks_search.bench_search(
                store,
                data_dir,
                articles=articles,
                queries=queries,
                progress=phases(display, "bench search", benchmarks_search.phase_count(articles)),
                keep=keep,
                reuse=reuse,
            )
    except benchmarks_search.CorpusError as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        store.close()


def _print_search(report: Any) -> None:
    size = f"{report.index_bytes / 2**20:.0f} MiB" if report.index_bytes is not None else "unknown"
    built = f" (corpus reused; built {report.reused})" if report.reused else ""
    click.echo(
        f"{report.backend}, {report.articles} articles: loaded in {report.load_seconds:.1f} s, indexed in "
        f"{report.index_seconds:.1f} s ({report.index_rate:.0f} articles/s; "
        f"{report.index_cpu_rate:.0f}/s of this process's CPU), index {size}{built}"
    )
    for t in report.timings:
        click.echo(
            f"  {t.name:42} p50 {t.p50_ms:7.2f} ms  p99 {t.p99_ms:7.2f} ms  mean {t.mean_ms:7.2f} ms"
            f"  (CPU p50 {t.cpu_p50_ms:.2f} ms, p99 {t.cpu_p99_ms:.2f} ms)"
        )


def _search_targets(report: Any, prefix: str) -> list[Target]:
    return [
        Target(f"{prefix}search p50", report.full.p50_ms, 20.0, " ms", higher_is_better=False),
        Target(f"{prefix}search p99", report.full.p99_ms, 150.0, " ms", higher_is_better=False),
        Target(f"{prefix}indexing", report.index_rate, 2000.0, " articles/s"),
    ]


@bench_group.command("fleet")
@data_option("Directory with pages-*/ real article pages the loopback sites serve (default: the demo's).")
@click.option(
    "--database-url", required=True, help="An EMPTY throwaway PostgreSQL database (emptied before each run)."
)
@click.option("--sources", type=click.IntRange(10, 1_000_000), default=10_000, show_default=True)
@click.option("--pages-per-source", type=click.IntRange(1, 100), default=2, show_default=True)
@click.option(
    "--workers", "workers", type=click.IntRange(1, 64), multiple=True, help="Worker counts (default 1, 2, 4)."
)
@click.option(
    "--stories-workers",
    type=click.IntRange(0, 64),
    multiple=True,
    help="Worker counts with stories on (default 1, 2; 0: none).",
)
@click.option(
    "--seconds",
    type=click.FloatRange(5, 3600),
    default=60.0,
    show_default=True,
    help="Measured window per run.",
)
@click.option(
    "--warmup",
    type=click.FloatRange(0, 600),
    default=15.0,
    show_default=True,
    help="Seconds before it (doubled with stories on).",
)
@click.option(
    "--latency-scale",
    type=click.FloatRange(0.1, 20),
    default=1.0,
    show_default=True,
    help="The hosts' latencies times this: above 1, fetching dominates more (a busy machine's CPU less).",
)
@click.option(
    "--extract-processes",
    type=click.IntRange(0, 16),
    default=0,
    show_default=True,
    help="Each worker's extraction processes (setting extract_processes); 0 as the README advises for"
    " several workers on one machine.",
)
@json_option
def bench_fleet(
    data_dir: Path,
    database_url: str,
    sources: int,
    pages_per_source: int,
    workers: tuple[int, ...],
    stories_workers: tuple[int, ...],
    seconds: float,
    warmup: float,
    latency_scale: float,
    extract_processes: int,
    json_file: Path | None,
) -> None:
    """Many sources, many workers: pages/s with 1, 2 and 4 `akhbar worker` processes, politeness,
    duplicates and memory per worker, against a loopback web with latency and failing hosts."""
    from akhbar.bench import fleet

    shape = fleet.Shape(
        sources,
        pages_per_source,
        workers or (1, 2, 4),
        tuple(n for n in stories_workers if n) if stories_workers else (1, 2),
        warmup,
        seconds,
        latency_scale,
        extract_processes,
    )
    pages = data_dir if data_dir.is_dir() else None
    with bars() as display:
        total = len(shape.workers) + len(shape.stories_workers)
        report = fleet.bench_fleet(database_url, pages, shape, phases(display, "bench fleet", total))
    _print_fleet(report)
    finish("fleet", report, report.targets(), json_file)


def _print_fleet(report: Any) -> None:
    click.echo(
        f"{report.sources} sources on {report.hosts} loopback hosts; per host: {report.host_concurrency} "
        f"in flight, {report.host_delay:g} s apart; {report.worker_concurrency} jobs per worker; "
        f"host latencies x{report.latency_scale:g}; extraction in "
        f"{report.extract_processes or 'no'} worker processes per worker"
    )
    for run in report.runs:
        memory = ", ".join(f"{mb:.0f}" for mb in run.worker_peak_mb)
        click.echo(
            f"  {run.workers} worker(s), stories {'on ' if run.stories else 'off'}: "
            f"{run.pages_per_second:6.2f} pages/s  {run.requests_per_second:6.2f} requests/s  "
            f"workers' memory {memory} MB; {run.articles} articles,"
            f" {run.duplicate_articles} stored twice, {run.lost_pages} lost,"
            f" {run.refetched_pages} pages fetched twice;"
            f" per host at most {run.max_in_flight} in flight, {run.min_gap:.2f} s apart"
            f" ({run.site_strict_violations} gaps short by > 0.05 s; the site's clock lagged up to"
            f" {run.site_lag:.2f} s); workers kept {run.worker_cores:.2f} cores busy"
        )
        for example in run.examples:
            click.echo(f"    politeness: {example}")
