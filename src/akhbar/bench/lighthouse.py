"""Lighthouse 12 on the demo as a newcomer meets it (``akhbar bench web --lighthouse``).

The demo set is loaded the way ``make demo`` loads it (``akhbar demo --no-serve`` into a scratch
data directory), served by ``akhbar serve``, and Lighthouse scores the Arabic and French front
pages, the lead story's page and the article heading it, with its default phone emulation
(a throttled Moto G Power). The target is Performance >= 95 on each page; Accessibility, Best
Practices and SEO are printed beside it (``make test`` holds those at 100).

Lighthouse is an npm package: ``npm ci --prefix tests`` installs the pinned 12.2.3 (``make test``
does), or point ``AKHBAR_LIGHTHOUSE`` at its ``cli/index.js``. It drives Debian's chromium.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from akhbar.bench.ceiling import free_port
from akhbar.bench.report import Target
from akhbar.services import frontpage
from akhbar.store import Store

__all__ = [
    "CATEGORIES",
    "LighthouseReport",
    "bench_lighthouse",
    "chromium_path",
    "lighthouse_path",
    "run_lighthouse",
]

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PERFORMANCE_GOAL = 95.0
LIGHTHOUSE_VARIABLE = "AKHBAR_LIGHTHOUSE"
# the checkout's pinned copy (tests/package.json), when akhbar runs from its source tree
CHECKOUT_COPY = (
    Path(__file__).resolve().parents[3] / "tests" / "node_modules" / "lighthouse" / "cli" / "index.js"
)


def lighthouse_path() -> Path | None:
    """Lighthouse's ``cli/index.js``: ``$AKHBAR_LIGHTHOUSE``, else the checkout's pinned copy."""
    named = os.environ.get(LIGHTHOUSE_VARIABLE)
    for candidate in (Path(named) if named else None, CHECKOUT_COPY):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def chromium_path() -> str | None:
    """Debian's chromium (the browser Lighthouse drives)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def run_lighthouse(
    url: str, report: Path, categories: tuple[str, ...] = CATEGORIES, *, timeout: float = 240
) -> dict[str, Any]:
    """Score ``url`` (phone emulation) and return Lighthouse's JSON result, also written to ``report``.
    Raises RuntimeError with Lighthouse's own words when it cannot run or fails."""
    script, browser = lighthouse_path(), chromium_path()
    if script is None or shutil.which("node") is None:
        raise RuntimeError(
            f"Lighthouse is not installed (npm ci --prefix tests, or set {LIGHTHOUSE_VARIABLE})"
        )
    if browser is None:
        raise RuntimeError("chromium is not installed (scripts/system-deps installs Debian's)")
    command = [
        "node",
        str(script),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(categories)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    env = {**os.environ, "CHROME_PATH": browser}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}: {done.stderr[-2000:]}")
    found: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return found


@dataclass(frozen=True)
class PageScores:
    name: str
    path: str
    scores: dict[str, float]  # category -> 0..100
    largest_contentful_paint_ms: float
    failing: tuple[str, ...] = ()  # weighed audits below full marks outside performance

    def target(self) -> Target:
        return Target(f"Lighthouse performance, {self.name}", self.scores["performance"], PERFORMANCE_GOAL)


@dataclass(frozen=True)
class LighthouseReport:
    pages: tuple[PageScores, ...]
    problem: str = ""  # why Lighthouse did not run

    def targets(self) -> list[Target]:
        if self.problem:
            return [Target("Lighthouse performance (not run)", float("nan"), PERFORMANCE_GOAL)]
        return [page.target() for page in self.pages]

    def lines(self) -> list[str]:
        if self.problem:
            return [f"Lighthouse not run: {self.problem}"]
        found = ["Lighthouse 12 on the demo (phone emulation, throttled)"]
        for page in self.pages:
            scores = "  ".join(f"{key} {value:3.0f}" for key, value in page.scores.items())
            found.append(
                f"  {page.name:12} {page.path:28} {scores}  LCP {page.largest_contentful_paint_ms:5.0f} ms"
            )
        return found


def demo_pages(store: Store) -> dict[str, str]:
    """The pages scored: both front pages, the lead story and its Arabic headline's article."""
    lead = frontpage.home(store).lead
    pages = {"home ar": "/ar/", "home fr": "/fr/"}
    if lead is not None:
        if len(lead.articles) > 1:
            pages["story ar"] = f"/ar/stories/{lead.key}"
        pages["article ar"] = f"/ar/articles/{lead.headline('ar').id}"
    return pages


def _load_demo(work: Path, url: str) -> None:
    command = [sys.executable, "-m", "akhbar", "--data-dir", str(work), "--database-url", url]
    done = subprocess.run([*command, "demo", "--no-serve"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"akhbar demo failed: {done.stderr[-2000:]}")


def _scores(name: str, path: str, result: dict[str, Any]) -> PageScores:
    scores = {key: round(100 * (category["score"] or 0)) for key, category in result["categories"].items()}
    audits = result["audits"]
    paint = audits.get("largest-contentful-paint", {}).get("numericValue") or float("nan")
    failing = tuple(
        f"{ref['id']}: {audits[ref['id']].get('title')}"
        for key, category in result["categories"].items()
        if key != "performance"
        for ref in category["auditRefs"]
        if ref["weight"] > 0 and _below_full_marks(audits[ref["id"]].get("score"))
    )
    return PageScores(name, path, {k: float(v) for k, v in scores.items()}, float(paint), failing)


def _below_full_marks(score: float | None) -> bool:
    return score is not None and score < 1  # None: not applicable on this page


def bench_lighthouse(
    start_server: Callable[[Path, str, int], subprocess.Popen[bytes]],
    progress: Callable[[str], None] = lambda _: None,
    reports: Path | None = None,
) -> LighthouseReport:
    """Load the demo into a scratch directory, serve it with ``start_server`` and score its pages;
    Lighthouse's JSON reports are kept in ``reports`` when given."""
    if lighthouse_path() is None or chromium_path() is None or shutil.which("node") is None:
        return LighthouseReport((), "Lighthouse, node or chromium missing (npm ci --prefix tests)")
    with tempfile.TemporaryDirectory(prefix="akhbar-lighthouse-") as scratch:
        work = Path(scratch)
        url = f"sqlite:///{work / 'akhbar.db'}"
        progress("loading the demo for Lighthouse")
        _load_demo(work, url)
        store = Store(url)
        try:
            pages = demo_pages(store)
        finally:
            store.close()
        port = free_port()
        server = start_server(work, url, port)
        found = []
        try:
            for name, path in pages.items():
                progress(f"Lighthouse: {name}")
                report = (reports or work) / f"lighthouse-demo-{name.replace(' ', '-')}.json"
                result = run_lighthouse(f"http://127.0.0.1:{port}{path}", report)
                found.append(_scores(name, path, result))
        finally:
            server.terminate()
            server.wait(timeout=30)
    return LighthouseReport(tuple(found))
