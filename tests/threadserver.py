"""uvicorn serving in a thread of the test process, for tests that talk to a real server over sockets."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import uvicorn


@contextlib.contextmanager
def running(config: uvicorn.Config, timeout: float = 20.0) -> Iterator[uvicorn.Server]:
    """A server of ``config`` running in a thread until the block ends (it is then stopped)."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        assert thread.is_alive(), "uvicorn stopped before it started"
        time.sleep(0.02)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=10)
