"""Rendered responses cached per data version, with ETag, Last-Modified, Cache-Control and 304s.

Pages go out with ``Cache-Control: no-cache``: a browser (or a shared cache) keeps them but asks again
with ``If-None-Match`` every time, and gets a bodiless 304 while nothing changed, so a reload just
after an editor flags breaking news shows it at once. The API and the feeds keep a short ``max-age``
(programs polling them do not need the newest second).

The data version (a hash of article and breaking-flag counters) is read at most once per ``ttl``
seconds per process, in the background while requests go on with the last version read, so a page is
at most about ``ttl`` seconds stale (``ttl=0`` reads it on every request, for tests). Every process
keeps its own small cache, which stays correct with many ``akhbar serve`` processes: each one reads
the same database versions.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from akhbar.services import portal
from akhbar.store import Store


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


class ResponseCache:
    """An LRU of rendered responses keyed by (request key, data version)."""

    def __init__(self, store: Store, *, ttl: float = 1.0, max_entries: int = 2048, max_age: int = 30) -> None:
        self.store = store
        self.ttl = ttl
        self.max_age = max_age
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._version: tuple[float, str, str] = (0.0, "", "")
        self._lock = threading.Lock()
        self._refreshing: asyncio.Future[None] | None = None
        self._rendering: dict[tuple[str, str], asyncio.Future[_Entry]] = {}

    def _refresh_version(self) -> tuple[str, str]:
        _, version, since = self._version
        fresh = portal.data_version(self.store)
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

    async def version(self) -> tuple[str, str]:
        """The data version: read once per ``ttl``; meanwhile requests go on with the last one read."""
        checked, version, since = self._version
        if not version or self.ttl <= 0:
            return await run_in_threadpool(self._refresh_version)
        if time.monotonic() - checked >= self.ttl and self._refreshing is None:
            self._refreshing = asyncio.ensure_future(self._refresh_in_background())
        return version, since

    async def respond(
        self,
        request: Request,
        key: str,
        render: Callable[[], Rendered],
        *,
        vary: str | None = None,
        cache_control: str | None = None,
    ) -> Response:
        version, since = await self.version()
        entry = self._entries.get((key, version))
        if entry is None:
            entry = await self._render_once((key, version), since, render)
        headers = {
            "ETag": entry.etag,
            "Last-Modified": entry.last_modified,
            "Cache-Control": cache_control or f"public, max-age={self.max_age}",
            **dict(entry.rendered.headers),
        }
        if vary:
            headers["Vary"] = vary
        if entry.etag in _etags(request.headers.get("if-none-match")):
            return Response(status_code=304, headers=headers)
        return Response(
            entry.rendered.body,
            status_code=entry.rendered.status_code,
            media_type=entry.rendered.media_type,
            headers=headers,
        )

    async def _render_once(self, slot: tuple[str, str], since: str, render: Callable[[], Rendered]) -> _Entry:
        """Render in a worker thread; concurrent requests for one page and version share one render."""
        pending = self._rendering.get(slot)
        if pending is not None and pending.get_loop() is asyncio.get_running_loop():
            return await asyncio.shield(pending)
        future: asyncio.Future[_Entry] = asyncio.get_running_loop().create_future()
        self._rendering[slot] = future
        try:
            rendered = await run_in_threadpool(render)
            digest = hashlib.blake2s(rendered.body, digest_size=12).hexdigest()
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


def _etags(header: str | None) -> set[str]:
    if not header:
        return set()
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}
