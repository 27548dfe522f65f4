"""``akhbar serve`` in two processes: every process's page cache follows the data version, the
request metrics are summed across them, and proxy headers are trusted only from
``forwarded_allow_ips``."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from cli_runner import SPECIMEN
from liveserver import LiveServer
from test_web import ARABIC_DUMP

pytestmark = pytest.mark.slow
NEW_TITLE = "الحكومة تصادق على مشروع قانون المالية للسنة المقبلة بعد نقاش طويل"


def healthz_count(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "akhbar_http_requests_total" and sample.labels["route"] == "/healthz":
                return sample.value
    return 0.0


def access_log(server: LiveServer) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    return [line for line in lines if line["logger"] == "uvicorn.access"]


def test_two_processes_share_the_data_version_and_the_metrics(tmp_path: Path) -> None:
    settings = {"web_workers": "2", "log_format": "json", "log_level": "INFO", "stories": "off"}
    server = LiveServer(tmp_path / "data", **settings)
    server.data_dir.mkdir()
    assert server.run("ingest", str(SPECIMEN)).returncode == 0
    server.start(timeout=240)  # two processes import the web stack: slow on a busy machine
    try:
        # fresh connections until both processes have rendered and cached the home page: on a busy
        # machine the second may still be starting when the first answers the readiness check
        served_by: set[object] = set()
        deadline = time.monotonic() + 120
        while len(served_by) < 2 and time.monotonic() < deadline:
            for _ in range(20):
                assert NEW_TITLE not in httpx.get(f"{server.base}/", timeout=10).text
            served_by = {line["process"] for line in access_log(server)}
        assert len(served_by) == 2, f"one process answered everything: {served_by}"
        arabic = tmp_path / "ar.txt"
        arabic.write_text(ARABIC_DUMP, encoding="utf-8")
        assert server.run("ingest", str(arabic)).returncode == 0
        time.sleep(2.0)  # the cache's ttl is 1 s; the first request after it starts the refresh
        for _ in range(10):
            httpx.get(f"{server.base}/", timeout=10)
        time.sleep(0.5)
        stale = [n for n in range(40) if NEW_TITLE not in httpx.get(f"{server.base}/", timeout=10).text]
        assert stale == [], f"{len(stale)} of 40 answers still without the new article"

        before = healthz_count(server.base)
        for _ in range(30):
            assert httpx.get(f"{server.base}/healthz", timeout=10).status_code == 200
        scrapes = [healthz_count(server.base) - before for _ in range(6)]
        assert scrapes == [30.0] * 6, f"each scrape sums both processes: {scrapes}"
        own_records_from_children_are_json(server)
        connections_even_out(server, {int(line["process"]) for line in access_log(server)})
        reload_without_a_dropped_request(server)
    finally:
        server.stop()


def own_records_from_children_are_json(server: LiveServer) -> None:
    """A record of akhbar's own code in a web process (a refused oversized head) is a JSON line too."""
    children = {line["process"] for line in access_log(server)}
    for _ in range(6):  # fresh connections reach both processes
        answer = httpx.get(f"{server.base}/healthz", headers={"X-Big": "x" * 70_000}, timeout=10)
        assert answer.status_code == 431
    time.sleep(0.3)
    lines = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    refusals = [line for line in lines if line["logger"] == "akhbar.web.serving"]
    assert refusals and {line["process"] for line in refusals} <= children, refusals
    assert all(line["level"] == "WARNING" and "431" in str(line["message"]) for line in refusals)
    plain = [
        line for line in server.output().splitlines() if "akhbar.web.serving" in line and line[:1] != "{"
    ]
    assert plain == [], plain


def _kept_alive(port: int) -> socket.socket:
    """A connection that asked for /healthz and read the answer, kept open."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head, re.IGNORECASE).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        body += connection.recv(65536)
    assert head.startswith(b"HTTP/1.1 200"), head
    return connection


def _holders(port: int, processes: set[int]) -> dict[int, int]:
    """Client port -> the serving process holding that connection (from /proc)."""
    clients = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and int(fields[1].split(":")[1], 16) == port:  # established, ours
            clients[f"socket:[{fields[9]}]"] = int(fields[2].split(":")[1], 16)
    found = {}
    for pid in processes:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = str(fd.readlink())
                if target in clients:
                    found[clients[target]] = pid
    return found


def connections_even_out(server: LiveServer, processes: set[int]) -> None:
    """Kept-alive connections spread evenly over the processes, even when all of one process's
    connections close and their clients open them again (akhbar.web.balance): each process took a
    connection whenever it ran, and the process running is often the one with more already."""
    assert len(processes) == 2, processes
    held = [_kept_alive(server.port) for _ in range(12)]
    try:
        for emptied in sorted(processes):  # each process in turn loses all its connections
            holders = _holders(server.port, processes)
            closing = [c for c in held if holders.get(c.getsockname()[1]) == emptied]
            for connection in closing:
                connection.close()
            held = [c for c in held if c not in closing]
            time.sleep(0.5)  # the process sees its connections close
            held += [_kept_alive(server.port) for _ in closing]
            holders = _holders(server.port, processes)
            counts = [list(holders.values()).count(pid) for pid in processes]
            assert len(holders) == len(held) and max(counts) - min(counts) <= 2, counts
    finally:
        for connection in held:
            connection.close()


def reload_without_a_dropped_request(server: LiveServer) -> None:
    """SIGHUP (systemctl reload): new processes replace the old ones while every request is answered."""
    before = {line["process"] for line in access_log(server)}
    os.kill(server.pid, signal.SIGHUP)
    answered, failed, deadline = 0, [], time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            status = httpx.get(f"{server.base}/healthz", timeout=10).status_code
            answered += status == 200
            if status != 200:
                failed.append(status)
        except httpx.TransportError as exc:
            failed.append(repr(exc))
        serving = {line["process"] for line in access_log(server)[-20:]}
        if answered > 20 and serving and not serving & before:
            break
        time.sleep(0.05)
    assert failed == [], failed
    assert not serving & before, "the old processes still answer"


@pytest.mark.parametrize(("trusted", "client"), [("127.0.0.1", "203.0.113.7"), ("10.9.8.7", "127.0.0.1")])
def test_proxy_headers_are_trusted_only_from_the_configured_addresses(
    tmp_path: Path, trusted: str, client: str
) -> None:
    settings = {"forwarded_allow_ips": trusted, "log_format": "json", "log_level": "INFO", "stories": "off"}
    server = LiveServer(tmp_path / "data", **settings).start(timeout=120)
    try:
        forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
        assert httpx.get(f"{server.base}/healthz?probe=1", headers=forwarded, timeout=10).status_code == 200
        time.sleep(0.3)
        probes = [str(line["message"]) for line in access_log(server) if "probe=1" in str(line["message"])]
        assert len(probes) == 1
        assert re.match(rf"{re.escape(client)}:\d+ - ", probes[0]), probes[0]
    finally:
        server.stop()
