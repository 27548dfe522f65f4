"""Process memory: the malloc arena cap that keeps a threaded akhbar process's resident size
flat, freed heap pages handed back, and the benches' measure of a process tree."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from akhbar.bench.report import process_cpu_seconds, tree_cpu_seconds, tree_memory_mb
from akhbar.memory import fix_mmap_threshold, limit_malloc_arenas, release_free_memory, smaps_rollup


def test_arenas_are_capped_on_glibc_unless_the_operator_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas() is True  # Debian's glibc has mallopt
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False, "the operator's MALLOC_ARENA_MAX wins"


def test_freed_heap_pages_go_back_to_the_system() -> None:
    held = [bytes(200) + bytes([index % 256]) for index in range(200_000)]  # small blocks on the heap
    del held[::2]
    assert release_free_memory() is True  # Debian's glibc has malloc_trim


def _resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def test_the_tree_counts_pages_a_child_shares_with_its_parent_once() -> None:
    """A forked child shares its parent's pages: the tree's memory counts them once (proportional
    set sizes), where adding resident sizes would count them twice."""
    block = bytearray(b"x" * (120 * 2**20))
    child = os.fork()
    if child == 0:  # pragma: no cover - the child only waits to be measured
        time.sleep(30)
        os._exit(0)
    try:
        time.sleep(0.5)
        both_resident = _resident_mb(os.getpid()) + _resident_mb(child)
        assert tree_memory_mb() < both_resident - 100
        assert tree_memory_mb() > len(block) / 2**20
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


_SPENDS_THROUGH_A_CHILD = """
import os, sys, time
child = os.fork()
if child == 0:
    ended = time.process_time() + 0.4
    while time.process_time() < ended:  # CPU spent in a child that then ends
        pass
    os._exit(0)
os.waitpid(child, 0)
print("waited", flush=True)
time.sleep(30)
"""


def test_the_trees_cpu_keeps_what_its_ended_children_spent() -> None:
    """An extraction worker replaced during a measurement ends and is waited for by its fork server:
    the tree's CPU still holds what it spent."""
    with subprocess.Popen(
        [sys.executable, "-c", _SPENDS_THROUGH_A_CHILD], stdout=subprocess.PIPE, text=True
    ) as parent:
        try:
            assert parent.stdout is not None and parent.stdout.readline().strip() == "waited"
            own = process_cpu_seconds(parent.pid)
            assert tree_cpu_seconds(parent.pid) >= own + 0.35, "the ended child's 0.4 s counted"
            assert process_cpu_seconds(parent.pid, waited=True) == tree_cpu_seconds(parent.pid)
        finally:
            parent.kill()


def test_the_kernels_totals_of_a_process_are_read_by_field() -> None:
    totals = smaps_rollup()
    assert totals["Rss"] >= totals["Pss"] > 0
    assert totals["Private_Dirty"] > 0
    assert smaps_rollup(2**22 + 1) == {}  # no such process (past the kernel's pid limit)


_FRAGMENTS = """
import gc, sys
from akhbar.memory import fix_mmap_threshold, smaps_rollup
def own_mb():
    totals = smaps_rollup()
    return (totals["Private_Dirty"] + totals["Private_Clean"]) / 1024
if sys.argv[1] == "fixed":
    assert fix_mmap_threshold()
block = bytearray(8 << 20)  # freeing a block this large raises glibc's threshold to its size
del block
before = own_mb()
pages, kept = [], []
for _ in range(60):
    pages.append(bytearray(1 << 20))  # a page's bytes, then something small that stays
    kept.append(bytes(2000))
del pages
gc.collect()
print(own_mb() - before)
"""


@pytest.mark.parametrize("threshold", ["fixed", "glibc's"])
def test_large_blocks_go_back_to_the_system_once_the_threshold_is_fixed(threshold: str) -> None:
    """60 freed blocks of 1 MB, each followed by a small block that stays: with glibc's moving
    threshold they were carved from the heap and its pages stay with the process; with the
    threshold fixed each had a mapping of its own, gone when freed."""
    run = subprocess.run(
        [sys.executable, "-c", _FRAGMENTS, threshold], capture_output=True, text=True, timeout=60, check=True
    )
    kept_mb = float(run.stdout)
    if threshold == "fixed":
        assert kept_mb < 10
    else:
        assert kept_mb > 40, "glibc keeps them (what the fixed threshold is for)"


def test_the_operators_threshold_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "262144")
    assert fix_mmap_threshold() is False


_COMPRESSING = """
import random, resource, sys, threading
from akhbar.memory import fix_mmap_threshold, keep_web_buffers
from akhbar.web.compression import compress
assert fix_mmap_threshold()  # as every akhbar command starts
if sys.argv[1] == "serving":
    assert keep_web_buffers()
random.seed(1)
words = [bytes(random.choices(b"abcdefghij klmnop", k=7)) for _ in range(500)]
pages = [b"<p>" + b" ".join(random.choices(words, k=1500)) + b"</p>" for _ in range(40)]
faults = []
def run():
    for page in pages[:5]:
        compress(page, "br", cached=True)
    before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    for page in pages[5:]:
        compress(page, "br", cached=True)
    faults.append((resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before) / 35)
thread = threading.Thread(target=run)  # as kept answers are compressed, on a thread of their own
thread.start()
thread.join()
print(faults[0])
"""


@pytest.mark.parametrize("role", ["serving", "other"])
def test_a_serving_process_compresses_pages_without_mapping_memory_afresh(role: str) -> None:
    """brotli's tables for each page: with the command line's fixed threshold they are mapped and
    faulted in for every page (about 80 faults for pages of 12 KB, with the window fitted to the
    page; about 690 with brotli's default window); a serving process keeps them in its heap
    (keep_web_buffers)."""
    run = subprocess.run(
        [sys.executable, "-c", _COMPRESSING, role], capture_output=True, text=True, timeout=60, check=True
    )
    faults = float(run.stdout)
    if role == "serving":
        assert faults < 20, faults
    else:
        assert faults > 50, f"{faults}: what keep_web_buffers is for"
