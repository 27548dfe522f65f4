"""All story-grouping figures in one run, and the recorded floors they must not fall below."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from akhbar.bench.quality.stories import Scores, parallel_news
from akhbar.bench.quality.stories_pairs import duplicates, semeval
from akhbar.stories.embedding import Embedder

# set -> system -> metric -> value
Report = dict[str, Scores]
TARGETS = {
    "parallel-news": {"f1": 0.95},
    "semeval": {"pearson": 0.80, "accuracy": 0.90},
    "duplicates": {"precision": 0.99, "recall": 0.95},
}


def evaluate(
    data_dir: Path,
    embedder: Embedder,
    *,
    with_baselines: bool = True,
    progress: Callable[[str], None] = lambda _phase: None,
) -> Report:
    """Every set scored; ``progress`` hears the name of each set as it starts."""
    progress("parallel-news")
    grouped = parallel_news(data_dir, embedder, with_baselines=with_baselines)
    progress("semeval")
    pairs = semeval(data_dir, embedder, with_baselines=with_baselines)
    progress("duplicates")
    return {
        "parallel-news": grouped,
        "semeval": pairs,
        "duplicates": duplicates(data_dir, embedder if with_baselines else None),
    }


def floors() -> dict[str, dict[str, float]]:
    """The recorded floors (``stories_floors.json``); raise one only with the reason in the commit."""
    text = resources.files("akhbar.bench.quality").joinpath("stories_floors.json").read_text(encoding="utf-8")
    loaded: dict[str, dict[str, float]] = {k: v for k, v in json.loads(text).items() if not k.startswith("_")}
    return loaded


def below_floors(report: Report) -> list[str]:
    """akhbar's figures under their floor, as ``set metric value < floor``."""
    failures = []
    for name, metrics in floors().items():
        for metric, floor in metrics.items():
            value = report[name]["akhbar"][metric]
            if value < floor:
                failures.append(f"{name} {metric} {value:.3f} < {floor:.3f}")
    return failures
