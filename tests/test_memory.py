"""Process memory: the malloc arena cap that keeps a threaded akhbar process's resident size
flat, freed heap pages handed back, and the benches' measure of a process tree."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from akhbar.bench.report import tree_memory_mb
from akhbar.memory import limit_malloc_arenas, release_free_memory, smaps_rollup


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


def test_the_kernels_totals_of_a_process_are_read_by_field() -> None:
    totals = smaps_rollup()
    assert totals["Rss"] >= totals["Pss"] > 0
    assert totals["Private_Dirty"] > 0
    assert smaps_rollup(2**22 + 1) == {}  # no such process (past the kernel's pid limit)
