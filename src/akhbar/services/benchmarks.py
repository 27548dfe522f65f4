"""Speed measurements, each beside a baseline measured in the same process on the same inputs."""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from akhbar.extract.language import detect_language
from akhbar.extract.pagetext import page_text
from akhbar.extract.text import clean_lines
from akhbar.extract.textdump import extract_textdump
from akhbar.services.demo import demo_directory


@dataclass(frozen=True)
class Throughput:
    name: str
    pages: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else float("inf")


def _read_html(path: Path) -> str:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.decode("utf-8", errors="replace")


def textdump_corpus(data_dir: Path | None) -> list[str]:
    """The specimen and demo dumps, plus every real HTML page under ``data_dir`` turned into a dump."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(demo_directory().glob("*.txt"))]
    if data_dir is not None:
        pages = sorted(data_dir.glob("pages-*/**/*.html")) + sorted(data_dir.glob("pages-*/**/*.html.gz"))
        texts += [page_text(_read_html(path)) for path in pages]
    return texts


def measure(name: str, work: Callable[[str], object], texts: list[str], min_seconds: float) -> Throughput:
    """Run ``work`` over ``texts`` repeatedly for at least ``min_seconds`` of this process's CPU time.

    CPU time, not wall time: the figure is pages per second of one core, whatever else the machine
    is doing while the benchmark runs.
    """
    pages, started = 0, time.process_time()
    while True:
        for text in texts:
            work(text)
        pages += len(texts)
        elapsed = time.process_time() - started
        if elapsed >= min_seconds:
            return Throughput(name, pages, elapsed)


def _baseline(text: str) -> object:
    """The least any extractor must do: normalise, split into lines, identify the language once."""
    lines = clean_lines(text)
    return detect_language(" ".join(lines)[:2000])


def bench_textdump(data_dir: Path | None, *, min_seconds: float = 3.0) -> tuple[Throughput, Throughput]:
    """(akhbar's text-dump extractor, baseline) over the same dumps, single core."""
    texts = textdump_corpus(data_dir)
    for text in texts:  # warm caches and the language model before timing
        extract_textdump(text)
    akhbar = measure("akhbar extract_textdump", lambda t: extract_textdump(t), texts, min_seconds)
    baseline = measure("baseline: clean + split + detect language", _baseline, texts, min_seconds)
    return akhbar, baseline
