"""``akhbar bench extract``: text-dump extraction speed beside a baseline, same dumps, same process."""

from __future__ import annotations

import gzip
from pathlib import Path

from akhbar.bench.throughput import Throughput, measure
from akhbar.extract.language import detect_language
from akhbar.extract.pagetext import page_text
from akhbar.extract.text import clean_lines
from akhbar.extract.textdump import extract_textdump
from akhbar.services.demo import demo_directory


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
