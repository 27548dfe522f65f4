"""Process memory: fewer glibc malloc arenas for a threaded process, large blocks and freed heap
pages handed back, and what the kernel counts of a process's memory.

glibc gives each thread that allocates its own arena (up to eight per core), and each keeps the
memory it once used. akhbar runs extraction and storage in worker threads, so a long-running
``serve`` or ``worker`` would hold several such arenas; two are enough for its few threads and
keep the resident size flat (about 60 MB less at 1,000 sources in ``akhbar bench ingest``). The
same as starting the process with ``MALLOC_ARENA_MAX=2``, which still wins when set. The embedding
service, a thread per client, caps its arenas too (about 40 MB less).

glibc also serves a large block (a fetched page, its decoded text, a parsed tree) from its own
mapping, handed back when freed, only until the first such block is freed: from then on it raises
that threshold to the freed block's size, and blocks up to 32 MB come from the arenas, where small
blocks that stay alive between them keep their pages from going back. An ingesting process then
grows by about 30 MB a run of 200 pages while malloc counts the same 40 MB in use (``akhbar bench
ingest``'s process after three runs: 219 MB, and 120 MB with the threshold fixed).
:func:`fix_mmap_threshold` keeps it at 128 kB, like ``MALLOC_MMAP_THRESHOLD_=131072``, which still
wins when set. The command line sets it for its own process. Extraction workers and the embedding
service keep glibc's moving threshold: they make and drop large blocks for every page or batch,
and fresh mappings cost them page faults on each (4% more CPU a page in a worker, for 12 MB less
of its own; a third more for the model); a worker is replaced when its own memory grows too much.

A process that serves pages sets other thresholds (:func:`keep_web_buffers`): brotli compresses
each new page with about 3 MB of tables, and with the threshold fixed at 128 kB each compression
mapped them afresh and faulted them in: 697 page faults and 1.92 ms for an 11 kB article page,
against none and 0.58 ms with glibc's own threshold (``/work/bench/brfault.py``, one thread).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)
M_ARENA_MAX = -8  # mallopt parameter numbers in glibc's malloc.h
M_MMAP_THRESHOLD = -3
M_TRIM_THRESHOLD = -1
ARENAS = 2
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value
WEB_MMAP_THRESHOLD = 8 * 1024 * 1024  # a serving process: blocks below this come from the heap
WEB_TRIM_THRESHOLD = 32 * 1024 * 1024  # and this much freed at the heap's top stays with it


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas for the threads started from now on; False where it does not apply."""
    return _mallopt(M_ARENA_MAX, arenas, "MALLOC_ARENA_MAX")


def fix_mmap_threshold(size: int = MMAP_THRESHOLD) -> bool:
    """Serve blocks of ``size`` bytes and more from mappings of their own from now on, whatever is
    freed later (see the module doc); False where it does not apply."""
    return _mallopt(M_MMAP_THRESHOLD, size, "MALLOC_MMAP_THRESHOLD_")


def keep_web_buffers() -> bool:
    """For a process that serves pages: blocks under :data:`WEB_MMAP_THRESHOLD` from the heap, and
    up to :data:`WEB_TRIM_THRESHOLD` freed at its top kept, so that the compression of one page
    reuses the memory of the one before (see the module doc); False where it does not apply. Large
    fetched pages (the embedded runner's) still get mappings of their own."""
    mapped = _mallopt(M_MMAP_THRESHOLD, WEB_MMAP_THRESHOLD, "MALLOC_MMAP_THRESHOLD_")
    trimmed = _mallopt(M_TRIM_THRESHOLD, WEB_TRIM_THRESHOLD, "MALLOC_TRIM_THRESHOLD_")
    return mapped and trimmed


def _mallopt(parameter: int, value: int, variable: str) -> bool:
    """glibc's ``mallopt``, unless the operator set the parameter's environment variable."""
    libc = None if variable in os.environ else _libc()
    if libc is None:
        return False
    try:
        return bool(libc.mallopt(parameter, value))
    except AttributeError:  # not glibc (musl has no mallopt)
        log.debug("memory: mallopt is not available")
        return False


def release_free_memory() -> bool:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim``); False where it does
    not apply. A process that builds and drops large trees (a page's lxml tree, trafilatura's
    copies of it) keeps tens of MB of freed memory otherwise, which a forked extraction worker
    would hold as its own."""
    libc = _libc()
    if libc is None:
        return False
    try:
        return bool(libc.malloc_trim(0))
    except AttributeError:  # not glibc
        return False


def smaps_rollup(pid: int | str = "self") -> dict[str, int]:
    """The kernel's memory totals of a process (``/proc/PID/smaps_rollup``), in kB by field name
    (``Rss``, ``Pss``, ``Private_Dirty``...); empty where the kernel has none or the process ended."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]  # the first is the range
    except OSError:
        return {}
    found = {}
    for line in lines:
        name, _, value = line.partition(":")
        amount = value.split()
        if amount and amount[0].isdigit():
            found[name] = int(amount[0])
    return found


@functools.cache  # find_library runs ldconfig in a child process
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None
