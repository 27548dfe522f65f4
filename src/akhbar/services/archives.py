"""Ingesting web archives: every HTML response record of a WARC/ARC through the usual ingest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from akhbar import extract as extraction
from akhbar.errors import InputError
from akhbar.services.extractors import Extractor, in_thread
from akhbar.services.ingest import IngestResult, Staged, ahead, finished, stage
from akhbar.services.stories import Grouping
from akhbar.sources.warc import WarcRecord, is_archive, read_warc
from akhbar.store import Store

__all__ = ["ingest_archive", "is_archive"]


def ingest_archive(
    store: Store,
    path: Path,
    *,
    grouping: Grouping,
    max_bytes: int = extraction.DEFAULT_MAX_BYTES,
    progress: Callable[[int], None] | None = None,
    extractor: Extractor = in_thread,
) -> Iterator[IngestResult]:
    """Ingest each response record, in order; skipped records are reported as ``unchanged`` with
    the reason. An archive that breaks part-way ends with an ``error`` after what it held before.

    ``progress`` receives the archive's bytes read so far (for a progress bar).
    """

    def read(record: WarcRecord) -> Staged | IngestResult:
        if record.document is None:
            return IngestResult(f"{path}#{record.position}", "unchanged", reason=f"skipped: {record.skipped}")
        return stage(store, record.document, grouping=grouping, max_bytes=max_bytes, extractor=extractor)

    try:  # records are read here, in order; the next ones are staged ahead in threads
        yield from finished(
            store, ahead(store, read_warc(path, max_bytes=max_bytes, on_progress=progress), read), grouping
        )
    except InputError as exc:
        yield IngestResult(str(path), "error", reason=str(exc))
