"""Tests that read ../shared skip where it is missing, and fail under CI (``CI`` set) instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import needs_shared, pytest_runtest_setup, unavailable


class _Item:
    """Just what the hook reads of a test item: its marks."""

    def __init__(self, *marks: pytest.MarkDecorator) -> None:
        self.marks = [mark.mark for mark in marks]

    def iter_markers(self, name: str) -> Iterator[pytest.Mark]:
        return (mark for mark in self.marks if mark.name == name)


def test_unavailable_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no pages"):
        unavailable("no pages")


def test_unavailable_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no pages"):
        unavailable("no pages")


def test_a_test_needing_a_missing_path_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CI", "true")
    item = _Item(needs_shared(tmp_path, tmp_path / "data" / "parallel-news"))
    with pytest.raises(pytest.fail.Exception, match="parallel-news"):
        pytest_runtest_setup(item)  # type: ignore[arg-type]  # a stand-in with the marks only


def test_a_test_whose_paths_exist_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CI", "true")
    pytest_runtest_setup(_Item(needs_shared(tmp_path), pytest.mark.slow))  # type: ignore[arg-type]  # marks only
