"""The address guard: the fetcher must never be turned against the network it runs in.

A URL is refused when its scheme is not http(s), or when its host resolves to (or the connection
actually reached) a loopback, private, link-local, multicast, reserved or otherwise non-global
address, unless that address lies in one of the operator's allowed networks
(``AKHBAR_FETCH_ALLOW_NETWORKS``). The fetcher checks every redirect hop before connecting and the
connected peer after, so DNS rebinding between the two checks is caught too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from akhbar.errors import FetchError

__all__ = ["Network", "check_address", "check_url", "parse_networks", "resolve_and_check"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = ("http", "https")


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
    """Refuse non-http(s) schemes and URLs without a host; returns (host, port)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"fetch: {url}: invalid URL: {exc}") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise FetchError(f"fetch: {url}: refused: scheme {parts.scheme or 'none'!r} is not http or https")
    if not parts.hostname:
        raise FetchError(f"fetch: {url}: invalid URL: no host")
    return parts.hostname, port or (443 if parts.scheme.lower() == "https" else 80)


async def resolve_and_check(url: str, allowed: Iterable[Network]) -> None:
    """Resolve the URL's host and refuse it if any of its addresses is forbidden."""
    host, port = check_url(url)
    allowed = tuple(allowed)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchError(
            f"fetch: {url}: cannot resolve {host}: {exc.strerror or exc}", transient=True
        ) from exc
    for info in infos:
        check_address(url, str(info[4][0]), allowed)
