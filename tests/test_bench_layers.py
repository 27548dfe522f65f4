"""Benchmarks and evaluations sit above services and jobs: only the CLI imports ``akhbar.bench``."""

from __future__ import annotations

import ast
from pathlib import Path

import akhbar

SRC = Path(akhbar.__file__).parent
ABOVE_BENCH = ("bench", "cli")


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute names, at any depth (deferred imports included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_only_the_cli_imports_the_bench_package() -> None:
    offenders = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).parts[0] not in ABOVE_BENCH
        for name in sorted(_imports(path))
        if name == "akhbar.bench" or name.startswith("akhbar.bench.")
    ]
    assert offenders == []


def test_the_old_homes_of_the_harnesses_are_gone() -> None:
    assert not list((SRC / "quality").glob("*.py"))  # a stale __pycache__ left by a checkout is fine
    assert not list((SRC / "services").glob("benchmarks*.py"))
    assert not (SRC / "web" / "benchserver.py").exists()
