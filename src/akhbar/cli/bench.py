"""``akhbar bench ...``: speed figures beside a baseline measured in the same run."""

from __future__ import annotations

from pathlib import Path

import click

from akhbar.services import benchmarks


@click.group("bench")
def bench_group() -> None:
    """Speed benchmarks (figures, not pass/fail)."""


@bench_group.command("extract")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("../shared/data"),
    show_default=True,
    help="Directory with pages-*/ real pages to dump; skipped when missing.",
)
@click.option("--seconds", type=click.FloatRange(0.1, 600), default=3.0, show_default=True)
def bench_extract(data_dir: Path, seconds: float) -> None:
    """Text-dump extraction throughput (pages/s, one core) over the specimen and dumped real pages."""
    found = data_dir if data_dir.is_dir() else None
    if found is None:
        click.echo(f"note: {data_dir} not found; measuring the demo dumps only", err=True)
    akhbar, baseline = benchmarks.bench_textdump(found, min_seconds=seconds)
    pages = len(benchmarks.textdump_corpus(found))
    click.echo(f"text-dump extraction over {pages} pages (one core)")
    for result in (akhbar, baseline):
        click.echo(
            f"  {result.name:45} {result.per_second:9.1f} pages/s  ({result.pages} in {result.seconds:.2f} s)"
        )
    click.echo(
        f"  ratio akhbar/baseline: {akhbar.per_second / baseline.per_second:.2f}   target: >= 500 pages/s"
    )
