"""Rendered responses cached per data version, with ETag, Last-Modified, Cache-Control and 304s.

Pages go out with ``Cache-Control: no-cache``: a browser (or a shared cache) keeps them but asks again
with ``If-None-Match`` every time, and gets a bodiless 304 while nothing changed, so a reload just
after an editor flags breaking news shows it at once. The API and the feeds keep a short ``max-age``
(programs polling them do not need the newest second).

The data version (a hash of article and breaking-flag counters) is read at most once per ``ttl``
seconds per process, in the background while requests go on with the last version read, so a page is
at most about ``ttl`` seconds stale (``ttl=0`` reads it on every request, for tests); a process whose
last read is older than ``READ_FIRST_AFTER`` ttls (it answered nothing meanwhile) reads it first.
Every process keeps its own small cache, which stays correct with many ``akhbar serve`` processes:
each one reads the same database versions.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import hashlib
import os
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from akhbar.services import portal
from akhbar.store import Store
from akhbar.web.compression import CHEAPEST, MIN_SIZE, SMALLEST, compress, compressible, encoding_for
from akhbar.web.telemetry import LATENCY, REQUESTS, route_template


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    status_code: int = 200
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Entry:
    rendered: Rendered
    etag: str
    last_modified: str
    encoded: dict[str, bytes] = field(default_factory=dict)  # the body compressed, by encoding

    def body(self, encoding: str) -> bytes:
        """The body in ``encoding`` (``""``: as rendered), compressed once per entry and encoding."""
        if not encoding:
            return self.rendered.body
        found = self.encoded.get(encoding)
        if found is None:  # two requests at once may both compress: the same bytes, no harm
            found = self.encoded[encoding] = compress(self.rendered.body, encoding, cached=True)
        return found

    def encoding(self, accept_encoding: str, preference: tuple[str, ...] = SMALLEST) -> str:
        """What to send this entry's body in for a client sending ``accept_encoding``: the first
        coding of ``preference`` it takes (:mod:`akhbar.web.compression`)."""
        rendered = self.rendered
        if len(rendered.body) < MIN_SIZE or not compressible(rendered.media_type):
            return ""
        return encoding_for(accept_encoding, preference)


# The thread that compresses kept answers in brotli and gzip (Zstandard, far cheaper, is made on the
# event loop with a context kept per thread: see INLINE). One: brotli's working memory (a few MB at
# the quality kept answers get) then comes from one allocation arena, where the next compression
# finds it again, in a serving process whose malloc keeps such blocks in its heap
# (akhbar.memory.keep_web_buffers: with glibc's threshold fixed at 128 kB they were mapped and
# faulted in for every page, about 690 faults a page, on this thread too). Compression releases the
# GIL, so it still runs beside the event loop.
_COMPRESSING = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="akhbar-compress")
# The threads renders with render slots run in (ResponseCache._in_thread), as many as the slots.
# Handed over through anyio's worker threads (``run_in_threadpool``: its capacity limiter, cancel
# scope and run variables), a search spent about 6% of its time holding the GIL on the hand-off.
RENDER_SLOTS = max(2, os.cpu_count() or 2)  # renders at once on a SQLite file (ResponseCache.render_slots)
_RENDERING = concurrent.futures.ThreadPoolExecutor(
    max_workers=RENDER_SLOTS, thread_name_prefix="akhbar-render"
)
# codings cheap enough to make on the event loop: Zstandard takes 30-45 µs for a page of 12-30 KB
INLINE = frozenset({"zstd"})
READ_FIRST_AFTER = 2  # ttls since the version was read, past which a request waits for it to be read again
FRONT_KEY = "akhbar.cached_version"  # set in a request's scope when its answer came from the cache
# set in a request's scope by a route: what the front cache calls (with the request's scope) each
# time it gives that answer again without the route (an article page counts a read)
ON_REPEAT = "akhbar.on_repeat"
T = TypeVar("T")


class Turns:
    """One render per turn of the event loop, in the order the requests were read.

    Rendered as their tasks ran, every request read in one turn of the loop waited for the renders
    of all read before it in that turn, and one arriving meanwhile waited for that whole turn before
    it was even read: a request's wait was the sum of two uniform draws, its 99th percentile twice
    its median (random articles at 32 connections: 98 ms against 49 ms). A render waiting here
    starts in a later turn than the one before it, and each turn begins by reading what arrived: a
    request waits for those read before it, first in, first out.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._busy = False
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def wait(self) -> None:
        if self._busy or self._waiting:
            turn = self._loop.create_future()
            self._waiting.append(turn)
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():  # given the turn as it was cancelled
                    self.done()
                raise
        self._busy = True

    def done(self) -> None:
        """The render ended: the next one waiting starts in the loop's next turn but one (each
        ``call_soon`` runs in the turn after the one that called it)."""
        self._loop.call_soon(self._next)

    def _next(self) -> None:
        self._busy = False
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                self._busy = True
                return


