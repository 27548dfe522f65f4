"""The address guard: the fetcher must never be turned against the network it runs in.

A URL is refused when its scheme is not http(s), or when its host resolves to (or the connection
actually reached) a loopback, private, link-local, multicast, reserved or otherwise non-global
address, unless that address lies in one of the operator's allowed networks
(``AKHBAR_FETCH_ALLOW_NETWORKS``).

Each hop's host is resolved exactly once, by :func:`resolve_and_check`; every address of the
answer must pass, and the fetcher then connects only to those addresses (see
:mod:`akhbar.fetch.pinning`), never asking DNS again. A name that answers a public address to the
check and a private one a moment later (DNS rebinding) therefore never reaches the private one.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from urllib.parse import urlsplit

import httpx

from akhbar.errors import FetchError

__all__ = [
    "Network",
    "Resolver",
    "check_address",
    "check_url",
    "parse_networks",
    "resolve_and_check",
    "system_resolver",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = ("http", "https")

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""``resolver(host, port)`` -> the host's addresses; raises OSError (socket.gaierror) when it has none."""


#: How long the system's answer for a name is used before it is asked again. Browsers keep answers
#: a minute too; a feed's pages on one host then cost one lookup (often a DNS round trip: Debian
#: keeps no cache by default), not one per page. Answers are checked at each use all the same.
ANSWER_SECONDS = 60.0
ANSWERS_KEPT = 4096  # names whose answers are kept at most (the expired go first, else the oldest)
_answers: dict[str, tuple[float, tuple[str, ...]]] = {}


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """The system's answer (``getaddrinfo`` through the event loop, in a thread) as address strings,
    kept :data:`ANSWER_SECONDS`; an address is its own answer, with no lookup."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    now = time.monotonic()
    kept = _answers.get(host)
    if kept is not None and kept[0] > now:
        return list(kept[1])
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found = tuple(str(info[4][0]) for info in infos)
    if len(_answers) >= ANSWERS_KEPT:
        expired = [name for name, (until, _) in _answers.items() if until <= now]
        for name in expired or [next(iter(_answers))]:
            del _answers[name]
    _answers[host] = (now + ANSWER_SECONDS, found)
    return list(found)


def parse_networks(text: str) -> tuple[Network, ...]:
    """Comma-separated CIDRs (as validated by the settings) as network objects."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in text.split(",") if item.strip())


def _forbidden(address: Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _forbidden(address.ipv4_mapped)
    for label, flag in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    ):
        if flag:
            return label
    return None if address.is_global else "non-global"


def check_address(url: str, address: str, allowed: Iterable[Network]) -> None:
    """Raise FetchError when ``address`` is not a public one and not in ``allowed``."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError as exc:
        raise FetchError(f"fetch: {url}: unusable address {address!r}") from exc
    label = _forbidden(ip)
    if label is None or any(ip in network for network in allowed):
        return
    raise FetchError(f"fetch: {url}: refused: {ip} is a {label} address (see AKHBAR_FETCH_ALLOW_NETWORKS)")


def check_url(url: str) -> tuple[str, int]:
    """Refuse non-http(s) schemes and URLs without a host; returns (host, port).

    The host is spelled as httpx will connect to it (lower case, IDNA-encoded, IPv6 without
    brackets), so that the name resolved here is the name the connection is pinned for.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
        host = httpx.URL(url).raw_host.decode("ascii")
    except (ValueError, httpx.InvalidURL) as exc:
        raise FetchError(f"fetch: {url}: invalid URL: {exc}") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise FetchError(f"fetch: {url}: refused: scheme {parts.scheme or 'none'!r} is not http or https")
    if not parts.hostname or not host:
        raise FetchError(f"fetch: {url}: invalid URL: no host")
    return host, port or (443 if parts.scheme.lower() == "https" else 80)


async def resolve_and_check(
    url: str, allowed: Iterable[Network], resolver: Resolver = system_resolver
) -> tuple[str, tuple[str, ...]]:
    """Resolve the URL's host once; refuse it if any of its addresses is forbidden.

    Returns the host and the checked addresses, the only ones the fetcher may connect to.
    """
    host, port = check_url(url)
    allowed = tuple(allowed)
    try:
        answer = await resolver(host, port)
    except OSError as exc:
        raise FetchError(
            f"fetch: {url}: cannot resolve {host}: {exc.strerror or exc}", transient=True
        ) from exc
    addresses = tuple(dict.fromkeys(answer))
    if not addresses:
        raise FetchError(f"fetch: {url}: cannot resolve {host}: no addresses", transient=True)
    for address in addresses:
        check_address(url, address, allowed)
    return host, addresses
