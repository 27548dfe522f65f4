"""``akhbar bench ...``: speed figures beside a baseline measured in the same run."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from akhbar.bench.report import Target, verdicts, write_json
from akhbar.cli.app import Context, data_option, model_option, pass_context
from akhbar.cli.output import note
from akhbar.cli.progress import bars, phases

if TYPE_CHECKING:
    from akhbar.bench.ingest import IngestBench

json_option = click.option(
    "--json",
    "json_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the figures and targets to this file as JSON, to compare runs.",
)


def finish(name: str, figures: Any, targets: list[Target], json_file: Path | None) -> None:
    """The verdict line of each target, and the JSON file when asked for."""
    for line in verdicts(targets):
        click.echo(line)
    if json_file is not None:
        write_json(json_file, {"bench": name, "figures": figures, "targets": targets})
        note(f"figures written to {json_file}")


@click.group("bench")
def bench_group() -> None:
    """Speed benchmarks: figures beside a ceiling measured in the same run, a verdict per target."""


@bench_group.command("extract")
@data_option("Directory with pages-*/ real pages to dump; skipped when missing.")
@click.option("--seconds", type=click.FloatRange(0.1, 600), default=3.0, show_default=True)
@json_option
def bench_extract(data_dir: Path, seconds: float, json_file: Path | None) -> None:
    """Extraction throughput (pages/s, one core): text dumps beside a baseline, HTML beside trafilatura."""
    from akhbar.bench import extract as benchmarks

    found = data_dir if data_dir.is_dir() else None
    if found is None:
        note(f"{data_dir} not found; measuring the demo dumps only")
    akhbar, baseline = benchmarks.bench_textdump(found, min_seconds=seconds)
    pages = len(benchmarks.textdump_corpus(found))
    click.echo(f"text-dump extraction over {pages} pages (one core)")
    for result in (akhbar, baseline):
        click.echo(
            f"  {result.name:45} {result.per_second:9.1f} pages/s  ({result.pages} in {result.seconds:.2f} s)"
        )
    click.echo(f"  ratio akhbar/baseline: {akhbar.per_second / baseline.per_second:.2f}")
    targets = [Target("text dumps", akhbar.per_second, 500.0, " pages/s")]
    figures: dict[str, object] = {"textdump": akhbar, "textdump_baseline": baseline}
    if found is not None:
        from akhbar.bench import html as benchmarks_html

        html_akhbar, bare = benchmarks_html.bench_html(found, min_seconds=seconds)
        click.echo("HTML extraction over the real pages, beside bare trafilatura (one core)")
        click.echo(benchmarks_html.format_bench(html_akhbar, bare))
        ratio = html_akhbar.per_second / bare.per_second if bare.per_second else float("nan")
        targets.append(Target("HTML / bare trafilatura", ratio, benchmarks_html.TARGET_RATIO))
        figures.update(html=html_akhbar, html_trafilatura=bare)
    finish("extract", figures, targets, json_file)


@bench_group.command("web")
@data_option("Directory with parallel-news/docs.jsonl (real ar/fr/en news); the specimen when missing.")
@click.option("--articles", type=click.IntRange(10, 10_000_000), default=100_000, show_default=True)
@click.option("--seconds", type=click.FloatRange(1, 600), default=5.0, show_default=True)
@click.option(
    "--connections",
    type=click.IntRange(1, 1000),
    default=32,
    show_default=True,
    help="Connections the load tool keeps busy; the latency and rate targets are set at 32.",
)
@click.option(
    "--stories/--no-stories",
    default=True,
    show_default=True,
    help="Group the generated articles into multilingual stories (article pages then list other coverage).",
)
@click.option(
    "--lighthouse/--no-lighthouse",
    default=True,
    show_default=True,
    help="Also score the demo's pages with Lighthouse 12 (phone emulation; Performance >= 95).",
)
@click.option(
    "--keep", is_flag=True, help="Keep the loaded articles (akhbar-bench-web-N.db, here) for --reuse."
)
@click.option("--reuse", is_flag=True, help="Serve the articles a run with --keep left here (same size).")
@json_option
def bench_web(
    data_dir: Path,
    articles: int,
    seconds: float,
    connections: int,
    stories: bool,
    lighthouse: bool,
    keep: bool,
    reuse: bool,
    json_file: Path | None,
) -> None:
    """Portal speed over HTTP, akhbar serve as users run it, beside nginx serving the same bytes; then
    Lighthouse on the demo's front pages, lead story and article."""
    from akhbar.bench import lighthouse as benchmarks_lighthouse
    from akhbar.bench import web as benchmarks_web

    found = data_dir if data_dir.is_dir() else None
    if found is None:
        note(f"{data_dir} not found; generating from the specimen only")
    with bars() as display:
        report = benchmarks_web.bench_web(
            found,
            articles=articles,
            seconds=seconds,
            connections=connections,
            stories=stories,
            keep=keep,
            reuse=reuse,
            progress=phases(display, "bench web", benchmarks_web.phase_count(stories)),
        )
        scored = (
            benchmarks_lighthouse.bench_lighthouse(
                benchmarks_web.start_server, phases(display, "bench web: Lighthouse", 5)
            )
            if lighthouse
            else None
        )
    built = f" (kept corpus reused; built {report.reused})" if report.reused else ""
    click.echo(
        f"{report.articles} articles loaded in {report.load_seconds:.1f} s{built}; load from {report.tool}, "
        f"{connections} connections; akhbar serve (one uvicorn worker unless said, access log on)"
    )
    alone = report.search_ceiling
    for m in report.measurements:
        ceiling = report.ceiling_of(m.name)
        share = (
            f"  {m.per_second / ceiling.per_second:4.0%} of nginx" if ceiling and ceiling.per_second else ""
        )
        if alone is not None and m.name == alone.name and alone.per_second:
            share = f"  {m.per_second / alone.per_second:4.0%} of its query alone"
        click.echo(
            f"  {m.name:20} {m.per_second:9.0f} req/s  p50 {m.p50_ms:7.2f} ms  p99 {m.p99_ms:7.2f} ms"
            f"  server CPU {m.cpu_ms_per_request:6.3f} ms/req  errors {m.errors}{share}"
        )
    for m in report.ceilings:
        click.echo(f"  nginx, same bytes: {m.name:20} {m.per_second:9.0f} req/s  p99 {m.p99_ms:7.2f} ms")
    if alone is not None:
        click.echo(
            f"  {alone.name}, its query alone behind uvicorn and FastAPI (akhbar's bytes, no ranking, rows,"
            f" snippets or template): {alone.per_second:.0f} req/s  p99 {alone.p99_ms:.2f} ms"
            f"  server CPU {alone.cpu_ms_per_request:.3f} ms/req"
        )
    click.echo(f"  akhbar serve's process tree: {report.server_memory_mb:.0f} MB")
    click.echo(
        f"  the machine's load average {report.load[0]:.2f} at the start, {report.load[1]:.2f} at the end"
    )
    targets = report.targets()
    if scored is not None:
        for line in scored.lines():
            click.echo(line)
        targets += scored.targets()
    finish("web", {"speed": report, "lighthouse": scored}, targets, json_file)


