"""The fetcher: one polite, safe HTTP GET with conditional requests, retries and hard limits.

Every hop of a redirect chain is checked (scheme, resolved addresses, robots.txt) before it is
requested; the connection goes to the very addresses that were checked (no second DNS lookup for
rebinding to slip into) and the connected peer is checked again after; the body is decoded here
with a cap on the decompressed size; 5xx, 429 and connection errors are retried with exponential
backoff and jitter, honouring ``Retry-After``; each request waits for its turn at the host through
the injected :class:`HostGate` (the database-backed one holds across all workers).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import random
import ssl
import time
from collections import defaultdict
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urljoin

import httpx

from akhbar.errors import FetchError, HostBusy, RetryLater
from akhbar.fetch import guard, pinning
from akhbar.fetch.decoding import SUPPORTED, BoundedDecoder, TooLarge
from akhbar.fetch.policy import FetchPolicy
from akhbar.fetch.robots import RobotsCache
from akhbar.text.urls import host_of

log = logging.getLogger(__name__)
REDIRECTS = frozenset({301, 302, 303, 307, 308})
LEASE_MARGIN = 30.0  # seconds a host slot outlives the fetch's own time limit
MAX_CRAWL_DELAY = 60.0  # seconds: a robots.txt Crawl-delay above this is honoured as this
SLOT_RETRY = 1.0  # seconds after which a fetch that found all of a host's slots taken comes back


class HostGate(Protocol):
    """Per-host politeness; must hold across processes in production.

    ``wait_turn`` decides when a request to ``host`` may start; ``occupy`` holds one of the host's
    ``limit`` request slots for the length of a fetch (the lease runs out after ``lease`` seconds
    if the holder dies). Given a ``patience``, either waits at most that long, then raises
    :class:`HostBusy` without booking anything. ``wait_turn`` returns the time (epoch seconds) by
    which the request must have left, or None for any time: one later is not sent.
    """

    async def wait_turn(self, host: str, min_delay: float, patience: float | None = None) -> float | None: ...

    def occupy(
        self, host: str, limit: int, lease: float, patience: float | None = None
    ) -> AbstractAsyncContextManager[None]: ...


class NoGate:
    """No politeness at all: for tests of other rules and for one-off local use."""

    async def wait_turn(self, host: str, min_delay: float, patience: float | None = None) -> float | None:
        return None

    def occupy(
        self, host: str, limit: int, lease: float, patience: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()


@dataclass(frozen=True)
class FetchResult:
    """A fetched URL: ``url`` is the final one after redirects; 304 means unchanged (empty body)."""

    requested_url: str
    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    data: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    @property
    def content_type(self) -> str | None:
        return self.header("content-type")


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds asked by a Retry-After header (delta-seconds or HTTP date); None when absent or unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Fetcher:
    """An async HTTP client with akhbar's rules. Use as ``async with Fetcher(policy) as fetcher``.

    ``resolver`` answers the addresses of a host (the system's getaddrinfo by default); ``verify``
    is the TLS context that checks servers' certificates (the system's CAs by default). An
    injected ``transport`` (unit tests) replaces the pinned connections and the peer check.
    """

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        gate: HostGate | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: guard.Resolver = guard.system_resolver,
        verify: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy
        self.gate: HostGate = gate or NoGate()
        self._resolver = resolver
        timeout = httpx.Timeout(policy.timeout)
        headers = {"User-Agent": policy.user_agent, "Accept-Encoding": SUPPORTED}
        self._client = httpx.AsyncClient(
            timeout=timeout,
            headers=headers,
            follow_redirects=False,
            transport=transport or pinning.PinnedTransport(verify=verify),
            trust_env=False,
        )
        self._checks_peer = transport is None
        self._robots = RobotsCache(policy.user_agent, self._get_robots)
        self._slots: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(policy.host_concurrency)
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        patience: float | None = None,
        tries: int | None = None,
    ) -> FetchResult:
        """GET ``url`` under every rule; raises FetchError with the URL and the reason.

        With ``patience`` (seconds), the fetch waits at most that long for the host (a request
        slot, its turn for robots.txt and for the first request) and raises :class:`HostBusy`
        instead, before anything of it was sent but robots.txt (kept for the next try). Later
        waits (a redirect's next hop) happen in place: the request is under way.

        Retries after a transient failure (5xx, 429, a dropped connection) wait their backoff in
        place, unless ``tries`` is given (a job runner that can run the fetch again later): then a
        transient failure of the first request raises :class:`RetryLater` with the time of the
        retry and the tries made so far (``tries`` before this fetch, and its own), until the
        retries are used up and it fails as without.
        """
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        host = host_of(url)
        lease = self.policy.total_timeout + LEASE_MARGIN
        if patience is not None and self._slots[host].locked():  # this process holds every slot
            raise HostBusy(host, time.time() + SLOT_RETRY * random.uniform(0.8, 1.2))
        async with self._slots[host], self.gate.occupy(host, self.policy.host_concurrency, lease, patience):
            try:
                async with asyncio.timeout(self.policy.total_timeout):
                    return await self._follow(
                        url, conditional, robots=self.policy.obey_robots, patience=patience, tries=tries
                    )
            except TimeoutError:
                raise FetchError(
                    f"fetch: {url}: timed out after {self.policy.total_timeout:g} s", transient=True
                ) from None

    async def _get_robots(self, robots_url: str, patience: float | None) -> tuple[int, bytes]:
        try:
            result = await self._follow(robots_url, {}, robots=False, accept_errors=True, patience=patience)
        except TimeoutError:
            raise FetchError(f"fetch: {robots_url}: timed out", transient=True) from None
        return result.status, result.data

    async def _follow(
        self,
        url: str,
        headers: dict[str, str],
        *,
        robots: bool,
        accept_errors: bool = False,
        patience: float | None = None,
        tries: int | None = None,
    ) -> FetchResult:
        seen: set[str] = set()
        current = url
        for hop in range(self.policy.max_redirects + 1):
            seen.add(current)
            first = hop == 0
            response = await self._request(
                current,
                headers,
                robots=robots,
                patience=patience if first else None,
                tries=tries if first else None,
            )
            try:
                location = response.headers.get("location")
                if response.status_code in REDIRECTS and location:
                    target = urljoin(current, location)
                    if target in seen:
                        raise FetchError(f"fetch: {url}: redirect loop at {target}")
                    current = target
                    continue
                return await self._finish(url, current, response, accept_errors)
            finally:
                await response.aclose()
        raise FetchError(f"fetch: {url}: more than {self.policy.max_redirects} redirects")

    async def _request(
        self,
        url: str,
        headers: dict[str, str],
        *,
        robots: bool,
        patience: float | None,
        tries: int | None = None,
    ) -> httpx.Response:
        """One hop, retried on 5xx/429/connection errors; the response is open (streamed). With
        ``patience``, its first turn is not waited for longer than that (:class:`HostBusy`); with
        ``tries``, a retry is handed back (:class:`RetryLater`) instead of waited for here."""
        host, addresses = await guard.resolve_and_check(url, self.policy.allow_networks, self._resolver)
        crawl_delay = await self._robots.check(url, patience) if robots else 0.0
        delay = max(self.policy.host_delay, min(crawl_delay, MAX_CRAWL_DELAY))
        attempt = first = tries or 0
        while True:
            depart_by = await self.gate.wait_turn(host_of(url), delay, patience if attempt == first else None)
            try:
                with pinning.pinned(host, addresses, depart_by):
                    response = await self._send(url, headers)
            except pinning.MissedTurn as exc:  # nothing sent: another turn (the total timeout bounds this)
                log.info("fetch: %s: %s; waiting for another turn", url, exc)
                continue
            except (httpx.ConnectError, httpx.RemoteProtocolError) as exc:
                if attempt >= self.policy.retries:
                    raise FetchError(f"fetch: {url}: {_describe(exc)}", transient=True) from exc
                await self._wait_or_hand_back(
                    url, _describe(exc), self._backoff(attempt, None, url, str(exc)), attempt, tries
                )
                attempt += 1
                continue
            if response.status_code < 500 and response.status_code != 429:
                return response
            await response.aclose()
            reason = f"HTTP {response.status_code}"
            if attempt >= self.policy.retries:
                raise FetchError(f"fetch: {url}: {reason} after {attempt + 1} attempts", transient=True)
            wait = retry_after_seconds(response.headers.get("retry-after"))
            await self._wait_or_hand_back(
                url, reason, self._backoff(attempt, wait, url, reason), attempt, tries
            )
            attempt += 1

    @staticmethod
    async def _wait_or_hand_back(url: str, reason: str, wait: float, attempt: int, tries: int | None) -> None:
        """Wait ``wait`` seconds before the next try, or (``tries`` given) hand the retry back."""
        if tries is None:
            await asyncio.sleep(wait)
        else:
            raise RetryLater(url, reason, time.time() + wait, attempt + 1)

    async def _send(self, url: str, headers: dict[str, str]) -> httpx.Response:
        try:
            response = await self._client.send(
                self._client.build_request("GET", url, headers=headers), stream=True
            )
        except httpx.TimeoutException as exc:
            raise FetchError(
                f"fetch: {url}: timed out after {self.policy.timeout:g} s", transient=True
            ) from exc
        except httpx.InvalidURL as exc:
            raise FetchError(f"fetch: {url}: invalid URL: {exc}") from exc
        if self._checks_peer:
            try:
                self._check_peer(url, response)
            except FetchError:
                await response.aclose()
                raise
        return response

    def _check_peer(self, url: str, response: httpx.Response) -> None:
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if not peer:
            raise FetchError(f"fetch: {url}: cannot tell which address was reached; refusing")
        guard.check_address(url, str(peer[0]), self.policy.allow_networks)

    def _backoff(self, attempt: int, asked: float | None, url: str, reason: str) -> float:
        if asked is not None:
            wait = asked
        else:
            wait = self.policy.backoff * 2**attempt
            wait += random.uniform(0, wait / 2)  # jitter spreads retries of many workers apart
        if wait > self.policy.max_retry_wait:
            raise FetchError(
                f"fetch: {url}: {reason}, asked to wait {wait:.0f} s "
                f"(limit {self.policy.max_retry_wait:g} s)",
                transient=True,
            )
        log.info("fetch: %s: %s, retrying in %.1f s", url, reason, wait)
        return wait

    async def _finish(
        self, url: str, final: str, response: httpx.Response, accept_errors: bool
    ) -> FetchResult:
        status = response.status_code
        headers = tuple((k, v) for k, v in response.headers.multi_items())
        if status == 304:
            return FetchResult(url, final, status, headers, b"")
        if status >= 400 and not accept_errors:
            raise FetchError(f"fetch: {url}: HTTP {status}", transient=status in {408, 425})
        if status >= 300 and not accept_errors:
            raise FetchError(f"fetch: {url}: HTTP {status} without a usable Location")
        data = await self._read_body(url, response)
        return FetchResult(url, final, status, headers, data)

    async def _read_body(self, url: str, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.policy.max_bytes:
            raise FetchError(f"fetch: {url}: too large: {declared} bytes (limit {self.policy.max_bytes})")
        try:
            decoder = BoundedDecoder(response.headers.get("content-encoding"), self.policy.max_bytes)
        except ValueError as exc:
            raise FetchError(f"fetch: {url}: {exc}") from exc
        chunks: list[bytes] = []
        try:
            async for raw in response.aiter_raw():
                chunks.append(decoder.feed(raw))
        except TooLarge as exc:
            raise FetchError(f"fetch: {url}: too large: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise FetchError(
                f"fetch: {url}: timed out after {self.policy.timeout:g} s reading the body", transient=True
            ) from exc
        except httpx.TransportError as exc:
            raise FetchError(f"fetch: {url}: body cut short: {_describe(exc)}", transient=True) from exc
        except Exception as exc:  # zlib.error, brotli.error, zstandard.ZstdError on corrupt compressed data
            raise FetchError(f"fetch: {url}: cannot decompress body: {exc}") from exc
        return b"".join(chunks)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
