"""``akhbar bench ingest`` runs end to end on a handful of pages (a smoke test; the figures are the command's)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from akhbar.bench.ingest import bench_ingest
from akhbar.bench.ingestsite import Pages, serving
from akhbar.bench.report import SAMPLE_EVERY, PeakTreeMemory, process_role, processes_naming, tree_memory_mb
from akhbar.services.stories import Grouping
from conftest import DATA


@pytest.mark.slow
@pytest.mark.parametrize(("extract_processes", "runs"), [(0, 2), (2, 1)])
def test_bench_ingest_runs_and_stores_every_page(extract_processes: int, runs: int) -> None:
    result = bench_ingest(
        DATA / "pages-fundus",
        Grouping(),
        pages=3,
        sources=1,
        concurrency=2,
        extract_processes=extract_processes,
        start_up_pages=1,
        runs=runs,
    )
    assert len(result.runs) == runs  # each run's own ratios; the figures are their medians
    ratios = sorted(run.ratio for run in result.runs)
    assert ratios[0] <= result.ratio <= ratios[-1]
    # the model runs in this process here, where its CPU is not told apart: no CPU ratio, as for all runs
    assert all(math.isnan(run.cpu_ratio) == math.isnan(result.cpu.ratio) for run in result.runs)
    assert result.extract_processes == extract_processes
    assert min(result.cores()) > 0 and min(result.load) >= 0
    assert (result.stored, result.errors) == (3, 0)
    assert result.end_to_end.per_second > 0 and result.baseline.per_second > 0 and result.peak_memory_mb > 0
    assert result.extract_only.pages == 3 and result.ingest_only.pages == 3
    assert result.baseline.pages == 6 and "before and after" in result.baseline.name  # timed twice
    assert result.without_grouping.pages == 3 and result.without_grouping.per_second > 0
    assert result.cpu.akhbar_ms > 0 and result.cpu.trafilatura_ms > 0 and result.cpu.bench_ms > 0
    assert result.cpu.off_ms > 0
    assert result.warm_pages == 3  # the fetching path warmed on the first feed (here all pages), untimed
    assert result.blas.startswith("openblas ")  # what the model's products ran on, in this process here
    assert all(0 < seconds < 300 for seconds in result.start_up)  # akhbar ingest, service running / cold
    assert "start-up" in {target.name.split(":")[0] for target in result.targets()}
    deadline = time.monotonic() + 20  # the service started for the cold start-up is ended
    while time.monotonic() < deadline and processes_naming("akhbar-bench-start-"):
        time.sleep(0.2)
    assert not processes_naming("akhbar-bench-start-")


def test_memory_sampler_sees_a_child_started_late_and_counts_its_own_cpu() -> None:
    """The sampler reads the process tree only every few samples: a child started meanwhile still
    counts once the tree is read again, and the CPU the sampler spends is told apart."""
    memory = PeakTreeMemory()
    before = tree_memory_mb()
    script = "import time; block = b'x' * (100 * 2**20); time.sleep(3)"
    with memory.watching():
        time.sleep(SAMPLE_EVERY)
        child = subprocess.Popen([sys.executable, "-c", script])
        time.sleep(SAMPLE_EVERY * (PeakTreeMemory.TREE_EVERY + 5))
        child.wait(timeout=30)
    assert memory.peak_mb > before + 90
    assert memory.cpu_seconds() > 0


@pytest.mark.slow
def test_memory_sampler_says_what_each_process_held_at_the_peak() -> None:
    memory = PeakTreeMemory()
    script = "import time; block = b'x' * (100 * 2**20); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        with memory.watching():  # the tree is read as it starts, and at its end
            time.sleep(1)
    finally:
        child.kill()
        child.wait(timeout=30)
    roles = {role: (count, mb) for role, count, mb in memory.parts_by_role()}
    assert roles["this process"][0] == 1, roles  # (other tests may have left children of their own)
    count, held = roles[Path(sys.executable).name]
    assert count >= 1 and held > 90, "the child's block, at the peak"
    assert abs(sum(mb for _, mb in memory.peak_parts) - memory.peak_mb) < 0.01


def test_a_process_is_named_by_its_role_in_an_akhbar_tree() -> None:
    assert process_role(os.getpid(), "extraction fork server") == "extraction worker"
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)", "akhbar.stories.service"])
    try:
        cmdline = Path(f"/proc/{child.pid}/cmdline")
        deadline = time.monotonic() + 10
        while not cmdline.read_bytes() and time.monotonic() < deadline:  # empty while exec runs
            time.sleep(0.01)
        assert process_role(child.pid) == "embedding service"
    finally:
        child.kill()
        child.wait()
    assert process_role(child.pid) == "ended process"


def test_bench_site_counts_the_cpu_it_spendsserving() -> None:
    pages = Pages([b"<html><body><p>" + b"word " * 10_000 + b"</p></body></html>"])
    with serving(pages, 1, 1) as site:
        assert site.cpu_seconds == 0
        for _ in range(20):
            with urllib.request.urlopen(f"http://127.0.0.1:{site.server_port}/p/0") as response:
                assert response.read().startswith(b"<html>")
        assert site.cpu_seconds > 0