@bench_group.command("ingest")
@data_option("Directory with real pages to serve; the bundled demo pages when missing.")
@click.option("--pages", type=click.IntRange(1, 100_000), default=200, show_default=True)
@click.option("--sources", type=click.IntRange(1, 100_000), default=10, show_default=True)
@click.option("--concurrency", type=click.IntRange(1, 256), help="Jobs at once (setting worker_concurrency).")
@click.option(
    "--extract-processes",
    type=click.IntRange(0, 64),
    help="Extraction worker processes (setting extract_processes); 0: in the ingesting threads.",
)
@click.option(
    "--runs",
    type=click.IntRange(1, 99),
    default=1,
    show_default=True,
    help="End-to-end runs (each with stories on and off); their medians decide the verdicts.",
)
@json_option
@pass_context
def bench_ingest(
    ctx: Context,
    data_dir: Path,
    pages: int,
    sources: int,
    concurrency: int | None,
    extract_processes: int | None,
    runs: int,
    json_file: Path | None,
) -> None:
    """End-to-end ingestion from a loopback server (in-process runner) beside bare trafilatura."""
    from akhbar.bench import ingest as benchmarks_ingest

    found = data_dir if data_dir.is_dir() else None
    if found is None:
        note(f"{data_dir} not found; serving the demo pages")
    settings = ctx.settings(extract_processes=extract_processes, worker_concurrency=concurrency)
    processes, concurrency = settings.extract_processes, settings.worker_concurrency
    result = benchmarks_ingest.bench_ingest(
        found,
        ctx.grouping(),
        pages=pages,
        sources=sources,
        concurrency=concurrency,
        extract_processes=processes,
        runs=runs,
    )
    _show_ingest(result, concurrency)
    finish("ingest", result, result.targets(), json_file)


