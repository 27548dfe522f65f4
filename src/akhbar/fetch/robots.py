"""robots.txt rules per host, parsed with protego, kept for an hour per fetcher.

Following RFC 9309: a robots.txt answering 4xx allows everything; one that cannot be fetched
(5xx, network error, refused address) disallows everything until it can.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from akhbar.errors import FetchError, HostBusy

log = logging.getLogger(__name__)
TTL_SECONDS = 3600.0
MAX_ROBOTS_BYTES = 500_000

# (url, patience) -> (status, body); raises FetchError when the file cannot be fetched at all, and
# HostBusy (not cached: nothing was learnt) when its host's turn is further off than ``patience``
GetRobots = Callable[[str, float | None], Awaitable[tuple[int, bytes]]]


@dataclass(frozen=True)
class Rules:
    parser: Protego | None
    unreachable: str | None
    expires: float

    def allows(self, url: str, user_agent: str) -> bool:
        if self.unreachable is not None:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float:
        if self.parser is None:
            return 0.0
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay else 0.0


class RobotsCache:
    """Fetches and remembers each origin's robots.txt (a cache of the site's rules, not of ours)."""

    def __init__(self, user_agent: str, get: GetRobots) -> None:
        self.user_agent = user_agent
        self._get = get
        self._rules: dict[str, Rules] = {}
        self._loading: dict[str, asyncio.Future[Rules]] = {}

    async def rules_for(self, url: str, patience: float | None = None) -> Rules:
        """The origin's rules: kept ones, else its robots.txt, asked for once however many fetches
        want it at the moment (the first pages of a feed start together; each asked for it)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._rules.get(origin)
        if cached is not None and cached.expires > time.monotonic():
            return cached
        loading = self._loading.get(origin)
        if loading is None:
            loading = self._loading[origin] = asyncio.ensure_future(self._remember(origin, patience))
        try:
            return await asyncio.shield(loading)  # one waiter cancelled does not cancel the others' load
        except HostBusy:
            if patience is not None:
                raise
            # the load waited only as long as the fetch that started it would: this one waits longer
            return await self.rules_for(url, patience)

    async def _remember(self, origin: str, patience: float | None) -> Rules:
        try:
            rules = self._rules[origin] = await self._load(origin + "/robots.txt", patience)
            return rules
        finally:
            del self._loading[origin]

    async def _load(self, robots_url: str, patience: float | None) -> Rules:
        expires = time.monotonic() + TTL_SECONDS
        try:
            status, body = await self._get(robots_url, patience)
        except FetchError as exc:
            log.info("robots: %s unreachable: %s", robots_url, exc)
            return Rules(None, str(exc), expires)
        if 400 <= status < 500:
            return Rules(None, None, expires)
        if status >= 500:
            return Rules(None, f"robots.txt answered HTTP {status}", expires)
        text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        return Rules(Protego.parse(text), None, expires)

    async def check(self, url: str, patience: float | None = None) -> float:
        """Raise FetchError if robots.txt forbids ``url``; returns the site's crawl delay."""
        rules = await self.rules_for(url, patience)
        if rules.unreachable is not None:
            raise FetchError(
                f"fetch: {url}: robots.txt unavailable, not fetching: {rules.unreachable}", transient=True
            )
        if not rules.allows(url, self.user_agent):
            raise FetchError(f"fetch: {url}: disallowed by robots.txt for {self.user_agent!r}")
        return rules.crawl_delay(self.user_agent)