class ResponseCache:
    """An LRU of rendered responses keyed by (request key, data version)."""

    def __init__(self, store: Store, *, ttl: float = 1.0, max_entries: int = 2048, max_age: int = 30) -> None:
        self.store = store
        self.ttl = ttl
        self.max_age = max_age
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._version: tuple[float, str, str] = (0.0, "", "")
        self._data_version = portal.DataVersion(store)
        self._lock = threading.Lock()
        self._refreshing: asyncio.Future[None] | None = None
        self._rendering: dict[tuple[str, str], asyncio.Future[_Entry]] = {}
        # Where SQLite's reads are this process's own CPU work (a file, in the page cache), a page
        # whose reads are short may be rendered on the event loop (``respond(..., inline=True)``):
        # the hop to a worker thread and back cost more than an article page's reads. A page whose
        # reads are long (search: SQLite releases the GIL while it works) stays in worker threads,
        # where those reads overlap other requests' Python on the second core: inline, search
        # served fewer requests with a far longer tail. PostgreSQL's pages always go to threads.
        self.inline_reads = store.local_reads
        # On a SQLite file a render is this process's own CPU work, and threads past the cores only
        # take turns on the GIL: 32 searches at once cost 10.8 ms of CPU each against 3.9 ms with 2
        # at a time (130 against 376 a second, 100k articles). Renders beyond ``render_slots`` wait
        # on the event loop without a thread. Renders only read, so no writer's lock is held waiting.
        self.render_slots = RENDER_SLOTS if self.inline_reads else 0
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Turns] = weakref.WeakKeyDictionary()

    def _refresh_version(self) -> tuple[str, str]:
        _, version, since = self._version
        fresh = self._data_version.read()
        if fresh != version:
            since = format_datetime(datetime.now(UTC), usegmt=True)
        self._version = (time.monotonic(), fresh, since)
        return fresh, since

    @property
    def current(self) -> str:
        """The last data version read ('' before the first)."""
        return self._version[1]

    async def _refresh_in_background(self) -> None:
        try:
            await run_in_threadpool(self._refresh_version)
        finally:
            self._refreshing = None

    def version_now(self) -> tuple[str, str] | None:
        """The data version read last, and when it changed (on the event loop): read again in the
        background once ``ttl`` has passed, requests going on with it meanwhile; None when it
        must be read first: none yet, ``ttl`` 0, or read :data:`READ_FIRST_AFTER` ``ttl`` ago or
        more (a process that answered nothing for a while would answer its next request from
        before the pause: the promise is a page at most about ``ttl`` stale)."""
        checked, version, since = self._version
        age = time.monotonic() - checked
        if not version or self.ttl <= 0 or age >= READ_FIRST_AFTER * self.ttl:
            return None
        if age >= self.ttl and self._refreshing is None:
            self._refreshing = asyncio.ensure_future(self._refresh_in_background())
        return version, since

    async def version(self) -> tuple[str, str]:
        """The data version: read once per ``ttl``; meanwhile requests go on with the last one read."""
        found = self.version_now()
        return found if found is not None else await run_in_threadpool(self._refresh_version)

    async def respond(
        self,
        request: Request,
        key: str,
        render: Callable[[], Rendered],
        *,
        vary: str | None = None,
        cache_control: str | None = None,
        inline: bool = False,
    ) -> Response:
        version, since = await self.version()
        # answers name the site as the request reached it (canonical links, feeds' links): one kept
        # for another Host or scheme would hand every reader links to wherever that request named
        key = f"{request.base_url}|{key}"
        entry = self._entries.get((key, version))
        rendered_now = entry is None  # by this request, or by one it waited for
        if entry is None:
            entry = await self._render_once((key, version), since, render, inline and self.inline_reads)
        accept = request.headers.get("accept-encoding", "")
        smallest = entry.encoding(accept)
        # Most pages rendered are given once (an article's page, for its one reader): the answer that
        # renders one goes out in the cheapest coding the client takes. The smallest is made when the
        # page is asked for again, and only an answer in it is kept by the front cache.
        fresh = rendered_now and smallest not in entry.encoded
        encoding = entry.encoding(accept, CHEAPEST) if fresh else smallest
        headers = {
            "ETag": _tagged(entry.etag, encoding),
            "Last-Modified": entry.last_modified,
            "Cache-Control": cache_control or f"public, max-age={self.max_age}",
            **dict(entry.rendered.headers),
        }
        varies = [vary] if vary else []
        if compressible(entry.rendered.media_type) and len(entry.rendered.body) >= MIN_SIZE:
            varies.append("Accept-Encoding")
        if varies:
            headers["Vary"] = ", ".join(varies)
        if entry.etag in _etags(request.headers.get("if-none-match")):
            return Response(status_code=304, headers=headers)
        if encoding:
            headers["Content-Encoding"] = encoding
        if entry.rendered.status_code == 200 and encoding == smallest:
            request.scope[FRONT_KEY] = version  # the front cache may answer this again (FrontCache)
        if encoding and encoding not in entry.encoded and encoding not in INLINE:
            # compressed once, off the event loop
            body = await asyncio.get_running_loop().run_in_executor(_COMPRESSING, entry.body, encoding)
        else:
            body = entry.body(encoding)
        return Response(
            body,
            status_code=entry.rendered.status_code,
            media_type=entry.rendered.media_type,
            headers=headers,
        )

    async def _render_once(
        self, slot: tuple[str, str], since: str, render: Callable[[], Rendered], inline: bool = False
    ) -> _Entry:
        """Render in a worker thread; concurrent requests for one page and version share one render."""
        pending = self._rendering.get(slot)
        if pending is not None and pending.get_loop() is asyncio.get_running_loop():
            return await asyncio.shield(pending)
        future: asyncio.Future[_Entry] = asyncio.get_running_loop().create_future()
        self._rendering[slot] = future
        try:
            rendered = await self._inline(render) if inline else await self._in_thread(render)
            # SHA-256 has instructions of its own on most processors (x86's SHA extensions, ARMv8's):
            # 23 µs for 25 KB of page where BLAKE2s, computed in software, took 85 µs
            digest = hashlib.sha256(rendered.body).hexdigest()[:24]
            entry = _Entry(rendered, f'"{digest}"', since)
            if rendered.status_code == 200:
                with self._lock:
                    self._entries[slot] = entry
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
            future.set_result(entry)
            return entry
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here, so an unawaited failure is not reported as lost
            raise
        finally:
            self._rendering.pop(slot, None)

    async def _inline(self, render: Callable[[], Rendered]) -> Rendered:
        """``render()`` on the event loop, in its turn (:class:`Turns`)."""
        turns = _of_loop(self._turns, lambda: Turns(asyncio.get_running_loop()))
        await turns.wait()
        try:
            return render()
        finally:
            turns.done()

    async def _in_thread(self, render: Callable[[], Rendered]) -> Rendered:
        if not self.render_slots:
            return await run_in_threadpool(render)
        async with _of_loop(self._slots, lambda: asyncio.Semaphore(self.render_slots)):
            run = contextvars.copy_context().run  # as run_in_threadpool does
            return await asyncio.get_running_loop().run_in_executor(_RENDERING, run, render)