def _show_ingest(result: IngestBench, concurrency: int) -> None:
    """The figures of ``akhbar bench ingest``, before its verdicts."""
    click.echo(
        f"ingest of {result.pages} pages through {result.sources} feeds, {concurrency} jobs at once,"
        f" extraction in {result.extract_processes or 'no'} worker processes"
    )
    shown = (
        result.end_to_end,
        result.without_grouping,
        result.baseline,
        result.extract_only,
        result.ingest_only,
    )
    for throughput in shown:
        click.echo(
            f"  {throughput.name:45} {throughput.per_second:9.1f} pages/s"
            f"  ({throughput.pages} in {throughput.seconds:.2f} s)"
        )
    click.echo(f"  stored {result.stored}, errors {result.errors}")
    overhead = result.end_to_end.per_second / result.ingest_only.per_second
    click.echo(
        f"  ratio end-to-end/ingest_document alone: {overhead:.2f}  (what fetching and the queue cost)"
    )
    click.echo(
        "  peak memory of the process tree (the embedding service included; shared pages once):"
        f" {result.peak_memory_mb:.0f} MB"
    )
    if result.peak_parts:
        held = ", ".join(
            f"{role}{f' x{count}' if count > 1 else ''} {mb:.0f} MB" for role, count, mb in result.peak_parts
        )
        click.echo(f"    at the peak: {held}")
    cpu = result.cpu
    click.echo(
        f"  CPU per page: akhbar end to end {cpu.akhbar_ms:.1f} ms (the model's {cpu.model_ms:.1f} ms of it),"
        f" with stories off {cpu.off_ms:.1f} ms, bare trafilatura {cpu.trafilatura_ms:.1f} ms; left out,"
        f" the bench's own site and memory sampler in this process: {cpu.bench_ms:.1f} ms"
    )
    if cpu.loaded_processes:
        click.echo(
            f"  bare trafilatura in {cpu.loaded_processes} processes at once (a machine as busy as in"
            f" akhbar's runs): {cpu.trafilatura_loaded_ms:.1f} ms a page; akhbar's CPU per page against"
            f" it and the model's: {cpu.ratio_loaded:.2f} (the target below is judged against trafilatura"
            " alone)"
        )
    if result.blas:
        click.echo(f"  the model's matrix products ran on {result.blas}")
    on, off = result.cores()
    click.echo(
        f"  cores akhbar kept busy: {on:.2f} with stories on, {off:.2f} off; the machine's load average"
        f" {result.load[0]:.2f} at the start, {result.load[1]:.2f} at the end"
    )
    running, cold = result.start_up
    click.echo(
        f"  start-up: akhbar ingest of one page took {running:.2f} s with the machine's embedding service"
        f" running, {cold:.2f} s with the service to start"
    )
    if len(result.runs) > 1:

        def spread(values: list[float]) -> str:
            return f"{min(values):.2f}-{max(values):.2f}"

        click.echo(
            f"  {len(result.runs)} end-to-end runs, their medians above; each run's own:"
            f" end to end / bare trafilatura {spread([r.ratio for r in result.runs])} stories on,"
            f" {spread([r.ratio_without_grouping for r in result.runs])} off; CPU per page /"
            f" (trafilatura's + the model's) {spread([r.cpu_ratio for r in result.runs])}"
        )


