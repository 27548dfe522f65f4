"""Every package akhbar's code imports is declared in pyproject.toml, not only pulled in by another."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "akhbar"


def _imported_modules() -> set[str]:
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"akhbar", "__future__"}


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    optional = [line for extra in project.get("optional-dependencies", {}).values() for line in extra]
    return {
        Requirement(line).name.lower().replace("_", "-") for line in [*project["dependencies"], *optional]
    }


def test_every_imported_package_is_declared() -> None:
    owners = packages_distributions()
    missing = {}
    for module in sorted(_imported_modules()):
        distributions = {d.lower().replace("_", "-") for d in owners.get(module, [])}
        if not distributions:
            pytest.fail(f"akhbar imports {module}, which no installed distribution provides")
        if not distributions & _declared():
            missing[module] = sorted(distributions)
    assert missing == {}, "imported but not declared in pyproject.toml"
