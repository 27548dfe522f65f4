"""Connections go to the addresses the guard checked, never to a second answer from DNS.

httpx (through httpcore) resolves the host itself when it opens a connection; between the guard's
lookup and that one, a rebinding DNS server can switch a public answer for 127.0.0.1. Here the
network backend's ``connect_tcp`` is replaced: it connects to the addresses pinned for the host
by the current fetch (a context variable, so concurrent fetches never see each other's pins) and
refuses a host without a pin. Everything above the TCP socket is unchanged: the request's Host
header, and TLS with SNI and certificate verification, still use the URL's host name, and the
connection pool is still keyed by that name.

A pin may also carry the time by which the request must leave (its turn at the host, see the host
gate): the request is written only if that time has not passed, else :class:`MissedTurn` is
raised with nothing sent, so a process that woke up late cannot send closer to the host's
previous request than its delay allows.
"""

from __future__ import annotations

import select
import socket
import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import cast

import httpcore
import httpx

__all__ = ["MissedTurn", "PinnedBackend", "PinnedTransport", "pinned"]


class MissedTurn(Exception):
    """The request would have left after the time its turn at the host allowed; nothing was sent."""


@dataclass(frozen=True, eq=False)
class _Pin:
    host: str
    addresses: tuple[str, ...]
    depart_by: float | None = None  # epoch seconds; None: any time


_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)  # httpx's
_PIN: ContextVar[_Pin | None] = ContextVar("akhbar_fetch_pin", default=None)


@contextmanager
def pinned(host: str, addresses: tuple[str, ...], depart_by: float | None = None) -> Iterator[None]:
    """Within this block, connections to ``host`` (as httpx spells it) go to ``addresses`` only, and
    a request is written only until ``depart_by`` (epoch seconds; :class:`MissedTurn` after)."""
    token = _PIN.set(_Pin(host, addresses, depart_by))
    try:
        yield
    finally:
        _PIN.reset(token)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects to the pinned addresses, in order, and nowhere else."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        pin = _PIN.get()
        if pin is None or pin.host != host:
            raise httpcore.ConnectError(f"no checked address for {host}; refusing to resolve it again")
        failure: Exception = httpcore.ConnectError(f"no checked address for {host}")
        for address in pin.addresses:
            try:
                stream = await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
                return _Punctual(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # like getaddrinfo's users, try the next address of the answer
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("the fetcher does not connect to unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Punctual(httpcore.AsyncNetworkStream):
    """A connection that writes a fetch's request only before the pin's ``depart_by``."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._checked: _Pin | None = None  # the fetch whose request already left on this connection
        self._extra: dict[str, object] = {}  # what the connection says of itself (but is_readable)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        pin = _PIN.get()
        if pin is not None and pin is not self._checked:
            if pin.depart_by is not None and time.time() > pin.depart_by:
                raise MissedTurn(f"{pin.host}: {time.time() - pin.depart_by:.3f} s past the turn")
            self._checked = pin
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _Punctual(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> object:
        """As the inner stream answers; kept but for ``is_readable`` (anyio makes every attribute of
        the socket each time one is asked for, and the fetcher asks for the peer at every fetch).

        ``is_readable`` is asked of every pooled connection each time the pool hands one out (an
        idle connection the server has closed reads its end at once): it polls the kept socket,
        as the inner stream would after making all of the socket's attributes. That was a tenth of
        the fetching loop's CPU.
        """
        if info == "is_readable":
            return _readable(cast("socket.socket | None", self.get_extra_info("socket")))
        if info not in self._extra:
            self._extra[info] = self._inner.get_extra_info(info)
        return self._extra[info]


def _readable(sock: socket.socket | None) -> bool:
    """Whether a read on ``sock`` would return at once (data, or the end of a closed connection);
    a socket that is gone counts as readable, its next read being the end."""
    number = -1 if sock is None else sock.fileno()
    if number < 0:
        return True
    poller = select.poll()
    poller.register(number, select.POLLIN)
    return bool(poller.poll(0))


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (request/response mapping, errors, pooling) over a :class:`PinnedBackend`.

    httpx has no public way to hand its transport a network backend, so the connection pool it
    builds is replaced by one built the same way with the pinned backend; the fetcher's rebinding
    tests fail if a new httpx stops using ``_pool``.
    """

    def __init__(self, *, verify: ssl.SSLContext | None = None) -> None:
        context = verify or httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=context, trust_env=False, limits=_LIMITS)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=_LIMITS.max_connections,
            max_keepalive_connections=_LIMITS.max_keepalive_connections,
            keepalive_expiry=_LIMITS.keepalive_expiry,
            network_backend=PinnedBackend(),
        )
