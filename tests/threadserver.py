"""uvicorn serving in a thread of the test process, for tests that talk to a real server over sockets."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

from akhbar.web.serving import BoundedHead


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


def serve_config(
    app: Any, port: int, *, http: type[BoundedHead] = BoundedHead, **options: Any
) -> uvicorn.Config:
    """uvicorn's configuration as ``akhbar serve`` runs one process: akhbar's protocol (``http``, a
    subclass of it for tests that watch it) and loop, on 127.0.0.1; ``options`` as uvicorn takes them."""
    return uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        http=http,
        loop="akhbar.web.serving:AcceptingLoop",
        lifespan="off",
        **options,
    )
