"""The loopback web of ``akhbar bench fleet``: thousands of news sites on many hosts, with latency.

Hosts are address:port pairs on 127.x.y.z (a host is what per-host politeness counts). Each answers
after a delay of its own (most in a few hundred milliseconds, a tenth of them seconds: slow hosts),
and a share of hosts fail (503 on every request, or a dropped connection). Sources are spread over
hosts unevenly (a few hosts carry many feeds, as big publishers do). Each source has a feed at
``/s/N/feed.xml`` listing its pages ``/s/N/p/K``, real article pages made distinct per URL.

Every request is logged with its host, path, start and end times and status, so politeness (requests
in flight per host, the gap between two starts) is checked from the server's side.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection

MAX_REQUEST = 16_384  # bytes of request line and headers a host reads before giving up


@dataclass(frozen=True)
class Host:
    address: str
    port: int
    latency: float  # seconds before answering (each request: ± a fifth)
    failing: str | None = None  # "503" or "drop"

    @property
    def name(self) -> str:
        return f"{self.address}:{self.port}"


@dataclass(frozen=True)
class Request:
    host: str
    path: str
    started: float  # time.time() when the request line arrived
    ended: float
    status: int  # 0: connection dropped


@dataclass
class Plan:
    """Which host each source lives on, and how each host behaves."""

    addresses: int = 32
    ports_per_address: int = 4
    slow_share: float = 0.1
    failing_share: float = 0.05
    seed: int = 3
    latency_scale: float = 1.0  # every host's latency times this


def _latency(rng: random.Random, slow: bool) -> float:
    return rng.uniform(2.0, 4.0) if slow else min(1.5, rng.lognormvariate(-1.0, 0.5))  # median ~0.37 s


class FleetSite:
    """The hosts, served by one event loop in a process of their own (so the bench's own work
    does not delay their clocks); see :func:`serving` for the handle the bench holds."""

    def __init__(self, plan: Plan, sources: int, pages_per_source: int, pages: list[bytes]) -> None:
        self.plan, self.sources, self.pages_per_source, self.pages = plan, sources, pages_per_source, pages
        self.log: list[Request] = []
        self._by_name: dict[str, Host] = {}
        self.source_host: list[Host] = []
        self.lag = 0.0  # the event loop's longest delay in waking up: how late a logged time may be

    async def start(self) -> list[asyncio.Server]:
        servers = []
        rng = random.Random(self.plan.seed)
        for a in range(self.plan.addresses):
            address = f"127.{20 + a // 250}.{a % 250}.{1 + a % 7}"
            for _ in range(self.plan.ports_per_address):
                server = await asyncio.start_server(self._serve, address, 0, backlog=512)
                port = int(server.sockets[0].getsockname()[1])
                draw = rng.random()
                slow = draw < self.plan.slow_share
                failing = None
                if self.plan.slow_share <= draw < self.plan.slow_share + self.plan.failing_share:
                    failing = "503" if rng.random() < 0.5 else "drop"
                host = Host(address, port, _latency(rng, slow) * self.plan.latency_scale, failing)
                self._by_name[host.name] = host
                servers.append(server)
        hosts = list(self._by_name.values())
        weights = [1 / (rank + 20) for rank in range(len(hosts))]  # a few big publishers, a long tail
        self.source_host = rng.choices(hosts, weights, k=self.sources)
        return servers

    async def watch_lag(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.05)
            self.lag = max(self.lag, time.monotonic() - before - 0.05)

    def _body(self, host: Host, path: str) -> tuple[int, str, bytes]:
        parts = path.strip("/").split("/")
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nAllow: /\n"
        if len(parts) >= 3 and parts[0] == "s" and parts[1].isdigit() and int(parts[1]) < self.sources:
            source = int(parts[1])
            if self.source_host[source] is not host:
                return 404, "text/plain", b"not here"
            if parts[2] == "feed.xml" and len(parts) == 3:
                return 200, "application/rss+xml", self._feed(host, source)
            if parts[2] == "p" and len(parts) == 4 and parts[3].isdigit():
                number = int(parts[3])
                if number < self.pages_per_source:
                    page = self.pages[(source * self.pages_per_source + number) % len(self.pages)]
                    return 200, "text/html; charset=utf-8", page + f"\n<!-- {source}/{number} -->\n".encode()
        return 404, "text/plain", b"not found"

    def _feed(self, host: Host, source: int) -> bytes:
        base = f"http://{host.name}/s/{source}/p"
        items = "".join(
            f"<item><title>Item {source}/{n}</title><link>{base}/{n}</link><guid>{base}/{n}</guid></item>"
            for n in range(self.pages_per_source)
        )
        channel = f"<channel><title>Site {source}</title>{items}</channel>"
        return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        local = writer.get_extra_info("sockname")
        host = self._by_name.get(f"{local[0]}:{local[1]}")
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=30)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        started = time.time()
        line = head[:MAX_REQUEST].split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        path = parts[1] if len(parts) == 3 else "/"
        if host is None:
            writer.close()
            return
        await asyncio.sleep(host.latency * random.uniform(0.8, 1.2))
        if host.failing == "drop":
            writer.transport.abort()
            self.log.append(Request(host.name, path, started, time.time(), 0))
            return
        status, kind, body = (503, "text/plain", b"unavailable") if host.failing else self._body(host, path)
        reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
        header = (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        try:
            writer.write(header.encode() + body)
            await writer.drain()
        except ConnectionError:
            status = 0
        finally:
            writer.close()
        self.log.append(Request(host.name, path, started, time.time(), status))


async def _main(site: FleetSite, connection: Connection) -> None:
    servers = await site.start()
    watcher = asyncio.create_task(site.watch_lag())
    connection.send((list(site.source_host), list(site._by_name.values())))
    loop = asyncio.get_running_loop()
    while (command := await loop.run_in_executor(None, connection.recv)) != "stop":
        if command == "log":
            taken, site.log = site.log, []
            connection.send((taken, site.lag))
            site.lag = 0.0
    watcher.cancel()
    for server in servers:
        server.close()


def _run(plan: Plan, sources: int, pages_per_source: int, pages: list[bytes], connection: Connection) -> None:
    with contextlib.suppress(OSError):  # ahead of the workers for the CPU: its clock lags less (root only)
        os.nice(-10)
    asyncio.run(_main(FleetSite(plan, sources, pages_per_source, pages), connection))


@dataclass
class SiteHandle:
    """The bench's side of the site process."""

    connection: Connection
    source_host: list[Host]
    hosts: list[Host]

    def feed_url(self, source: int) -> str:
        return f"http://{self.source_host[source].name}/s/{source}/feed.xml"

    def take_log(self) -> tuple[list[Request], float]:
        """The requests logged since the last call, and the loop's longest lag meanwhile (s)."""
        self.connection.send("log")
        taken, lag = self.connection.recv()
        return taken, lag


@contextmanager
def serving(plan: Plan, sources: int, pages_per_source: int, pages: list[bytes]) -> Iterator[SiteHandle]:
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_run, args=(plan, sources, pages_per_source, pages, theirs), name="fleet-site", daemon=True
    )
    process.start()
    try:
        if not ours.poll(120):
            raise RuntimeError("bench fleet: the loopback site did not start within 120 s")
        source_host, hosts = ours.recv()
        yield SiteHandle(ours, source_host, hosts)
    finally:
        if process.is_alive():
            ours.send("stop")
            process.join(timeout=30)
        if process.is_alive():
            process.kill()
