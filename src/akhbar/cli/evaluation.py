"""``akhbar eval ...``: quality against labelled sets, beside baselines measured in the same run."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import click

from akhbar.cli.app import Context, data_option, echo_json, model_option, pass_context
from akhbar.cli.progress import bars, phases
from akhbar.errors import InputError


@click.group("eval")
def eval_group() -> None:
    """Quality evaluations (scores beside a baseline)."""


@eval_group.command("extract")
@data_option(
    "Directory with pages-trafilatura/, pages-fundus/ and pages-fundus-world/ (the specimen is read"
    " from ../seed)."
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def eval_extract(data_dir: Path, output_format: str) -> None:
    """Extraction quality on labelled real pages and the specimen, beside bare trafilatura
    (and, on pages-fundus-world, trafilatura favouring precision and newspaper4k)."""
    from akhbar.bench.quality import extraction, textdump, world

    for needed in ("pages-trafilatura", "pages-fundus"):
        if not (data_dir / needed).is_dir():
            raise InputError(f"eval: {data_dir} has no {needed}/ (use --data)")
    with bars() as display:
        step = phases(display, "eval extract", 4)
        step("pages-fundus-world beside trafilatura and newspaper4k")
        report = world.evaluate_world(data_dir) if (data_dir / "pages-fundus-world").is_dir() else None
        step("labelled pages and the specimen")
        results = extraction.evaluate_extraction(data_dir, world=report)
        step("text dumps, through ingest")
        dumps, counts = textdump.evaluate_report(data_dir)
        step("dates the pages state")
        unstated = extraction.unstated_dates(data_dir)
    floors = extraction.extraction_floors()
    if output_format == "json":
        parallel = {language: count.to_json() for language, count in counts.items()}
        found = {
            "html": results,
            "textdump": dumps,
            "textdump_parallel": parallel,
            "floors": floors,
            "unstated_dates": unstated,
        }
        if report is not None:
            found["world"] = dataclasses.asdict(report)
        echo_json(found)
        return
    click.echo(extraction.format_report(results, floors))
    if report is not None:
        click.echo(world.format_world(report, floors.get("pages-fundus-world")))
    click.echo(
        "date_rate: pages with a labelled date; date_stated_rate: those whose HTML states the labelled day"
    )
    click.echo(f"  labelled dates their page does not state: {', '.join(unstated) or 'none'}")
    click.echo("text dumps of the same pages (whole-page text, chrome included):")
    for name, value in dumps.items():
        click.echo(f"  {name:32} {value:.3f}")
    click.echo("parallel-news as text dumps (title, blank line, paragraphs), through ingest and the store:")
    for language, count in counts.items():
        click.echo(
            f"  {language}  title exact {count.titles}/{count.versions}"
            f"  paragraphs kept {count.kept}/{count.paragraphs}"
            f"  body exact {count.bodies}/{count.versions}  rejected {len(count.rejected)}"
            + (f" ({', '.join(count.rejected)})" if count.rejected else "")
        )


@eval_group.command("search")
@data_option("Directory with parallel-news/ and pages-fundus/.")
@click.option(
    "--database-url",
    help="An EMPTY throwaway database to evaluate on (e.g. PostgreSQL); default: a temporary SQLite file.",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def eval_search(data_dir: Path, database_url: str | None, output_format: str) -> None:
    """recall@5 and MRR of akhbar's analyser beside the backend's default (FTS5 unicode61 / PG simple)."""
    from akhbar.bench.quality import search as quality
    from akhbar.services import articles
    from akhbar.store import Store

    if not (data_dir / "parallel-news").is_dir():
        raise InputError(f"eval: {data_dir} has no parallel-news/ (use --data)")
    with tempfile.TemporaryDirectory(prefix="akhbar-eval-") as scratch:
        store = Store(database_url or f"sqlite:///{scratch}/eval.db")
        try:
            if articles.count_articles(store):
                raise InputError("eval: the database is not empty; give a throwaway one")
            akhbar, default = quality.evaluate(store, data_dir)
        finally:
            store.close()
    if output_format == "json":
        echo_json({"akhbar": akhbar.to_json(), "default": default.to_json(), "floor": quality.floor()})
        return
    count = len(quality.queries())
    click.echo(f"search relevance over {count} queries (ar/fr/en), top {quality.TOP}")
    for s in (akhbar, default):
        click.echo(f"  {s.name:20} recall@5 {s.recall:.3f}   MRR {s.mrr:.3f}   missed {len(s.failures)}")
    click.echo(f"  akhbar misses: {', '.join(akhbar.failures) or 'none'}")
    verdict = (
        "ok" if akhbar.recall >= max(0.95, quality.floor()) and akhbar.recall > default.recall else "MISSED"
    )
    click.echo(f"  target: recall@5 >= 0.95 and above the default: {verdict}")


_COUNTS = ("items", "copies", "linked", "orders")  # whole numbers, printed as such


def _stories_report(name: str, systems: dict[str, dict[str, float]], targets: dict[str, float]) -> str:
    metrics = [m for m in next(iter(systems.values())) if m not in ("decided", "flagged")]
    lines = [f"{name}: " + "  ".join(f"{m} (target {targets[m]})" for m in metrics if m in targets)]
    for system, values in systems.items():
        shown = (
            f"{m} {int(values[m])}" if m in _COUNTS else f"{m} {values[m]:.3f}"
            for m in metrics
            if m in values
        )
        lines.append(f"  {system:20} " + "  ".join(shown))
    return "\n".join(lines)


@eval_group.command("stories")
@data_option("Directory with parallel-news/ and news-similarity/.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--orders",
    type=click.IntRange(1, 50),
    default=5,
    show_default=True,
    help="Seeded stream orders parallel-news is ingested in.",
)
@model_option
@pass_context
def eval_stories(ctx: Context, data_dir: Path, output_format: str, orders: int, model: str | None) -> None:
    """Story grouping (B-cubed over seeded stream orders, through ingest), SemEval pairs and
    duplicates, beside title TF-IDF and embeddings alone."""
    from akhbar.bench.quality import stories_eval

    for needed in ("parallel-news", "news-similarity"):
        if not (data_dir / needed).is_dir():
            raise InputError(f"eval: {data_dir} has no {needed}/ (use --data)")
    ctx.settings(stories_model=model)
    with bars() as display:
        report = stories_eval.evaluate(
            data_dir, ctx.grouping().embedder, orders=orders, progress=phases(display, "eval stories", 4)
        )
    failures = stories_eval.below_floors(report) + stories_eval.beside_embeddings(report)
    if output_format == "json":
        echo_json({"report": report, "floors": stories_eval.floors(), "below_floors": failures})
    else:
        for name, systems in report.items():
            click.echo(_stories_report(name, systems, stories_eval.TARGETS[name]))
        click.echo(
            "parallel-news through ingest is what users get; the gold-text row only tells grouping from"
            " extraction. 'without X' rows leave one part of the similarity out (an ablation)."
        )
        click.echo(f"floors: {'ok' if not failures else 'BELOW: ' + '; '.join(failures)}")
    if failures:
        raise SystemExit(1)
