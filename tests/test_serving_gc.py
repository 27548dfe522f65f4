"""A serving process moves what start-up built out of the garbage collector's sight (gc.freeze)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from akhbar.store import Store
from akhbar.web import serving


def test_a_serving_process_settles_once_its_app_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'akhbar.db'}"
    Store(url).close()
    monkeypatch.setenv("AKHBAR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AKHBAR_DATABASE_URL", url)
    gc.unfreeze()
    thresholds = gc.get_threshold()
    try:
        app = serving.app_from_environment()
        frozen = gc.get_freeze_count()
        assert frozen > 10_000, "the modules and the app built are frozen"
        assert isinstance(app, serving.FrontCache)
        assert gc.get_threshold() == serving.COLLECT_AFTER, "collections made rare"
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