def _of_loop(kept: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T], make: Callable[[], T]) -> T:
    """The running event loop's own object in ``kept``, ``make()``-d on its first use there."""
    loop = asyncio.get_running_loop()
    found = kept.get(loop)
    if found is None:
        found = kept[loop] = make()
    return found


def _tagged(etag: str, encoding: str) -> str:
    """The entity tag of one encoding of an entry: each representation has its own."""
    return etag if not encoding else f'{etag[:-1]}-{encoding}"'


def _etags(header: str | None) -> set[str]:
    """The tags in an If-None-Match value, each of an encoded representation counted as its entry's."""
    if not header:
        return set()
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return tags | {tag.rsplit("-", 1)[0] + '"' for tag in tags if tag.endswith(('-br"', '-gzip"', '-zstd"'))}


@dataclass(frozen=True)
class Kept:
    """An answer the front cache holds: as the app sent it, and as a server writes it at once."""

    version: str
    start: Message
    body: bytes
    counted: Any  # this answer's request counter and latency histogram (by method, route, status)
    timed: Any
    head: bytes  # the start's header lines as uvicorn writes them, without its own (date, server)
    on_repeat: Callable[[Scope], None] | None = None  # what its route set as ON_REPEAT

    def repeated(self, scope: Scope) -> None:
        """This answer was given again, to the request of ``scope``."""
        if self.on_repeat is not None:
            self.on_repeat(scope)


