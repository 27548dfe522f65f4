"""``akhbar bench extract``: akhbar's HTML extraction beside bare trafilatura, same pages, same process.

Both run on every real page of the evaluation sets (``pages-trafilatura`` and ``pages-fundus``),
already decoded, single core. The two are timed in alternating rounds (one pass of akhbar over all
pages, then one pass of bare ``trafilatura.extract``, and so on) so that a busy machine slows both
alike; the time is the process's CPU time (``time.process_time``), which other work on a shared
machine does not inflate. The target is a ratio of at least 0.8 (akhbar's overhead at most 25 %).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

from akhbar.bench.quality.extraction import EvalPage, load_pages
from akhbar.bench.throughput import Throughput
from akhbar.extract.html import extract_html

__all__ = ["TARGET_RATIO", "bench_html", "format_bench"]

TARGET_RATIO = 0.8
"""akhbar's pages per second divided by bare trafilatura's must be at least this."""


def _akhbar(page: EvalPage) -> object:
    return extract_html(page.html, url=page.url, fetched_at=page.fetched_at)


def _bare(page: EvalPage) -> object:
    return trafilatura.extract(page.html, url=page.url)


def _one_pass(work: Callable[[EvalPage], object], pages: list[EvalPage]) -> float:
    started = time.process_time()
    for page in pages:
        work(page)
    return time.process_time() - started


def bench_html(data_dir: Path, min_seconds: float = 3.0) -> tuple[Throughput, Throughput]:
    """(akhbar ``extract_html``, bare ``trafilatura.extract``) over the same pages, each timed for at
    least ``min_seconds`` in alternating rounds after one untimed warm-up pass."""
    pages = load_pages(data_dir)
    if not pages:
        raise ValueError(f"no HTML pages under {data_dir}")
    _one_pass(_akhbar, pages)  # warm caches and the language model before timing
    _one_pass(_bare, pages)
    rounds, akhbar_seconds, bare_seconds = 0, 0.0, 0.0
    while rounds == 0 or min(akhbar_seconds, bare_seconds) < min_seconds:
        akhbar_seconds += _one_pass(_akhbar, pages)
        bare_seconds += _one_pass(_bare, pages)
        rounds += 1
    count = rounds * len(pages)
    return (
        Throughput("akhbar extract_html", count, akhbar_seconds),
        Throughput("bare trafilatura.extract (default options)", count, bare_seconds),
    )


def format_bench(akhbar: Throughput, baseline: Throughput) -> str:
    """Both throughputs and their ratio, one per line."""
    ratio = akhbar.per_second / baseline.per_second if baseline.per_second else float("inf")
    verdict = "ok" if ratio >= TARGET_RATIO else f"below the {TARGET_RATIO} target"
    lines = [
        f"{item.name:<45} {item.per_second:8.1f} pages/s ({item.pages} pages, {item.seconds:.1f} s CPU)"
        for item in (akhbar, baseline)
    ]
    return "\n".join([*lines, f"ratio {ratio:.2f} ({verdict})"])
