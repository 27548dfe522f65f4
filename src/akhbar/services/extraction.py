"""Extraction without storage: what ``akhbar extract`` and the benchmarks run."""

from __future__ import annotations

from pathlib import Path

from akhbar import extract as extraction
from akhbar.config import Settings
from akhbar.fetch import Fetcher, FetchPolicy
from akhbar.models import Article, Document, Rejected
from akhbar.sources.files import read_document


def extract_file(
    path: Path, *, max_bytes: int = extraction.DEFAULT_MAX_BYTES, url: str | None = None
) -> Article | Rejected:
    """Read and extract one file, at ``url`` when given (else at the address the page declares).
    Raises InputError when it cannot be read as a page or ``url`` is not an http(s) address."""
    document = read_document(path, max_bytes=max_bytes, url=url)
    extraction.readable(document, max_bytes=max_bytes)
    return extraction.extract(document, max_bytes=max_bytes)


async def extract_url(settings: Settings, url: str) -> Article | Rejected:
    """Fetch one URL under the fetcher's rules (no database: no shared host gate) and extract it."""
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        result = await fetcher.fetch(url)
    document = Document(result.url, result.data, result.content_type, result.url, headers=result.headers)
    extraction.readable(document, max_bytes=settings.fetch_max_bytes)
    return extraction.extract(document, max_bytes=settings.fetch_max_bytes)
