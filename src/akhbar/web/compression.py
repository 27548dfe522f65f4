"""Compressed answers: Zstandard, brotli or gzip for text, as the client accepts them.

Pages, feeds, JSON and the stylesheet are text that shrinks 3 to 8 times. Zstandard at level 3 is the
cheapest coding to make (about 30 µs for a 12 KB article page, a fifth of what brotli at quality 4 or
gzip take, for 8% more bytes); Chromium-based browsers and Firefox take it, Safari does not.

- An answer that is not kept goes through :class:`Compression`, in the cheapest coding the client
  takes (:data:`CHEAPEST`): Zstandard, else brotli at a quality that costs about what gzip does,
  else gzip.
- A kept page (:mod:`akhbar.web.caching`) goes out, the first time, in Zstandard when the client
  takes it: most pages rendered (an article's, a search's) are asked for once per version. Asked for
  again, or by a client without Zstandard, it goes out in the smallest coding the client takes
  (:data:`SMALLEST`), compressed once per version of the page and coding: brotli at quality 6 (its
  built-in dictionary of web text makes pages 11-15% smaller than Zstandard at level 3), else
  Zstandard, else gzip.

An answer that already has a ``Content-Encoding`` (a kept one) is left alone by :class:`Compression`,
and every answer that could have been compressed says ``Vary: Accept-Encoding`` so shared caches keep
the variants apart.
"""

from __future__ import annotations

import gzip

import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from akhbar import zstd

__all__ = ["CHEAPEST", "MIN_SIZE", "SMALLEST", "Compression", "compress", "encoding_for"]

MIN_SIZE = 1024  # bytes: below this the saving does not pay for the headers and the work
MAX_BUFFERED = 8 * 1024 * 1024  # an answer longer than this is sent as it is, not held to compress
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
_TEXT_SUFFIXES = ("+json", "+xml")
BROTLI_DYNAMIC, BROTLI_CACHED, GZIP_LEVEL, ZSTD_LEVEL = 4, 6, 6, 3
# the codings akhbar sends, in order of preference: for an answer given once, the cheapest to make;
# for one kept and given again, the smallest
CHEAPEST = ("zstd", "br", "gzip")
SMALLEST = ("br", "zstd", "gzip")
# brotli's sliding window in bits: its default (22, 4 MB) sets up tables for a window far longer than
# a page. The smallest that holds the whole body loses nothing (a reference never reaches further
# back than the body's start) and cost 10-30% less time on pages of 6-30 KB (quality 6). A window
# of n bits reaches 2**n - 16 bytes back.
MIN_WINDOW_BITS, MAX_WINDOW_BITS, WINDOW_SHORTFALL = 10, 24, 16


def _window_bits(size: int) -> int:
    return max(MIN_WINDOW_BITS, min(MAX_WINDOW_BITS, (size + WINDOW_SHORTFALL - 1).bit_length()))


def encoding_for(accept_encoding: str, preference: tuple[str, ...] = CHEAPEST) -> str:
    """The first coding of ``preference`` that the ``Accept-Encoding`` value allows, or ``""``
    (identity) when it allows none of them."""
    offered = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        offered[name.strip()] = quality
    for name in preference:
        # "*" stands for brotli and gzip, never for Zstandard: a client has to name the newest coding
        if offered.get(name, 0.0 if name == "zstd" else offered.get("*", 0.0)) > 0:
            return name
    return ""


def compress(body: bytes, encoding: str, *, cached: bool = False) -> bytes:
    if encoding == "br":
        quality = BROTLI_CACHED if cached else BROTLI_DYNAMIC
        return bytes(brotli.compress(body, quality=quality, lgwin=_window_bits(len(body))))
    if encoding == "gzip":
        return gzip.compress(body, GZIP_LEVEL, mtime=0)
    if encoding == "zstd":
        return zstd.compress(body, ZSTD_LEVEL)
    return body


def compressible(media_type: str) -> bool:
    kind = media_type.partition(";")[0].strip().lower()
    return kind.startswith(_TEXT_TYPES) or kind.endswith(_TEXT_SUFFIXES)


def with_vary(headers: MutableHeaders) -> None:
    vary = headers.get("vary")
    if vary is None:
        headers["Vary"] = "Accept-Encoding"
    elif "accept-encoding" not in vary.lower():
        headers["Vary"] = f"{vary}, Accept-Encoding"


class Compression:
    """Compresses ``app``'s text answers of :data:`MIN_SIZE` bytes or more for clients that accept it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        encoding = (
            encoding_for(Headers(scope=scope).get("accept-encoding", "")) if scope["type"] == "http" else ""
        )
        if not encoding:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        held: list[bytes] = []
        size = 0
        passing = False

        async def compressing(message: Message) -> None:
            nonlocal start, size, passing
            if passing or message["type"] not in ("http.response.start", "http.response.body"):
                await send(message)
            elif message["type"] == "http.response.start":
                headers = Headers(raw=message.get("headers", []))
                passing = "content-encoding" in headers or not compressible(headers.get("content-type", ""))
                if passing:
                    await send(message)
                else:
                    start = message
            else:
                held.append(message.get("body", b""))
                size += len(held[-1])
                if message.get("more_body", False) and size <= MAX_BUFFERED:
                    return
                passing = True
                await self._send(
                    send, start, b"".join(held), encoding, whole=not message.get("more_body", False)
                )

        await self.app(scope, receive, compressing)

    @staticmethod
    async def _send(send: Send, start: Message | None, body: bytes, encoding: str, *, whole: bool) -> None:
        assert start is not None  # a body comes after its start
        headers = MutableHeaders(raw=list(start.get("headers", [])))
        if whole and len(body) >= MIN_SIZE and start.get("status", 200) not in (204, 206, 304):
            body = compress(body, encoding)
            headers["Content-Encoding"] = encoding
            headers["Content-Length"] = str(len(body))
            etag = headers.get("etag")
            if etag is not None and not etag.startswith("W/"):  # another representation: as nginx does
                headers["ETag"] = "W/" + etag
            with_vary(headers)
        elif whole:
            with_vary(headers)
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body, "more_body": not whole})
