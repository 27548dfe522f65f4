"""Serving the app with uvicorn, with a bound on the size of a request's head.

uvicorn's httptools protocol (what ``akhbar serve`` runs) reads request lines and headers of any
size: an 8 MB header was accepted. :class:`BoundedHead` refuses a head (request line and headers)
longer than :data:`MAX_HEAD_BYTES` with 431, or 414 when the URL alone is that long, and closes the
connection. It counts twice: the URL and each header as the parser hands them over (exact), and the
raw bytes received while a head is being read (so one endless header is cut off as it arrives,
before the parser has handed anything over).

:func:`serve` runs one process with the app given, or ``workers`` processes (uvicorn's supervisor,
which restarts a process that dies) that each build the app from the environment with
:func:`app_from_environment`. Proxy headers (``X-Forwarded-For``, ``-Proto``) are trusted only from
``forwarded_allow_ips``. One process runs :class:`AcceptingLoop`, uvloop accepting every waiting
connection when the listening socket wakes it, where libuv takes one per turn of the loop.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import gc
import logging
import os
import re
import socket
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

import uvicorn
import uvloop
from fastapi import FastAPI
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol, RequestResponseCycle
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

from akhbar.config import load_settings
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.web import balance
from akhbar.web.app import create_app
from akhbar.web.caching import FrontCache, Kept, header_lines

__all__ = [
    "FIRST_REQUEST_GRACE",
    "MAX_HEAD_BYTES",
    "AcceptingLoop",
    "BoundedHead",
    "Listener",
    "app_from_environment",
    "serve",
    "served",
    "settle",
]

log = logging.getLogger(__name__)

WORKER_HEALTHCHECK = 60  # seconds a serving process may not answer its supervisor before it is replaced
MAX_HEAD_BYTES = 32 * 1024  # request line and headers; nginx's default buffers hold 4 x 8 KiB
# Requests a kept-alive connection carries before it is closed (Apache's MaxKeepAliveRequests default).
# With several processes on one socket, the first awake after a burst of connections (a proxy's
# keep-alive pool, a load generator) takes most of them, and keeps them: 14 of 16 connections in one
# process served at the rate of one process. Each closed connection is opened again by its client
# and accepted by whichever process is free first, so the connections even out within seconds.
MAX_REQUESTS_PER_CONNECTION = 100
ACCEPTS_PER_WAKE = 128  # connections a listening socket's wake-up accepts at most (asyncio's backlog default)
ACCEPT_RETRY_SECONDS = 1.0  # out of file descriptors: accepting stops this long (as asyncio's loop does)
# Processes sharing a socket: one holding more connections than another leaves it the next one,
# listening again after this many seconds, at most this many times in a row (Listener).
BALANCE_WAIT, BALANCE_WAITS = 0.002, 8
# Seconds a connection accepted just before a graceful shutdown (a reload, a stop) has to send the
# request it was opened for; it is answered with "Connection: close", or closed unused after them.
FIRST_REQUEST_GRACE = 2.0
_REASONS = {414: b"URI Too Long", 431: b"Request Header Fields Too Large"}


class HeadTooLarge(Exception):
    """Raised inside the parser's callbacks; uvicorn stops parsing and answers (see send_400_response)."""