class FrontCache:
    """The outermost layer: a GET that :class:`ResponseCache` answered is answered again from here,
    as long as the data version is the same, without going through routing and the other layers.

    The answer is kept exactly as it left the app (status, every header, the body as encoded), keyed
    by the site's address as the request names it (scheme, Host, root path: pages and feeds link to
    it), path, query and the request headers an answer may vary on (Accept-Language, the encoding
    chosen from Accept-Encoding). Requests with a cookie, credentials or a conditional header pass
    through (and are not kept), as do answers that set a cookie or were not whole in one message.
    The same number of entries as the response cache are kept, least recently used dropped first.
    """

    def __init__(self, app: ASGIApp, cache: ResponseCache, *, max_entries: int = 2048) -> None:
        self.app = app
        self.cache = cache
        self.max_entries = max_entries
        self._answers: OrderedDict[tuple[object, ...], Kept] = OrderedDict()

    def ready(self, scope: Scope) -> Kept | None:
        """The answer to this GET if it can be given at once, without the app or its task: it is
        kept, of the data version read last (as :meth:`__call__` answers), and the request has no
        body."""
        key = _front_key(scope)
        found = self.cache.version_now() if key is not None else None
        return None if key is None or found is None else self._kept(key, found[0])

    def _kept(self, key: tuple[object, ...], version: str) -> Kept | None:
        """The answer kept for ``key``, if it is of ``version``."""
        answer = self._answers.get(key)
        return answer if answer is not None and answer.version == version else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _front_key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        version, _ = await self.cache.version()
        answer = self._kept(key, version)
        if answer is not None:
            started = time.perf_counter()
            await send(answer.start)
            await send({"type": "http.response.body", "body": answer.body})
            answer.counted.inc()
            answer.timed.observe(time.perf_counter() - started)
            answer.repeated(scope)
            return
        sent: list[Message] = []

        async def keeping(message: Message) -> None:
            sent.append(message)
            await send(message)

        await self.app(scope, receive, keeping)
        route = route_template(scope)
        self._keep(key, scope.get(FRONT_KEY), sent, route, scope.get(ON_REPEAT))

    def _keep(
        self,
        key: tuple[object, ...],
        version: object,
        sent: list[Message],
        route: str,
        on_repeat: Callable[[Scope], None] | None = None,
    ) -> None:
        if not isinstance(version, str) or len(sent) != 2:
            return
        start, body = sent
        if start["type"] != "http.response.start" or start.get("status") != 200 or body.get("more_body"):
            return
        if any(name.lower() == b"set-cookie" for name, _ in start.get("headers", [])):
            return
        counted = REQUESTS.labels("GET", route, str(start["status"]))
        head = header_lines(start.get("headers", ()))
        self._answers[key] = Kept(
            version, start, body.get("body", b""), counted, LATENCY.labels(route), head, on_repeat
        )
        self._answers.move_to_end(key)
        while len(self._answers) > self.max_entries:
            self._answers.popitem(last=False)


def header_lines(headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    """Headers as the lines of an HTTP/1.1 head, names in lower case (as uvicorn writes them)."""
    return b"".join(b"%s: %s\r\n" % (bytes(name).lower(), bytes(value)) for name, value in headers)


# requests that go through: personal, conditional or partial ones, and those with a body
_PASSING = frozenset(
    {
        b"cookie",
        b"authorization",
        b"if-none-match",
        b"if-modified-since",
        b"range",
        b"content-length",
        b"transfer-encoding",
        b"expect",
    }
)


def _front_key(scope: Scope) -> tuple[object, ...] | None:
    """What the answer to this request depends on, or None when it must go through."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    host, language, encoding = b"", b"", ""
    for name, value in scope["headers"]:
        if name in _PASSING:
            return None
        if name == b"host":
            host = value
        elif name == b"accept-language":
            language = value
        elif name == b"accept-encoding":
            # what a kept answer is in: the smallest coding (answers in another are not kept)
            encoding = encoding_for(value.decode("latin-1"), SMALLEST)
    # the site's address as the request names it (see ResponseCache.respond), then the page's
    site = (scope.get("scheme", "http"), host, scope.get("root_path", ""))
    return (*site, scope["path"], scope["query_string"], language, encoding)