@bench_group.command("stories")
@data_option("Directory with parallel-news/docs.jsonl (real ar/fr/en news the articles are generated from).")
@click.option("--articles", "count", type=click.IntRange(100, 10_000_000), default=100_000, show_default=True)
@click.option(
    "--database-url", help="An EMPTY throwaway database (e.g. PostgreSQL); default: temporary SQLite."
)
@model_option
@json_option
@pass_context
def bench_stories(
    ctx: Context,
    data_dir: Path,
    count: int,
    database_url: str | None,
    model: str | None,
    json_file: Path | None,
) -> None:
    """Duplicate detection + story assignment: articles/s and p99 latency at 10k and 100k stories."""
    import tempfile

    from akhbar.bench import stories as benchmarks_stories
    from akhbar.config import BUILT_IN_MODEL
    from akhbar.store import Store
    from akhbar.stories.embedding import UseEmbedder, load

    settings = ctx.settings(stories_model=model)
    grouping = ctx.grouping()
    cores = os.cpu_count() or 1
    wide = UseEmbedder(threads=cores) if settings.stories_model == BUILT_IN_MODEL and cores > 1 else None
    with tempfile.TemporaryDirectory(prefix="akhbar-bench-") as scratch:
        store = Store(database_url or f"sqlite:///{scratch}/bench.db")
        try:
            with bars() as display:
                placed = display.add("placing generated articles", count, "articles")
                figures = benchmarks_stories.run(
                    store,
                    data_dir,
                    # the model alone, in this process: the configured one when it runs here already
                    grouping.embedder if not settings.stories_processes else load(settings.stories_model),
                    pipeline=grouping,
                    wide=wide,
                    count=count,
                    checkpoints=(10_000, 100_000),
                    progress=lambda done: placed.update(completed=done),
                )
        finally:
            store.close()
    click.echo(f"story assignment over {figures.articles} generated articles -> {figures.stories} stories")
    click.echo(
        f"  embedding model alone (ceiling)   {figures.model_per_second:9.1f} articles/s  (one thread)"
    )
    if figures.model_wide_per_second:
        click.echo(
            f"    the model alone on {cores} threads   {figures.model_wide_per_second:9.1f} articles/s"
            " (all cores to one model: akhbar runs one thread per process, see stories_processes)"
        )
    click.echo(f"  signatures, dedupe, assignment    {figures.assign_per_second:9.1f} articles/s  (no model)")
    ratio = figures.pipeline_per_second / figures.model_per_second
    pipeline = figures.pipeline_per_second
    click.echo(f"  pipeline, one after the other     {pipeline:9.1f} articles/s  ({ratio:.0%} of model)")
    overlapped, alone = figures.overlapped_per_second, figures.overlapped_model_per_second
    share = overlapped / alone if alone else 0.0
    where = (
        "model in the machine's embedding service"
        if settings.stories_processes
        else "model in the ingesting threads"
    )
    click.echo(
        f"  pipeline, overlapped as ingest    {overlapped:9.1f} articles/s  ({share:.0%} of the model's"
        f" {alone:.1f}/s on the same {benchmarks_stories.OVERLAPPED} articles)"
    )
    click.echo(f"    ({benchmarks_stories.CONCURRENCY} ingest threads, {where})")
    click.echo(f"  the model alone ran on {figures.blas}")
    if figures.pipeline_blas != figures.blas:
        click.echo(f"  the pipeline's model ran on {figures.pipeline_blas}")
    targets = [Target("pipeline overlapped / model alone", share, 0.80)]
    for stories_at, p99 in sorted(figures.p99_ms.items()):
        p50 = figures.p50_ms[stories_at]
        click.echo(f"  at {stories_at:7} stories: p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
        targets.append(
            Target(f"placing p99 at {stories_at} stories", p99, 50.0, " ms", higher_is_better=False)
        )
    finish("stories", figures, targets, json_file)


# the production-scale benches (search at a million articles, the fleet of workers) live beside this
# module; importing it adds their commands to bench_group
from akhbar.cli import bench_scale  # noqa: E402, F401  # registers search and fleet (it imports this module)
