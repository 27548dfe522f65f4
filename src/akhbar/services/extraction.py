"""Extraction without storage: what ``akhbar extract`` and the benchmarks run."""

from __future__ import annotations

from pathlib import Path

from akhbar import extract as extraction
from akhbar.models import Article, Rejected
from akhbar.sources.files import read_document


def extract_file(path: Path, *, max_bytes: int = extraction.DEFAULT_MAX_BYTES) -> Article | Rejected:
    """Read and extract one file. Raises InputError when it cannot be read as a page."""
    document = read_document(path, max_bytes=max_bytes)
    extraction.readable(document, max_bytes=max_bytes)
    return extraction.extract(document, max_bytes=max_bytes)
