"""Content-Encoding decoding with a hard cap on the decompressed size (gzip bombs stop at the cap).

httpx would decode too, but one 64 KiB compressed chunk may inflate to tens of megabytes before
any cap is checked; here every step asks the decompressor for at most what is left of the cap
(gzip, deflate, brotli), or takes its output a slice at a time and stops past the cap (Zstandard,
whose frames may also not ask for a window over :data:`ZSTD_MAX_WINDOW`).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import IO, cast

import brotli
import zstandard

__all__ = ["BoundedDecoder", "TooLarge"]

SUPPORTED = "gzip, deflate, br, zstd"
# the largest window a Zstandard frame may ask the decoder to keep: what RFC 9659 lets HTTP
# senders use, and what every decoder of that coding must accept (a hostile frame asking for more
# would have this process allocate it)
ZSTD_MAX_WINDOW = 8 * 1024 * 1024
ZSTD_SLICE = 64 * 1024  # the decoded bytes handed on at a time, each counted against the cap


class TooLarge(Exception):
    """The decompressed body would exceed the cap."""


class BoundedDecoder:
    """Feed raw chunks in, get decoded bytes out; raises :class:`TooLarge` past ``max_bytes``."""

    def __init__(self, encoding: str | None, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1:
            raise ValueError(f"unsupported stacked Content-Encoding {encoding!r}")
        self._step = self._choose(codings[0] if codings else None)

    def _choose(self, coding: str | None) -> Callable[[bytes], bytes]:
        if coding is None:
            return lambda data: data
        if coding in {"gzip", "x-gzip"}:
            return self._zlib(zlib.decompressobj(16 + zlib.MAX_WBITS))
        if coding == "deflate":
            return self._deflate()
        if coding == "br":
            return self._brotli(brotli.Decompressor())
        if coding == "zstd":
            return self._zstd()
        raise ValueError(f"unsupported Content-Encoding {coding!r}")

    def _room(self) -> int:
        return self.max_bytes - self.size + 1  # one byte more than allowed proves the overflow

    def _zlib(self, decompressor: zlib._Decompress) -> Callable[[bytes], bytes]:
        def step(data: bytes) -> bytes:
            out = [decompressor.decompress(data, self._room())]
            self._count(out[-1])
            while decompressor.unconsumed_tail:
                out.append(decompressor.decompress(decompressor.unconsumed_tail, self._room()))
                self._count(out[-1])
            return b"".join(out)

        return step

    def _deflate(self) -> Callable[[bytes], bytes]:
        # "deflate" is zlib-wrapped by the RFC but raw deflate in the wild: decide on the first bytes.
        chosen: list[Callable[[bytes], bytes]] = []

        def step(data: bytes) -> bytes:
            if not chosen:
                wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
                wbits = zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS
                chosen.append(self._zlib(zlib.decompressobj(wbits)))
            return chosen[0](data)

        return step

    def _brotli(self, decompressor: brotli.Decompressor) -> Callable[[bytes], bytes]:
        def step(data: bytes) -> bytes:
            out = [decompressor.process(data, output_buffer_limit=self._room())]
            self._count(out[-1])
            while not decompressor.can_accept_more_data():
                out.append(decompressor.process(b"", output_buffer_limit=self._room()))
                self._count(out[-1])
            return b"".join(out)

        return step

    def _zstd(self) -> Callable[[bytes], bytes]:
        counted = _Counted(self)
        writer = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW).stream_writer(
            cast("IO[bytes]", counted),  # the decompressor calls its write() alone
            write_size=ZSTD_SLICE,
        )

        def step(data: bytes) -> bytes:
            writer.write(data)
            return counted.taken()

        return step

    def _count(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise TooLarge(f"body larger than {self.max_bytes} bytes after decompression")

    def feed(self, data: bytes) -> bytes:
        """Decoded bytes for one raw chunk; raises TooLarge, or zlib/brotli/zstandard errors on corrupt
        data."""
        decoded = self._step(data)
        if decoded is data:
            self._count(decoded)
        return decoded


class _Counted:
    """Where the Zstandard decompressor writes what it decodes, a slice at a time: each slice is
    counted against the decoder's cap as it comes, so a bomb stops there."""

    def __init__(self, decoder: BoundedDecoder) -> None:
        self.decoder = decoder
        self.slices: list[bytes] = []

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        self.decoder._count(chunk)
        self.slices.append(chunk)
        return len(chunk)

    def taken(self) -> bytes:
        """What was written since the last call."""
        out = b"".join(self.slices)
        self.slices.clear()
        return out
