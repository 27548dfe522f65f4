"""The embedding model as one service per machine, on a unix socket, shared by every local process.

``akhbar serve``, each ``akhbar worker`` and each ingest command used to start a child process with
its own copy of the model (about 230 MB each). Now the first of them to need the model starts this
service (detached, so it outlives no one for long: it ends ``idle`` seconds after its last client
went away), and all of them send their texts to it. Requests that arrive while the model is busy are
embedded together in one batch, which costs about half as much per text as one at a time.

One service runs per model setting and installation, on a socket of its own
(:func:`akhbar.stories.launch.socket_path`); its log is beside the socket. Clients start it with
:func:`akhbar.stories.launch.start`.

The protocol is frames of a 4-byte length then the bytes: a request is JSON (``{"op": "embed",
"texts": [...]}`` or ``{"op": "describe"}``); an answer is a JSON frame (``ok``, ``shape``, or
``error`` and its ``type``) followed by a frame of float32 rows.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from akhbar.memory import limit_malloc_arenas
from akhbar.stories.embedding import Embedder, Vector, blas_kernels, load

log = logging.getLogger(__name__)

FRAME = struct.Struct("!I")
MAX_FRAME = 256 * 1024 * 1024
MAX_BATCH = 256  # texts embedded in one call of the model


def send_frame(connection: socket.socket, data: bytes) -> None:
    connection.sendall(FRAME.pack(len(data)) + data)


def receive_frame(connection: socket.socket) -> bytes:
    (size,) = FRAME.unpack(_exactly(connection, FRAME.size))
    if size > MAX_FRAME:
        raise ConnectionError(f"stories: a frame of {size} bytes is over the limit")
    return _exactly(connection, size)


def _exactly(connection: socket.socket, size: int) -> bytes:
    parts, left = [], size
    while left:
        part = connection.recv(min(left, 1 << 20))
        if not part:
            raise ConnectionError("stories: the embedding service closed the connection")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


@dataclass
class _Request:
    texts: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    vectors: Vector | None = None
    error: BaseException | None = None


class Service:
    """The model behind a listening socket: a thread per client, one thread embedding in batches."""

    def __init__(self, spec: str, path: Path, idle: float) -> None:
        self.spec, self.path, self.idle = spec, path, idle
        self.pending: queue.Queue[_Request] = queue.Queue()
        self.clients = 0
        self.last_seen = time.monotonic()
        self.lock = threading.Lock()
        self.model: Embedder | None = None
        self.broken: BaseException | None = None
        self.inode = 0
        try:
            self.model = load(spec)
        except Exception as exc:  # reported to every request: the client raises it as in process
            self.broken = exc

    def describe(self) -> dict[str, Any]:
        if self.model is None:
            raise self.broken or RuntimeError("no model")
        self.embed(["warm up"])  # in turn with the texts: the weights are loaded once, by one thread
        join, merge = getattr(self.model, "join", None), getattr(self.model, "merge", None)
        return {
            "ok": True,
            "dimension": self.model.dimension,
            "join": join,
            "merge": merge,
            "pid": os.getpid(),
            "blas": blas_kernels(),
        }

    def embed(self, texts: list[str]) -> Vector:
        request = _Request(texts)
        self.pending.put(request)
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.vectors is not None
        return request.vectors

    def embedding(self) -> None:
        """The one thread that runs the model: each call takes every request waiting (a batch).
        First it loads the weights: whoever started the service will send texts soon."""
        self._run([_Request(["warm up"])])  # a model that fails here fails each request alike
        while True:
            batch = [self.pending.get()]
            size = len(batch[0].texts)
            while size < MAX_BATCH:
                try:
                    batch.append(self.pending.get_nowait())
                except queue.Empty:
                    break
                size += len(batch[-1].texts)
            self._run(batch)

    def _run(self, batch: list[_Request]) -> None:
        try:
            if self.model is None:
                raise self.broken or RuntimeError("no model")
            vectors = self.model.embed([text for request in batch for text in request.texts])
        except Exception as exc:
            if len(batch) > 1:  # one request's texts failed the model: the others still get answers
                for request in batch:
                    self._run([request])
                return
            batch[0].error = exc
            batch[0].done.set()
            return
        at = 0
        for request in batch:
            request.vectors = vectors[at : at + len(request.texts)]
            at += len(request.texts)
            request.done.set()

    def serve_client(self, connection: socket.socket) -> None:
        with self.lock:
            self.clients += 1
        try:
            with connection:
                while True:
                    try:
                        request = json.loads(receive_frame(connection))
                    except ConnectionError:
                        return
                    self._answer(connection, request)
        finally:
            with self.lock:
                self.clients -= 1
                self.last_seen = time.monotonic()

    def _answer(self, connection: socket.socket, request: dict[str, Any]) -> None:
        data = b""
        try:
            if request.get("op") == "describe":
                header = self.describe()
            else:
                texts = request.get("texts")
                if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                    raise ValueError("stories: an embed request needs a list of texts")
                vectors = np.ascontiguousarray(self.embed(texts), dtype="<f4")
                header, data = {"ok": True, "shape": list(vectors.shape)}, vectors.tobytes()
        except Exception as exc:
            header = {"ok": False, "type": type(exc).__name__, "error": str(exc)}
        send_frame(connection, json.dumps(header).encode())
        send_frame(connection, data)

    def watch(self) -> None:
        """End the service when it has had no client for ``idle`` seconds."""
        while True:
            time.sleep(min(1.0, self.idle / 4))
            with self.lock:
                idle = self.clients == 0 and time.monotonic() - self.last_seen > self.idle
            if idle:
                log.info("stories: no client for %.0f s; the embedding service ends", self.idle)
                with contextlib.suppress(OSError):
                    if self.path.stat().st_ino == self.inode:
                        self.path.unlink()
                os._exit(0)

    def run(self, listener: socket.socket) -> None:
        self.inode = self.path.stat().st_ino
        threading.Thread(target=self.embedding, daemon=True, name="embedding").start()
        threading.Thread(target=self.watch, daemon=True, name="idle-watch").start()
        while True:
            connection, _ = listener.accept()
            threading.Thread(target=self.serve_client, args=(connection,), daemon=True).start()


def main(argv: list[str]) -> None:
    """``python -m akhbar.stories.service SPEC SOCKET IDLE``: detach, listen, serve until idle."""
    spec, path, idle = argv[0], Path(argv[1]), float(argv[2])
    if os.fork():  # the starter waits for this first process only; the service is nobody's child
        os._exit(0)
    os.setsid()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # a thread per client: each would allocate from a malloc arena of its own, kept once used (the
    # service held 170 MB after two ingest benches, 130 MB capped; no CPU measurably lost)
    limit_malloc_arenas()
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")  # BLAS threads left spinning take the other cores
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # a stale socket: the starter holds the start lock and found no one listening
    listener.bind(str(path))
    path.chmod(0o600)
    listener.listen(64)
    log.info("stories: embedding service for %s on %s (pid %d)", spec, path, os.getpid())
    Service(spec, path, idle).run(listener)


if __name__ == "__main__":
    main(sys.argv[1:])
