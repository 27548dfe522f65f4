"""WARC (and ARC) archives: every successful HTML response record as a raw :class:`Document`.

Read with warcio, streaming, so archives larger than memory are fine; records that are not
HTTP 200 HTML responses are skipped and counted. A record cut short (its body shorter than its
declared length) is not ingested, and the iteration ends with an :class:`InputError` naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from akhbar.errors import InputError
from akhbar.models import Document, as_utc

__all__ = ["WarcRecord", "is_archive", "read_warc"]

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
TRUNCATED = "truncated"


@dataclass(frozen=True)
class WarcRecord:
    """One record: a document to ingest, or ``skipped`` with the reason."""

    position: int
    document: Document | None
    skipped: str | None = None


def is_archive(path: str) -> bool:
    return path.lower().endswith(ARCHIVE_SUFFIXES)


def _date(value: str | None) -> datetime:
    if value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            return as_utc(parsed)
    return datetime.now(UTC)


def _record(record: object, path: Path, position: int, max_bytes: int) -> WarcRecord:
    rec_headers = record.rec_headers  # type: ignore[attr-defined]  # warcio is untyped
    http = record.http_headers  # type: ignore[attr-defined]
    url = rec_headers.get_header("WARC-Target-URI")
    if http is None or not url:
        return WarcRecord(position, None, "no HTTP response")
    status = http.get_statuscode()
    content_type = http.get_header("Content-Type")
    if status != "200":
        return WarcRecord(position, None, f"HTTP {status}")
    if content_type and not content_type.lower().startswith(_PAGE_TYPES):
        return WarcRecord(position, None, f"not a page: {content_type}")
    data = record.content_stream().read(max_bytes + 1)  # type: ignore[attr-defined]
    if len(data) > max_bytes:
        return WarcRecord(position, None, f"too large (limit {max_bytes} bytes)")
    missing = getattr(record.raw_stream, "limit", 0)  # type: ignore[attr-defined]  # what the declared length still expects
    if missing:
        return WarcRecord(position, None, f"{TRUNCATED}: {missing} bytes missing")
    location = f"{path.resolve()}#{rec_headers.get_header('WARC-Record-ID') or position}"
    document = Document(
        location=location,
        data=data,
        content_type=content_type,
        url=url,
        fetched_at=_date(rec_headers.get_header("WARC-Date")),
        headers=tuple((str(k), str(v)) for k, v in http.headers),
    )
    return WarcRecord(position, document)


def read_warc(
    path: Path, *, max_bytes: int, on_progress: Callable[[int], None] | None = None
) -> Iterator[WarcRecord]:
    """Every response record of the archive at ``path``, in order; ``on_progress`` gets bytes read."""
    try:
        with path.open("rb") as stream:
            iterator = ArchiveIterator(stream, arc2warc=True)
            for position, record in enumerate(iterator):
                if record.rec_type == "response":
                    found = _record(record, path, position, max_bytes)
                    yield found
                    if found.skipped and found.skipped.startswith(TRUNCATED):
                        raise InputError(f"warc: {path}: truncated in record {position} ({found.skipped})")
                if on_progress is not None:
                    on_progress(stream.tell())
    except OSError as exc:
        raise InputError(f"warc: {path}: cannot read: {exc.strerror or exc}") from exc
    except ArchiveLoadFailed as exc:
        raise InputError(f"warc: {path}: not a WARC or ARC archive, or damaged: {exc}") from exc
