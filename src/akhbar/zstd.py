"""Zstandard frames, for what akhbar stores (raw pages) and what it serves (pages given once).

One compression context per thread and level (a context is not thread-safe; kept, its working
memory is reused). python-zstandard hands each frame back in a bytes object with room for the
worst case, as large as the input or larger: a frame kept for a while (a page in the response
cache, a batch of raw pages on its way to the database) is copied to its own size. 2,048 kept
pages of 12 KB held 14 MB for 5 MB of frames, and a 230 KB news page 231 KB for a 53 KB frame.
"""

from __future__ import annotations

import threading

import zstandard

__all__ = ["compress"]

_local = threading.local()


def compress(data: bytes, level: int) -> bytes:
    """``data`` as one frame that records its content's size (its window then fits the content), in
    a bytes object of the frame's own size. Compressing releases the GIL."""
    contexts: dict[int, zstandard.ZstdCompressor] | None = getattr(_local, "contexts", None)
    if contexts is None:
        contexts = _local.contexts = {}
    context = contexts.get(level)
    if context is None:
        context = contexts[level] = zstandard.ZstdCompressor(level=level)
    return bytes(memoryview(context.compress(data)))