class OneSend:
    """A response cycle's transport that holds the response's head until the body's first bytes, so
    both leave in one ``send()``. uvicorn wrote them apart: on a cached page the two system calls
    (and the two segments the reader is woken for) were half of the server's CPU.

    Only the first write after the response started is held (a ``100 Continue`` goes out before
    that, at once). It leaves with the body, or alone when the response ends without body bytes
    (HEAD, 304) or the connection is closed."""

    __slots__ = ("_cycle", "_finished", "_held", "_started", "_transport")

    def __init__(self, transport: asyncio.Transport, cycle: RequestResponseCycle) -> None:
        self._transport = transport
        self._cycle: RequestResponseCycle | None = cycle
        self._held: bytes | None = None
        self._started = False
        self._finished = cycle.on_response
        cycle.transport = self  # type: ignore[assignment]  # what the cycle uses of a transport, and more
        cycle.on_response = self.finish

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._held is not None:
            data, self._held = self._held + data, None
        elif not self._started and self._cycle is not None and self._cycle.response_started:
            self._started, self._held = True, bytes(data)
            return
        self._transport.write(data)

    def flush(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            self._transport.write(held)

    def finish(self) -> None:
        """The response is complete: its head goes out if no body bytes took it. The cycle is let
        go: it refers to this transport, and this to it, and such a pair waited for the garbage
        collector with all it held (the request's scope, the app's closures and the answer they
        kept), about 17 objects a request. With collections as rare as :func:`settle` makes them,
        a process serving searches grew from 218 to 572 MB before this."""
        self.flush()
        self._cycle = None
        self._finished()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, ...: the transport's own
        return getattr(self._transport, name)


async def _nothing(scope: Any, receive: Any, send: Any) -> None:
    return None


def _at_once(step: Any) -> None:
    """Run a coroutine that finishes without waiting (a middleware around :func:`_nothing`)."""
    try:
        step.send(None)
    except StopIteration:
        return
    step.close()
    raise RuntimeError("a coroutine expected to finish at once waited")


@functools.lru_cache(maxsize=8)
def _front_of(app: Any) -> tuple[FrontCache | None, tuple[Any, ...]]:
    """The front cache inside uvicorn's app (``served``), and copies of the proxy-headers middleware
    around it with nothing inside: what changes the scope before the front cache sees it."""
    proxies: list[Any] = []
    while isinstance(app, ProxyHeadersMiddleware):
        proxy = copy.copy(app)
        proxy.app = _nothing
        proxies.append(proxy)
        app = app.app
    # anything else around it (uvicorn's message logger, at trace level) sees every request
    return (app, tuple(proxies)) if isinstance(app, FrontCache) else (None, ())


def _forwarded(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a request carries a header a proxy forwards (``X-Forwarded-*``, ``Forwarded``): without
    one, uvicorn's proxy-headers middleware leaves the scope as it is, and is not run for an answer
    given at once (it was a tenth of the CPU of a cached page: a coroutine and a copy of the scope)."""
    for name, _ in headers:  # noqa: SIM110  # a loop, not any() over a generator: a third of the time
        if name[:12] == b"x-forwarded-" or name == b"forwarded":
            return True
    return False


_LAYOUT_FIELDS = re.compile(r"%\((\w+)\)")
_RECORDLESS = frozenset({"levelname", "levelno", "name", "message"})  # the same in every record at INFO


class AccessLines:
    """uvicorn's access logger, each line written straight into a handler that takes lines formatted
    (``add_line``: :class:`akhbar.cli.logs.BatchedStream`) when its layout needs nothing of a record
    but the level and the logger's name, as ``akhbar serve``'s text log has it. The line is the one
    the logger would have written; making, filtering and formatting a record for it was a sixth of the
    CPU of a cached page. Any other set-up (JSON lines, a filter, several handlers, records passed on
    to the root, a level above INFO) goes through the logger."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self._seen: tuple[object, object] = (None, None)  # the handler and formatter _parts is of
        self._parts: tuple[Callable[[str], None], str, str] | None = None

    def info(self, message: str, *args: object) -> None:
        direct = self._direct()
        if direct is None:
            self.logger.info(message, *args)
            return
        add, before, after = direct
        add(before + message % args + after)

    def _direct(self) -> tuple[Callable[[str], None], str, str] | None:
        logger = self.logger
        if logger.propagate or logger.filters or len(logger.handlers) != 1:
            return None
        handler = logger.handlers[0]
        if handler.filters or handler.level > logging.INFO or not logger.isEnabledFor(logging.INFO):
            return None
        if (handler, handler.formatter) != self._seen:
            self._seen, self._parts = (handler, handler.formatter), _line_parts(logger.name, handler)
        return self._parts


def _line_parts(name: str, handler: logging.Handler) -> tuple[Callable[[str], None], str, str] | None:
    """(the handler's ``add_line``, what its layout puts before the message, and after it), or None
    when the layout reads more of a record than :data:`_RECORDLESS` (a time, a thread...)."""
    add = getattr(handler, "add_line", None)
    formatter = handler.formatter
    if add is None or type(formatter) is not logging.Formatter:  # a subclass formats its own way
        return None
    style = formatter._style
    if type(style) is not logging.PercentStyle or not set(_LAYOUT_FIELDS.findall(style._fmt)) <= _RECORDLESS:
        return None
    line = formatter.format(logging.LogRecord(name, logging.INFO, "", 0, "\0", None, None))
    if line.count("\0") != 1:
        return None
    before, _, after = line.partition("\0")
    return add, before, after


_access_lines: dict[logging.Logger, AccessLines] = {}


_written: tuple[object, bytes] = (None, b"")


def _server_headers(headers: list[tuple[bytes, bytes]]) -> bytes:
    """uvicorn's own headers (date, server), as lines; uvicorn makes a new list each second."""
    global _written
    held, lines = _written
    if held is not headers:
        lines = header_lines(headers)
        _written = (headers, lines)
    return lines


class BoundedHead(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a request head longer than :data:`MAX_HEAD_BYTES`,
    closing a kept-alive connection after :data:`MAX_REQUESTS_PER_CONNECTION` requests, and
    answering the request a connection was opened for when a graceful shutdown comes first
    (:meth:`shutdown`)."""

    max_head_bytes = MAX_HEAD_BYTES
    max_requests = MAX_REQUESTS_PER_CONNECTION
    _requests = 0  # on this connection
    _received = 0  # raw bytes since the head being read began (or the last head or message ended)
    _head = 0  # bytes of URL and headers the parser handed over for the head being read
    _url = 0
    _reading_head = True
    _refusal: int | None = None
    _last_call = False  # a shutdown began: the next answer closes the connection

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        logger = self.access_logger
        lines = _access_lines.get(logger)
        if lines is None:
            lines = _access_lines[logger] = AccessLines(logger)
        self.access_logger = lines  # type: ignore[assignment]  # all a cycle calls of it is info()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        shares = balance.current()
        if shares is not None:
            shares.opened()

    def connection_lost(self, exc: Exception | None) -> None:
        shares = balance.current()
        if shares is not None:
            shares.closed()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._received += len(data)
        super().data_received(data)
        if self._reading_head and self._received > self.max_head_bytes and not self.transport.is_closing():
            self._refuse(414 if self._url > self.max_head_bytes else 431)

    def on_message_begin(self) -> None:
        self._reading_head, self._head, self._url = True, 0, 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._url += len(url)
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)  # "name: value\r\n"
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading_head, self._received = False, 0
        super().on_headers_complete()

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        """Start answering ``cycle`` (now, or after the answers pipelined before it): at once when
        the front cache holds its answer (:meth:`_answer_at_once`), else in a task running the app.

        Requests pipelined behind one whose answer closed the connection are not answered (the
        parser hands them over after the close when answers are given at once)."""
        if self.transport.is_closing():
            return
        OneSend(self.transport, cycle)
        self._requests += 1
        if self._requests >= self.max_requests or self._last_call:
            cycle.keep_alive = False  # answered with "Connection: close"
        front, proxies = _front_of(self.app)
        ready: Kept | None = None
        scope: Any = cycle.scope
        if front is not None and not self.flow.write_paused:
            if proxies and _forwarded(scope["headers"]):  # the scope as the front cache sees it
                scope = dict(scope)
                for proxy in proxies:
                    _at_once(proxy(scope, None, None))
            ready = front.ready(scope)
        if ready is None:
            super()._start_asgi_task(cycle, app)
        else:
            self._answer_at_once(cycle, ready, scope)

    def _answer_at_once(self, cycle: RequestResponseCycle, ready: Kept, scope: Any) -> None:
        """What :meth:`RequestResponseCycle.send` does for an answer of two messages, in one write,
        with the head as the front cache kept it (its headers were checked when it was first sent).

        A cached page went through a task, the proxy-headers middleware, the front cache's
        coroutine and uvicorn's per-header checks; answering it here cost less than half as much."""
        started = time.perf_counter()
        cycle.response_started, cycle.waiting_for_100_continue = True, False
        if cycle.access_log:  # the client as the proxy headers name it
            cycle.access_logger.info(
                '%s - "%s %s HTTP/%s" %d',
                get_client_addr(scope),
                scope["method"],
                get_path_with_query_string(scope),
                scope["http_version"],
                ready.start["status"],
            )
        content = [
            STATUS_LINE[ready.start["status"]],
            _server_headers(self.server_state.default_headers),
            ready.head,
        ]
        if not cycle.keep_alive:
            content.append(b"connection: close\r\n")
        content += [b"\r\n", ready.body]
        self.transport.write(b"".join(content))
        cycle.response_complete = True
        cycle.message_event.set()
        if not cycle.keep_alive:
            self.transport.close()
        ready.counted.inc()
        ready.timed.observe(time.perf_counter() - started)
        ready.repeated(scope)
        cycle.on_response()

    def on_message_complete(self) -> None:
        self._received = 0
        super().on_message_complete()

    def shutdown(self) -> None:
        """A graceful shutdown's word to this connection (uvicorn's server sends it to each).

        uvicorn closes a connection with no answer under way at once. One accepted a moment before
        has had no time to send the request it was opened for (nor has one whose request is still
        arriving): a reload (``SIGHUP``, which replaces the processes one by one) dropped such a
        request now and then, the client seeing the connection closed without an answer. Such a
        connection gets :data:`FIRST_REQUEST_GRACE` seconds: its request is answered with
        "Connection: close", or it is closed unused after them. A kept-alive connection idle between
        requests is closed at once, as before (its client may not send another)."""
        awaited = self._requests == 0 or self._received > 0
        if not (self._idle() and awaited) or self.transport.is_closing():
            super().shutdown()
            return
        self._last_call = True
        self.loop.call_later(FIRST_REQUEST_GRACE, self._close_unused)

    def _close_unused(self) -> None:
        if self._idle() and not self.transport.is_closing():
            self.transport.close()

    def _idle(self) -> bool:
        """Whether no answer is under way on this connection (none begun, or the last one sent)."""
        return self.cycle is None or self.cycle.response_complete

    def _count(self, size: int) -> None:
        self._head += size
        if self._head > self.max_head_bytes:
            self._refusal = 414 if self._url > self.max_head_bytes else 431
            raise HeadTooLarge

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a parser error, which is ours when a callback found the head too large."""
        if self._refusal is None:
            super().send_400_response(msg)
        else:
            self._refuse(self._refusal)

    def _refuse(self, status: int) -> None:
        log.warning("web: a request head over %d bytes refused with %d", self.max_head_bytes, status)
        message = b"The request's head is too large\n"
        if self._idle():
            self.transport.write(
                b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
                b"connection: close\r\n\r\n%s" % (status, _REASONS[status], len(message), message)
            )
        self.transport.close()


class Listener(asyncio.AbstractServer):
    """Listening sockets whose waiting connections are all accepted each time one wakes the loop.

    libuv (uvloop's engine) accepts one connection per turn of the loop, so that processes sharing
    a socket take turns. A turn of akhbar's loop renders every request read in the turn before
    (uncached pages render on the loop: :class:`akhbar.web.caching.ResponseCache`): 32 busy
    connections made a turn about 50 ms long, and a connection opened meanwhile waited a turn per
    connection ahead of it to be accepted. Connections a kept-alive client reopens (each is closed
    after :data:`MAX_REQUESTS_PER_CONNECTION` requests) queued so: random article pages had a p99 of
    400-740 ms against a median of 45 ms, 100-115 ms accepting them all at once.

    Each accepted socket becomes a uvloop transport (``connect_accepted_socket``) with
    ``TCP_NODELAY``, as the loop's own server would make it. With no file descriptor left, accepting
    stops for :data:`ACCEPT_RETRY_SECONDS`, as asyncio's own loop does.

    Processes sharing a socket (``akhbar serve --workers N``) take one connection per wake-up, and
    one holding more connections than another lets that one take it: it stops listening for
    :data:`BALANCE_WAIT` seconds, at most :data:`BALANCE_WAITS` times in a row, then takes it
    whatever the others hold (they may all be busy). The counts are shared through
    :mod:`akhbar.web.balance`. Accepting every waiting connection there kept a whole burst in one
    process (32 connections in one of 2 processes served random articles at 401 requests a second,
    against 811-905 shared)."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sockets: list[socket.socket],
        protocol_factory: Any,
        backlog: int,
        shares: balance.Shares | None = None,
    ) -> None:
        self._loop, self._sockets = loop, sockets
        self._protocol_factory, self._backlog = protocol_factory, backlog
        self._serving = False
        self._connecting: set[asyncio.Task[None]] = set()
        self._shares = shares
        self._waits = 0  # wake-ups in a row left to another process

    def start(self) -> None:
        for listening in self._sockets:
            listening.setblocking(False)
            listening.listen(self._backlog)
            self._loop.add_reader(listening.fileno(), self.accept, listening)
        self._serving = True

    def accept(self, listening: socket.socket) -> None:
        """Accept what waits on ``listening`` (at most :data:`ACCEPTS_PER_WAKE`, one when processes
        share it; the rest wake it again)."""
        if self._shares is not None and self._leave_to_another():
            self._loop.remove_reader(listening.fileno())
            self._loop.call_later(BALANCE_WAIT, self._resume, listening)
            return
        for _ in range(ACCEPTS_PER_WAKE if self._shares is None else 1):
            try:
                connection, _ = listening.accept()
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionAbortedError:
                continue  # the client gave up before it was accepted
            except OSError as exc:  # EMFILE, ENFILE, ENOBUFS, ENOMEM: let requests under way finish
                log.error(
                    "web: accepting connections failed (%s); trying again in %.0f s",
                    exc,
                    ACCEPT_RETRY_SECONDS,
                )
                self._loop.remove_reader(listening.fileno())
                self._loop.call_later(ACCEPT_RETRY_SECONDS, self._resume, listening)
                return
            connection.setblocking(False)
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            task = self._loop.create_task(self._connect(connection))
            self._connecting.add(task)
            task.add_done_callback(self._connecting.discard)

    def _leave_to_another(self) -> bool:
        """Whether another process holds fewer connections than this one and may take the next
        (up to :data:`BALANCE_WAITS` times in a row)."""
        assert self._shares is not None
        fewest = self._shares.fewest_elsewhere()
        if (
            fewest is None
            or self._shares.open + len(self._connecting) <= fewest
            or self._waits >= BALANCE_WAITS
        ):
            self._waits = 0
            return False
        self._waits += 1
        return True

    def _resume(self, listening: socket.socket) -> None:
        if self._serving:
            self._loop.add_reader(listening.fileno(), self.accept, listening)

    async def _connect(self, connection: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._protocol_factory, connection)
        except Exception:  # the connection alone is lost; the listener goes on
            log.exception("web: an accepted connection could not be set up")
            connection.close()

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return tuple(self._sockets)

    def close(self) -> None:
        """Stop accepting; connections already accepted are the server's to close."""
        if not self._serving:
            return
        self._serving = False
        for listening in self._sockets:
            self._loop.remove_reader(listening.fileno())
            listening.close()
        if self._shares is not None:
            self._shares.close()

    def is_serving(self) -> bool:
        return self._serving

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    async def start_serving(self) -> None:
        if not self._serving:
            self.start()

    async def serve_forever(self) -> None:
        await self.start_serving()
        await self._loop.create_future()  # until cancelled

    async def wait_closed(self) -> None:
        return None


class AcceptingLoop(uvloop.Loop):
    """uvloop whose TCP servers are :class:`Listener`s (TLS servers stay uvloop's own). The server
    binds its sockets as uvloop binds them; the listener listens on copies of them."""

    async def create_server(  # type: ignore[override]  # uvloop's signature, all of it passed on
        self,
        protocol_factory: Any,
        host: Any = None,
        port: Any = None,
        *,
        sock: socket.socket | None = None,
        backlog: int = 100,
        ssl: Any = None,
        start_serving: bool = True,
        **options: Any,
    ) -> asyncio.AbstractServer:
        if ssl is not None:
            return await super().create_server(
                protocol_factory,
                host,
                port,
                sock=sock,
                backlog=backlog,
                ssl=ssl,
                start_serving=start_serving,
                **options,
            )
        bound = await super().create_server(
            protocol_factory, host, port, sock=sock, backlog=backlog, start_serving=False, **options
        )
        sockets = [socket.socket(fileno=os.dup(s.fileno())) for s in cast(asyncio.Server, bound).sockets]
        bound.close()
        listener = Listener(self, sockets, protocol_factory, backlog, balance.joined())
        if start_serving:
            listener.start()
        return listener


def served(app: FastAPI) -> ASGIApp:
    """What the server runs: ``app`` behind its front cache (answers the response cache gave, given
    again without going through the app's layers; see :class:`akhbar.web.caching.FrontCache`)."""
    return FrontCache(app, app.state.cache)


def app_from_environment() -> ASGIApp:
    """The app of one of several serving processes, from the settings in the environment (the
    parent passes its command-line settings down as ``AKHBAR_*`` variables), behind its front cache."""
    settings = load_settings()
    store = Store(settings.database_url, create=False)
    grouping = Grouping.from_settings(settings)
    app = served(create_app(store, site_name=settings.site_name, settings=settings, grouping=grouping))
    settle()
    return app


COLLECT_AFTER = (10_000, 10, 10)  # gc.set_threshold's values in a serving process (see settle)


def settle() -> None:
    """Ready a serving process once its app is built.

    Everything alive (modules, tables, templates, caches filled at start-up) moves out of the garbage
    collector's sight (``gc.freeze``). Its full collections walked all of it: one took about 220 ms
    in a serving process with 100k articles (every request under way waited), 13 ms after this.

    Young collections wait for 10,000 new objects instead of 700: answered requests are freed as
    they end (no reference cycle is left behind, :meth:`OneSend.finish`), so the collections found
    little but cost every request its share. Measured over 6 s each of random story, article and
    search pages: at 700, 225 to 275 ms of collections (about 4% of the time), the longest pause 19
    to 38 ms; at 10,000, 33 to 97 ms, the longest 11 to 33 ms; at 50,000, 38 to 83 ms, but each
    young collection then took 38 to 83 ms, a pause every request under way waited for.

    Log records stop carrying what no format of akhbar's prints: the calling function and line (a
    walk up the stack for every record), the thread and the multiprocessing process name, as the
    logging HOWTO's "Optimization" section says. The access log writes a record per request."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*COLLECT_AFTER)
    logging._srcfile = None  # documented in the HOWTO, though named as private
    logging.logThreads = False
    logging.logMultiprocessing = False


def serve(
    app: FastAPI | None,
    *,
    host: str,
    port: int,
    log_level: str,
    workers: int = 1,
    forwarded_allow_ips: str = "127.0.0.1",
    log_config: Mapping[str, object] | None = None,
) -> None:
    """Serve ``app`` (or, with ``workers`` > 1, ``workers`` processes building their own) on
    ``host``:``port`` until interrupted, request heads bounded, behind the front cache.

    uvicorn it is: granian (a Rust HTTP server) was measured beside it on the same pages and cost
    the same CPU per request (0.33 ms on a cached page, 2.2 ms on an article), the time being in
    the app; the bound on request heads above is written for uvicorn's parser."""
    single = workers == 1 and app is not None
    target: ASGIApp | str = served(app) if single and app is not None else f"{__name__}:app_from_environment"
    if not isinstance(target, str):
        settle()  # each process of several settles once it has built its app
    several = isinstance(target, str) and workers > 1
    if several:  # the processes share their counts of connections (balance)
        os.environ[balance.ENV] = balance.create()
    try:
        uvicorn.run(
            target,
            factory=isinstance(target, str),
            workers=workers if isinstance(target, str) else None,
            host=host,
            port=port,
            log_level=log_level,
            log_config=dict(log_config) if log_config is not None else uvicorn.config.LOGGING_CONFIG,
            http=BoundedHead,
            loop=f"{__name__}:AcceptingLoop",  # see Listener: one process, or several sharing the socket
            ws="none",
            proxy_headers=bool(forwarded_allow_ips),
            forwarded_allow_ips=forwarded_allow_ips or None,
            # a process answers the supervisor's pings only once it has imported the web stack, which
            # takes seconds on a busy machine: the 5 s default killed every process before it served
            timeout_worker_healthcheck=WORKER_HEALTHCHECK,
        )
    finally:
        if several:
            Path(os.environ.pop(balance.ENV)).unlink(missing_ok=True)
