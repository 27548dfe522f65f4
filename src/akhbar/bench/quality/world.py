"""``pages-fundus-world`` in ``akhbar eval extract``: 252 real pages in about 25 languages, a development set.

Every system of :mod:`akhbar.bench.quality.world_systems` runs on every page; scores are given for
all pages and per language group (:data:`akhbar.bench.quality.world_cases.GROUPS`):

* body: precision, recall and F1 of word 4-gram shingles and ROUGE-LSum over paragraphs
  (:mod:`akhbar.bench.quality.body_metrics`), against Fundus's body (summary, sub-headlines,
  paragraphs);
* ``title_rate``: exact title after whitespace normalisation (:func:`akhbar.extract.text.clean`);
* ``date_rate``: the publication date on the labelled day (in the label's time zone when both
  carry a time);
* ``author_recall``: the share of labelled authors named, per page, over pages with authors;
* ``caption_rate``: pages whose cover image's labelled caption is found (the system's caption
  field, or for systems without one, anywhere in their text), over pages with such a caption;
* ``article_rate``: pages given an article (akhbar: not rejected; the others: some text, no error).

akhbar's rejections of these real articles are listed with their reasons ("wrongly rejected").
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from akhbar.bench.quality.body_metrics import Shingles, rouge_lsum, shingle_counts, summarise
from akhbar.bench.quality.world_cases import GROUPS, WorldCase, world_cases
from akhbar.bench.quality.world_systems import SYSTEMS, Output, run_systems
from akhbar.extract.text import clean

__all__ = ["ALL", "SYSTEMS", "WorldReport", "evaluate_world", "format_world", "score_outputs"]

ALL = "all"


@dataclass
class WorldReport:
    """Scores by system, then group (``all`` first), then score name; akhbar's wrong rejections,
    each system's failures (errors raised) and CPU seconds."""

    scores: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    failures: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _same_day(found: str | None, expected: str | None) -> float:
    if not found or not expected:
        return 0.0
    try:
        got, want = datetime.fromisoformat(found), datetime.fromisoformat(expected)
    except ValueError:
        return float(found[:10] == expected[:10])
    if len(found) > len("2024-01-01") and got.tzinfo is not None and want.tzinfo is not None:
        got = got.astimezone(want.tzinfo)
    return float(got.date() == want.date())


def _fold(name: str) -> str:
    return clean(name).casefold()


def _author_recall(found: Iterable[str], expected: Sequence[str]) -> float:
    got = {_fold(name) for name in found}
    return sum(_fold(name) in got for name in expected) / len(expected)


def _caption_found(output: Output, expected: str, *, in_text: bool) -> float:
    wanted = expected.casefold()
    got = clean(output.caption or "").casefold()
    if got and (wanted in got or got in wanted):
        return 1.0
    return float(in_text and wanted in clean(output.text).casefold())


def _scores(pairs: list[tuple[WorldCase, Output]], *, in_text: bool) -> dict[str, float]:
    shingles: list[Shingles] = []
    rouges: list[tuple[float, float, float]] = []
    titles, dates, authors, captions, languages, accepted = ([] for _ in range(6))
    for case, output in pairs:
        shingles.append(shingle_counts(output.paragraphs, case.body))
        rouges.append(rouge_lsum(output.paragraphs, case.body))
        accepted.append(float(bool(output.paragraphs) and not output.rejected and not output.failed))
        titles.append(float(clean(output.title) == case.title))
        if case.published:
            dates.append(_same_day(output.published, case.published))
        if case.authors:
            authors.append(_author_recall(output.authors, case.authors))
        if case.cover_caption:
            captions.append(_caption_found(output, case.cover_caption, in_text=in_text))
        if case.language != "und":
            languages.append(float(output.language == case.language))
    body = summarise(shingles, rouges)
    return {
        "body_precision": body.precision,
        "body_recall": body.recall,
        "body_f1": body.f1,
        "rouge_lsum_precision": body.rouge_precision,
        "rouge_lsum_recall": body.rouge_recall,
        "rouge_lsum_f1": body.rouge_f1,
        "title_rate": _mean(titles),
        "date_rate": _mean(dates),
        "author_recall": _mean(authors),
        "caption_rate": _mean(captions),
        "language_rate": _mean(languages),
        "article_rate": _mean(accepted),
    }


def score_outputs(
    cases: list[WorldCase], outputs: list[Output], *, system: str
) -> dict[str, dict[str, float]]:
    """Scores for all pages and for each language group present."""
    pairs = list(zip(cases, outputs, strict=True))
    in_text = system != "akhbar"  # the others have no caption field
    scored = {ALL: _scores(pairs, in_text=in_text)}
    for group in GROUPS:
        chosen = [pair for pair in pairs if pair[0].group == group]
        if chosen:
            scored[group] = _scores(chosen, in_text=in_text)
    return scored


def evaluate_world(data_dir: Path, systems: Sequence[str] = SYSTEMS) -> WorldReport:
    """Run ``systems`` on every page of ``data_dir/pages-fundus-world`` and score them."""
    cases = world_cases(data_dir)
    report = WorldReport(pages={ALL: len(cases), **Counter(case.group for case in cases)})
    for system in systems:
        started = time.process_time()
        outputs = run_systems(system, cases)
        report.seconds[system] = time.process_time() - started
        report.scores[system] = score_outputs(cases, outputs, system=system)
        report.failures[system] = [
            (case.name, output.failed) for case, output in zip(cases, outputs, strict=True) if output.failed
        ]
        if system == "akhbar":
            report.rejected = [
                (case.name, output.rejected)
                for case, output in zip(cases, outputs, strict=True)
                if output.rejected
            ]
    return report


def format_world(report: WorldReport, floors: dict[str, float] | None = None) -> str:
    """The report as a table: one block per group, one row per score, one column per system."""
    floors = floors or {}
    systems = list(report.scores)
    header = f"{'group':<13} {'score':<21}" + "".join(f"{name:>22}" for name in systems) + f"{'floor':>7}"
    groups = ", ".join(f"{name} {count}" for name, count in report.pages.items())
    lines = [f"pages-fundus-world ({groups} pages)", header]
    for group in (ALL, *GROUPS):
        if group not in report.scores.get(systems[0], {}):
            continue
        for score in report.scores[systems[0]][group]:
            row = f"{group:<13} {score:<21}"
            row += "".join(f"{report.scores[name][group][score]:>22.3f}" for name in systems)
            floor = floors.get(score) if group == ALL else None
            lines.append(row + (f"{floor:>7.3f}" if floor is not None else ""))
    seconds = "  ".join(f"{name} {report.seconds[name]:.1f}" for name in systems)
    lines.append(f"CPU seconds over the set: {seconds}")
    for name in systems:
        failed = report.failures.get(name, [])
        if failed:
            kinds = Counter(reason.split(":", 1)[0] for _, reason in failed)
            lines.append(
                f"{name}: {len(failed)} pages raised ({', '.join(f'{k} {n}' for k, n in kinds.items())})"
            )
    lines.append(f"akhbar wrongly rejected {len(report.rejected)} of these real articles:")
    lines.extend(f"  {name}: {reason}" for name, reason in report.rejected)
    return "\n".join(lines)
