"""Local inputs: files and directories of saved pages and text dumps, read as raw documents."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from akhbar.errors import InputError
from akhbar.models import Document
from akhbar.text.urls import split_url

# Suffixes picked up when walking a directory; a file named explicitly is always tried.
PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".txt", ".html.gz", ".htm.gz", ".txt.gz")


@dataclass(frozen=True)
class Unreadable:
    """A path that could not be read, with the reason."""

    location: str
    reason: str


def _walk(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.name.lower().endswith(PAGE_SUFFIXES):
            yield path


def left_out(paths: list[str]) -> Iterator[Path]:
    """The files inside these directories that :func:`expand` leaves out: not pages by their suffix
    (hidden files and folders aside), so a caller can say what it skipped."""
    for name in paths:
        root = Path(name)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if any(part.startswith(".") for part in relative.parts):
                continue
            if path.is_file() and not path.name.lower().endswith(PAGE_SUFFIXES):
                yield path


def expand(paths: list[str]) -> Iterator[Path | Unreadable]:
    """Every file to ingest, in order: named files as given, directories walked recursively."""
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield path
        else:
            yield Unreadable(name, "no such file or directory")


def page_address(url: str) -> str:
    """``url`` stripped, if it is an absolute http(s) address; raises InputError otherwise."""
    parts = split_url(url.strip())
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(f"not an absolute http(s) URL: {url!r}")
    return url.strip()


def read_document(path: Path, *, max_bytes: int, url: str | None = None) -> Document:
    """The file's bytes as a raw document; raises InputError when it cannot be read.

    ``url`` is the page's public address when the caller knows it (a file has none of its own);
    InputError when it is not an absolute http(s) address.
    """
    if url is not None:
        url = page_address(url)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"too large: {size} bytes (limit {max_bytes})")
        data = path.read_bytes()
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from exc
    return Document(location=str(path.resolve()), data=data, url=url, fetched_at=mtime)
