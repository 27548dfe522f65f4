"""A database per backend shared by a test module's read-only search tests (filling one is not free)."""

from __future__ import annotations

import pytest

from akhbar.store import Store
from conftest import _postgres_url

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def open_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A new empty database on the backend named by ``request.param``."""
    if request.param == "sqlite":
        return Store(f"sqlite:///{tmp_path_factory.mktemp('search') / 'akhbar.db'}")
    return Store(_postgres_url(request))
