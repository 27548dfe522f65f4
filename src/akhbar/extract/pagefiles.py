"""HTML pages on disk: a folder's ``.html`` and ``.html.gz`` pages read one at a time, and the
folder of demo pages shipped with akhbar."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path


def demo_directory() -> Path:
    return Path(str(files("akhbar").joinpath("demo")))


def html_pages(root: Path, limit: int | None = None) -> Iterator[bytes]:
    """The pages under ``root`` (the first ``limit``, ``.html`` then ``.html.gz``, each by path),
    decompressed; FileNotFoundError when there is none."""
    paths = sorted(root.glob("**/*.html")) + sorted(root.glob("**/*.html.gz"))
    if not paths:
        raise FileNotFoundError(f"no .html or .html.gz pages under {root}")
    for path in paths[:limit]:
        yield gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
