"""Imports point down: the text layer imports nothing of akhbar's, and stages never import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "akhbar"
STAGES = ("fetch", "sources", "extract", "dedupe", "stories", "search")


def _akhbar_imports(package: str) -> set[tuple[str, str]]:
    """(file, imported akhbar package) for every import in ``package``."""
    found = set()
    for path in (SRC / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                if parts[0] == "akhbar" and len(parts) > 1:
                    found.add((str(path.relative_to(SRC)), parts[1]))
    return found


def test_text_layer_imports_nothing_of_akhbar() -> None:
    assert {(file, package) for file, package in _akhbar_imports("text") if package != "text"} == set()


@pytest.mark.parametrize("stage", STAGES)
def test_stages_never_import_each_other(stage: str) -> None:
    others = set(STAGES) - {stage}
    assert {(file, package) for file, package in _akhbar_imports(stage) if package in others} == set()
