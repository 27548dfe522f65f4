"""What wraps the whole app: security headers on every answer, and HEAD answered wherever GET is.

**Headers.** Every answer (pages, feeds, API, static files, errors) carries a Content-Security-Policy,
``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and a Referrer-Policy, unless the
route set its own (the newsroom sends ``Referrer-Policy: same-origin``). The policy, :data:`POLICY`,
allows scripts, styles, fonts and images from this site only (no inline script, no ``eval``; photos
are akhbar's own copies, akhbar.services.images, so a reader's browser never contacts a source's
host), no plugins, no ``<base>``, forms posted
here only, and no framing. The Swagger UI pages (:data:`INLINE_SCRIPT_PAGES`) start with an inline
script: their policy allows exactly that script, by its SHA-256, and the ``data:`` SVG icons Swagger UI
draws (checked in Chromium: tests/test_browser.py).

**Metrics.** :class:`RequestMetrics` counts every answer by method, route template and status and
times it (:mod:`akhbar.web.telemetry`).

**HEAD.** FastAPI routes answer the methods they declare, so HEAD was 405 everywhere. A HEAD request
is handled as a GET and answered with its status and headers (Content-Length included) and no body.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from akhbar.web.telemetry import LATENCY, REQUESTS, route_template

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = (
    (b"content-security-policy", POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)
INLINE_SCRIPT_PAGES = frozenset({"/api/docs", "/api/docs/oauth2-redirect"})
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def with_headers(message: Message, headers: Iterable[tuple[bytes, bytes]]) -> Message:
    """The response start ``message`` with ``headers`` added, except those it already has (the first
    of ``headers`` with a name wins over the others)."""
    merged = [(name, value) for name, value in message.get("headers", ())]
    names = {name.lower() for name, _ in merged}
    for name, value in headers:
        if name not in names:
            merged.append((name, value))
            names.add(name)
    return {**message, "headers": merged}


def inline_script_policy(html: bytes) -> bytes:
    """:data:`DOCS_POLICY` allowing each inline script of ``html`` by its SHA-256 and nothing else."""
    digests = (hashlib.sha256(script).digest() for script in _INLINE_SCRIPT.findall(html))
    hashes = " ".join(f"'sha256-{base64.b64encode(d).decode()}'" for d in digests)
    return DOCS_POLICY.format(hashes=hashes).encode()


class SecurityHeaders:
    """Adds :data:`HEADERS` to every HTTP answer of ``app`` (a route's own headers win)."""

    def __init__(self, app: ASGIApp, *, inline_script_pages: frozenset[str] = INLINE_SCRIPT_PAGES) -> None:
        self.app = app
        self.inline_script_pages = inline_script_pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["path"] in self.inline_script_pages:
            await self._allowing_inline_scripts(scope, receive, send)
        else:

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message = with_headers(message, HEADERS)
                await send(message)

            await self.app(scope, receive, sending)

    async def _allowing_inline_scripts(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The page whole (a small one), with a policy naming the hashes of its inline scripts."""
        start: Message = {}
        body = bytearray()

        async def holding(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    policy = (b"content-security-policy", inline_script_policy(bytes(body)))
                    await send(with_headers(start, (policy, *HEADERS)))
                    await send({"type": "http.response.body", "body": bytes(body)})
            else:
                await send(message)

        await self.app(scope, receive, holding)


class HeadAsGet:
    """Answers HEAD as ``app`` answers GET, without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class RequestMetrics:
    """Counts and times every HTTP answer by its route template (``<unmatched>`` for a 404 of no
    route), read from the scope the router filled in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = route_template(scope)
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(route).observe(time.perf_counter() - started)
