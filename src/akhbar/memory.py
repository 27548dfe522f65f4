"""Process memory: fewer glibc malloc arenas for a threaded process, freed heap pages handed
back, and what the kernel counts of a process's memory.

glibc gives each thread that allocates its own arena (up to eight per core), and each keeps the
memory it once used. akhbar runs extraction and storage in worker threads, so a long-running
``serve`` or ``worker`` would hold several such arenas; two are enough for its few threads and
keep the resident size flat (about 60 MB less at 1,000 sources in ``akhbar bench ingest``). The
same as starting the process with ``MALLOC_ARENA_MAX=2``, which still wins when set.
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
M_ARENA_MAX = -8  # mallopt parameter number in glibc's malloc.h
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas for the threads started from now on; False where it does not apply."""
    libc = None if "MALLOC_ARENA_MAX" in os.environ else _libc()
    if libc is None:
        return False
    try:
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
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
