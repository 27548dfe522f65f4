"""All story-grouping figures in one run, and the recorded floors they must not fall below."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from akhbar.bench.quality import stories_ingest
from akhbar.bench.quality.stories import Scores, ablations, parallel_news
from akhbar.bench.quality.stories_duplicates import duplicates
from akhbar.bench.quality.stories_pairs import real_pages, semeval
from akhbar.stories import grouping
from akhbar.stories.embedding import Embedder

# set -> system -> metric -> value ("duplicates by kind": set -> part of the set -> metric -> value)
Report = dict[str, Scores]
INGESTED = "parallel-news through ingest"
GOLD = "parallel-news gold text (diagnosis)"
TARGETS = {
    INGESTED: {"f1_mean": 0.96, "f1_min": 0.95, "ar_in_group_mean": 0.99},
    GOLD: {"f1": 0.95},
    "semeval": {"pearson": 0.80, "accuracy": 0.90},
    "duplicates": {"precision": 0.99, "recall": 0.97, "contained_recall": 0.95, "templates_unlinked": 1.0},
    "duplicates by kind": {"precision": 0.99, "recall": 0.95},
}
# Floors: set -> metric -> floor for akhbar's row, or set -> row -> metric -> floor
Floors = dict[str, dict[str, float | dict[str, float]]]


def evaluate(
    data_dir: Path,
    embedder: Embedder,
    *,
    with_baselines: bool = True,
    orders: int = stories_ingest.ORDERS,
    progress: Callable[[str], None] = lambda _phase: None,
) -> Report:
    """Every set scored; ``progress`` hears the name of each set as it starts.

    parallel-news is scored as users load it (text dumps through ingest and the store, in
    ``orders`` seeded orders); the same articles handed to the grouping as gold text, in one order,
    are printed beside it only to tell grouping from extraction.
    """
    embedder = stories_ingest.CachingEmbedder(embedder)  # each text is embedded once in the run
    seeds = tuple(range(1, orders + 1))
    progress(f"parallel-news through ingest, {orders} orders")
    ingested = {
        "akhbar": stories_ingest.summary(stories_ingest.through_ingest(data_dir, embedder, seeds=seeds))
    }
    if with_baselines:  # each part of the similarity left out in turn, and the cosine alone
        for name, rule in ablations(grouping.for_model(embedder)).items():
            found = stories_ingest.through_ingest(data_dir, embedder, seeds=seeds, rule=rule)
            ingested[name] = stories_ingest.summary(found)
    progress("parallel-news gold text")
    grouped = parallel_news(data_dir, embedder, with_baselines=with_baselines)
    progress("semeval")
    pairs = semeval(data_dir, embedder, with_baselines=with_baselines)
    progress("duplicates")
    systems, by_kind = duplicates(data_dir, real_pages(data_dir), embedder, with_baselines=with_baselines)
    return {
        INGESTED: ingested,
        GOLD: grouped,
        "semeval": pairs,
        "duplicates": systems,
        "duplicates by kind": by_kind,
    }


def beside_embeddings(report: Report) -> list[str]:
    """SemEval figures where akhbar falls short of the embeddings alone (the target: at least them)."""
    rows = report["semeval"]
    if "embeddings alone" not in rows:
        return []
    ours, theirs = rows["akhbar"], rows["embeddings alone"]
    return [
        f"semeval {metric} {ours[metric]:.3f} < embeddings alone {theirs[metric]:.3f}"
        for metric in ("pearson", "accuracy")
        if ours[metric] < theirs[metric]
    ]


def floors() -> Floors:
    """The recorded floors (``stories_floors.json``); raise one only with the reason in the commit."""
    text = resources.files("akhbar.bench.quality").joinpath("stories_floors.json").read_text(encoding="utf-8")
    loaded: Floors = {k: v for k, v in json.loads(text).items() if not k.startswith("_")}
    return loaded


def below_floors(report: Report) -> list[str]:
    """akhbar's figures under their floor, as ``set [row] metric value < floor``."""
    failures = []
    for name, metrics in floors().items():
        for key, floor in metrics.items():
            rows = floor.items() if isinstance(floor, dict) else [(key, floor)]
            row = key if isinstance(floor, dict) else "akhbar"
            for metric, least in rows:
                value = report[name][row][metric]
                if value < least:
                    where = f"{name} {row}" if isinstance(floor, dict) else name
                    failures.append(f"{where} {metric} {value:.3f} < {least:.3f}")
    return failures
