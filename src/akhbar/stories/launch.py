"""Where the machine's embedding service listens, and starting it: the standard library only.

A command that will embed texts starts the service (:mod:`akhbar.stories.service`) as it begins, so
the model loads while the command imports what it needs and reads its inputs. This module is what
that takes, and nothing more: importing numpy and the model's code first would hold the start back
by a few tenths of a second, which is most of what a command of one page waits for.

The service's socket lives in ``$XDG_RUNTIME_DIR/akhbar-UID/`` (else, or where that path is too
long for a socket's address, in the temporary directory), a directory only its user may enter. Its
name is a hash of the model setting, the Python executable and its import path, so two checkouts
never share a model of another code. Its log is beside it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

IDLE_SECONDS = 120.0  # a service ends this long after its last client went away
START_TIMEOUT = 60.0
SOCKET_PATH_MAX = 107  # bytes in a unix socket's address (Linux's sun_path: 108 with the closing NUL)


class EmbeddingProcessError(RuntimeError):
    """The embedding service stopped on every try of one request, or could not be started."""


def runtime_directory(base: Path | None = None) -> Path:
    """This user's directory for sockets (in ``base``, else the runtime or temporary directory),
    created private; refused when someone else could enter it."""
    if base is None:
        base = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    directory = base / f"akhbar-{os.getuid()}"
    directory.mkdir(mode=0o700, exist_ok=True)
    status = directory.stat()
    if status.st_uid != os.getuid() or status.st_mode & 0o077:
        raise PermissionError(f"stories: {directory} is not private to this user; remove it")
    return directory


def socket_path(spec: str) -> Path:
    """Where the service of model ``spec`` for this installation listens."""
    key = hashlib.sha256("\0".join([spec, sys.executable, *sys.path]).encode()).hexdigest()[:16]
    path = runtime_directory() / f"embed-{key}.sock"
    if len(os.fsencode(path)) > SOCKET_PATH_MAX:  # a runtime directory too deep to bind a socket in
        path = runtime_directory(Path(tempfile.gettempdir())) / path.name
    return path


def connect(path: Path) -> socket.socket:
    """A connection to the service listening at ``path``; OSError when no one listens."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(path))
    except OSError:
        connection.close()
        raise
    return connection


def start(spec: str, path: Path, idle: float = IDLE_SECONDS) -> socket.socket:
    """Connect to the service at ``path``, starting it first when no one listens (one starter at a
    time: the others wait for the lock, then find it listening)."""
    with path.with_suffix(".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):
            return connect(path)
        log.info("stories: starting the embedding service for %s", spec)
        with path.with_suffix(".log").open("ab") as output:
            environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
            command = [sys.executable, "-m", "akhbar.stories.service", spec, str(path), str(idle)]
            subprocess.run(
                command, stdin=subprocess.DEVNULL, stdout=output, stderr=output, env=environment, check=True
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                return connect(path)
            except OSError:
                if time.monotonic() > deadline:
                    logged = path.with_suffix(".log")
                    raise EmbeddingProcessError(
                        f"stories: the embedding service did not start (see {logged})"
                    ) from None
                time.sleep(0.05)


def start_soon(spec: str, idle: float = IDLE_SECONDS) -> None:
    """Have the service of model ``spec`` listening soon: reached, and started when no one listens,
    in the background. A failure is left for the first text to meet and report."""

    def reach() -> None:
        try:
            start(spec, socket_path(spec), idle).close()
        except (OSError, EmbeddingProcessError, subprocess.SubprocessError) as exc:
            log.debug("stories: the embedding service was not reached ahead of use: %s", exc)

    threading.Thread(target=reach, name="akhbar-embedding-start", daemon=True).start()
