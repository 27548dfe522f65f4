"""The bundled demo set: the specimen page plus a few real pages, with their licence files."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from akhbar.services.ingest import IngestResult, ingest_paths
from akhbar.services.stories import Grouping
from akhbar.store import Store


def demo_directory() -> Path:
    return Path(str(files("akhbar").joinpath("demo")))


def load_demo(store: Store, grouping: Grouping) -> list[IngestResult]:
    """Ingest the demo set (idempotent: a second load changes nothing)."""
    return list(ingest_paths(store, [str(demo_directory())], grouping=grouping))
