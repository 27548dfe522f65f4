"""Imports point down the layers (DESIGN.md, "Package layout"); a new upward import fails here.

base (text, models, errors, config, memory, zstd) < stages (fetch, sources, extract, dedupe, stories, images,
search) and store < services < jobs < web < bench < cli. Stages never import each other: what
two stages share lives in the base text layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "akhbar"

BASE = frozenset({"text", "models", "errors", "config", "memory", "zstd"})
STAGES = frozenset({"fetch", "sources", "extract", "dedupe", "stories", "search", "images"})
ABOVE = ("services", "jobs", "web", "bench", "cli")  # each may import those before it, never after

# The only crossing allowed between a stage and the store, with its reason.
EXCEPTIONS = {
    ("search", "store.tables"): "the search index is rows of the store's own tables",
}


def allowed(package: str) -> frozenset[str]:
    """The top-level packages of akhbar that ``package`` may import."""
    if package == "text":  # the text layer is plain functions on strings: it imports nothing of akhbar's
        return frozenset({"text"})
    if package in BASE:
        return BASE
    if package in STAGES:
        return BASE | {package}
    if package == "store":
        return BASE | {"store"}
    if package in ABOVE:
        below = ABOVE[: ABOVE.index(package) + 1]
        return BASE | STAGES | {"store", *below}
    if package == "__main__":
        return frozenset({"cli"})
    raise ValueError(f"akhbar.{package} is in no layer: add it to tests/test_architecture.py")


def problem(package: str, imported: str) -> str | None:
    """Why ``akhbar.<package>`` may not import ``akhbar.<imported>``, or None when it may."""
    target = imported.split(".")[0]
    if target in allowed(package):
        return None
    for (source, prefix), _reason in EXCEPTIONS.items():
        if package == source and (imported == prefix or imported.startswith(prefix + ".")):
            return None
    return f"akhbar.{package} may not import akhbar.{imported}"


def imports_of(path: Path) -> list[str]:
    """Every ``akhbar.*`` module a file imports, at the top or inside functions, without the prefix."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [name.removeprefix("akhbar.") for name in names if name.startswith("akhbar.")]
    return found


def package_of(path: Path) -> str:
    relative = path.relative_to(SRC)
    return relative.parts[0].removesuffix(".py")


def violations() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.parent == SRC and path.name == "__init__.py":
            continue
        package = package_of(path)
        for imported in imports_of(path):
            why = problem(package, imported)
            if why is not None:
                found.append(f"{path.relative_to(SRC.parent)}: {why}")
    return sorted(set(found))


def test_imports_point_down_the_layers() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("package", "imported"),
    [
        ("extract", "services.ingest"),  # a stage calling a use case
        ("extract", "dedupe.signatures"),  # one stage reaching into another
        ("fetch", "web.app"),
        ("stories", "bench.stories"),
        ("services", "jobs.tasks"),
        ("services", "bench"),
        ("jobs", "web"),
        ("web", "cli.app"),
        ("store", "extract.sections"),  # a migration importing live code
        ("text", "search.analysis"),
        ("text", "models"),
    ],
)
def test_an_upward_or_sideways_import_is_refused(package: str, imported: str) -> None:
    assert problem(package, imported) is not None


@pytest.mark.parametrize(
    ("package", "imported"),
    [
        ("extract", "text.urls"),
        ("search", "store.tables"),
        ("services", "stories.embedding"),
        ("jobs", "services.ingest"),
        ("bench", "jobs.inline"),
        ("cli", "bench"),
    ],
)
def test_a_downward_import_is_allowed(package: str, imported: str) -> None:
    assert problem(package, imported) is None


def test_every_package_is_in_a_layer() -> None:
    packages = {package_of(p) for p in SRC.rglob("*.py") if p.parent != SRC or p.name != "__init__.py"}
    for package in packages:
        allowed(package)  # raises for a package in no layer
