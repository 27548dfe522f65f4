"""How many connections each serving process holds, shared by the processes of one ``akhbar serve``.

Processes sharing a listening socket race to accept each new connection, and the process already
running wins it: under load the other is asleep in ``epoll_wait`` and waits for a core. Kept-alive
connections stay where they were accepted, and each one a client opens again (after
:data:`akhbar.web.serving.MAX_REQUESTS_PER_CONNECTION` requests) went the same way: with 2 processes,
32 connections drifted to 25 against 7 and then to 32 against none within seconds, answering 710
random articles a second instead of 946, at a p99 of 93 ms instead of 60.

Each process publishes its count in a small shared file (one slot per process: its id and its open
connections); a process holding more than another live one lets that one take the next connection
(:class:`akhbar.web.serving.Listener`). Reads and writes are single aligned 8-byte words, so no lock
is taken but the one that claims a slot when a process starts.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import tempfile
from contextlib import suppress
from pathlib import Path

__all__ = ["ENV", "SLOTS", "Shares", "create", "current", "joined"]

ENV = "AKHBAR_SERVE_SHARES"  # the shared file's path, passed down to the serving processes
SLOTS = 64  # serving processes at most (``--workers`` allows 64)
_WORDS = 2  # a slot: the process id, its open connections
_SIZE = SLOTS * _WORDS * 8


def create() -> str:
    """A new shared file of empty slots (in ``/dev/shm``, memory, where there is one); its path."""
    directory = "/dev/shm" if Path("/dev/shm").is_dir() else None
    fd, path = tempfile.mkstemp(prefix="akhbar-serve-", dir=directory)
    try:
        os.ftruncate(fd, _SIZE)
    finally:
        os.close(fd)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or another user's process holds the id now
        return False
    return True


class Shares:
    """This process's slot in the shared file at ``path``, and a look at the others'."""

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_RDWR)
        self._map = mmap.mmap(self._fd, _SIZE)
        self._words = memoryview(self._map).cast("q")
        self.open = 0
        self.slot = self._claim()

    def _claim(self) -> int | None:
        """A slot that is free or whose process is gone (None when all :data:`SLOTS` are taken)."""
        words, me = self._words, os.getpid()
        fcntl.flock(self._fd, fcntl.LOCK_EX)  # processes starting at once claim one by one
        try:
            for slot in range(SLOTS):
                pid = words[slot * _WORDS]
                if pid == 0 or pid == me or not _alive(pid):
                    words[slot * _WORDS + 1] = 0
                    words[slot * _WORDS] = me
                    return slot
            return None
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def opened(self) -> None:
        self.open += 1
        self._publish()

    def closed(self) -> None:
        self.open -= 1
        self._publish()

    def _publish(self) -> None:
        if self.slot is not None:
            self._words[self.slot * _WORDS + 1] = self.open

    def fewest_elsewhere(self) -> int | None:
        """The fewest connections another live process holds (None when there is no other)."""
        words, fewest = self._words, None
        for slot in range(SLOTS):
            pid = words[slot * _WORDS]
            if pid and slot != self.slot and _alive(pid):
                held = words[slot * _WORDS + 1]
                fewest = held if fewest is None else min(fewest, held)
        return fewest

    def close(self) -> None:
        """Give the slot back (a process that stops; one that dies is found gone by the next claim)."""
        if self.slot is not None and self._words[self.slot * _WORDS] == os.getpid():
            self._words[self.slot * _WORDS] = 0
        self.slot = None
        self._words.release()
        with suppress(BufferError):
            self._map.close()
        os.close(self._fd)


_joined: list[Shares] = []


def joined() -> Shares | None:
    """This process's :class:`Shares` when its server runs several processes (:data:`ENV` set), else
    None; the same one on every call."""
    if not _joined:
        path = os.environ.get(ENV)
        if not path:
            return None
        _joined.append(Shares(path))
    return _joined[0]


def current() -> Shares | None:
    """This process's :class:`Shares` once :func:`joined`, else None (no lookup of the environment)."""
    return _joined[0] if _joined else None
