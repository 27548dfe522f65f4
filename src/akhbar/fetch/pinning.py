"""Connections go to the addresses the guard checked, never to a second answer from DNS.

httpx (through httpcore) resolves the host itself when it opens a connection; between the guard's
lookup and that one, a rebinding DNS server can switch a public answer for 127.0.0.1. Here the
network backend's ``connect_tcp`` is replaced: it connects to the addresses pinned for the host
by the current fetch (a context variable, so concurrent fetches never see each other's pins) and
refuses a host without a pin. Everything above the TCP socket is unchanged: the request's Host
header, and TLS with SNI and certificate verification, still use the URL's host name, and the
connection pool is still keyed by that name.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import httpcore
import httpx

__all__ = ["PinnedBackend", "PinnedTransport", "pinned"]


@dataclass(frozen=True)
class _Pin:
    host: str
    addresses: tuple[str, ...]


_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)  # httpx's
_PIN: ContextVar[_Pin | None] = ContextVar("akhbar_fetch_pin", default=None)


@contextmanager
def pinned(host: str, addresses: tuple[str, ...]) -> Iterator[None]:
    """Within this block, connections to ``host`` (as httpx spells it) go to ``addresses`` only."""
    token = _PIN.set(_Pin(host, addresses))
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
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
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
