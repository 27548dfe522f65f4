"""Process memory: fewer glibc malloc arenas for a threaded process.

glibc gives each thread that allocates its own arena (up to eight per core), and each keeps the
memory it once used. akhbar runs extraction and storage in worker threads, so a long-running
``serve`` or ``worker`` would hold several such arenas; two are enough for its few threads and
keep the resident size flat (about 60 MB less at 1,000 sources in ``akhbar bench ingest``). The
same as starting the process with ``MALLOC_ARENA_MAX=2``, which still wins when set.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys

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
