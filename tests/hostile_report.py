"""A pytest plugin that prints the hostile-input suite's table: what each case expected, what came of
it, and whether it held; then the suite's checks over everything stored, and the counts.

``make hostile`` runs ``pytest tests/test_hostile.py -p hostile_report`` (tests/ on PYTHONPATH).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

RESULTS = {"passed": "held", "failed": "FAILED", "skipped": "skipped"}


@dataclass
class Row:
    name: str
    via: str = ""
    expected: str = ""
    outcome: str = ""
    result: str = ""


_rows: dict[str, Row] = {}


def _result(report: pytest.TestReport) -> str:
    known = hasattr(report, "wasxfail")
    if known and report.skipped:
        return "known bug"
    if known and report.passed:
        return "held (known bug hidden)"
    if report.when != "call" and report.failed:
        return "ERROR"
    return RESULTS.get(report.outcome, report.outcome)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "test_hostile.py::" not in report.nodeid:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        name = report.nodeid.split("::", 1)[1].removeprefix("test_case[").removesuffix("]")
        properties: dict[str, Any] = dict(report.user_properties)
        _rows[name] = Row(
            name,
            str(properties.get("via", "")),
            str(properties.get("expected", "")),
            str(properties.get("outcome", "")),
            _result(report),
        )


def _line(row: Row, width: int) -> str:
    outcome = row.outcome if len(row.outcome) <= 70 else row.outcome[:69] + "…"
    return f"{row.name:<{width}}  {row.via:<8} {row.expected:<22} {row.result:<24} {outcome}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _rows:
        return
    cases = [r for r in _rows.values() if r.via]
    checks = [r for r in _rows.values() if not r.via]
    width = max(len(r.name) for r in _rows.values())
    write = terminalreporter.write_line
    terminalreporter.section("hostile-input suite")
    write(f"{'case':<{width}}  {'via':<8} {'expected':<22} {'result':<24} outcome")
    for row in cases:
        write(_line(row, width))
    write("")
    write(f"{'check over everything stored':<{width}}  {'':<8} {'':<22} {'result':<24} detail")
    for row in checks:
        write(_line(row, width))
    held = sum(r.result.startswith("held") for r in cases)
    known = sum(r.result == "known bug" for r in cases)
    failed = len(cases) - held - known
    failed_checks = sum(not r.result.startswith("held") for r in checks)
    write("")
    write(
        f"cases tried: {len(cases)}, held: {held}, failed: {failed}, known bugs: {known}; "
        f"checks: {len(checks)}, failed: {failed_checks}"
    )
