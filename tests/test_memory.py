"""The malloc arena cap that keeps a threaded akhbar process's resident size flat."""

from __future__ import annotations

import pytest

from akhbar.memory import limit_malloc_arenas


def test_arenas_are_capped_on_glibc_unless_the_operator_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas() is True  # Debian's glibc has mallopt
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False, "the operator's MALLOC_ARENA_MAX wins"
