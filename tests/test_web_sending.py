"""How answers leave the server: head and body in one write, and the access log written in batches.

A real uvicorn server with akhbar's protocol and loop (``akhbar.web.serving``) in a thread on
127.0.0.1, a small ASGI app, and raw sockets as clients. The protocol's transport is wrapped to count
the writes each connection makes; everything else is uvicorn's own.
"""

from __future__ import annotations

import asyncio
import gc
import io
import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from akhbar.cli.logs import BatchedStream
from akhbar.web.serving import FIRST_REQUEST_GRACE, MAX_REQUESTS_PER_CONNECTION, BoundedHead
from pgcluster import free_port
from threadserver import running, serve_config

WRITES: list[bytes] = []


class Counting:
    """A transport that records each write before passing it on."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport

    def write(self, data: bytes) -> None:
        WRITES.append(bytes(data))
        self.transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class CountingHead(BoundedHead):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.transport = Counting(transport)  # type: ignore[assignment]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/echo":  # reads the request body first (a client may wait for 100 Continue)
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"%d" % len(body))],
            }
        )
        await send({"type": "http.response.body", "body": body})
    elif path == "/unchanged":
        await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", b'"x"')]})
        await send({"type": "http.response.body", "body": b""})
    elif path == "/chunks":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for part in (b"one ", b"two ", b"three"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    else:
        page = b"<p>" + b"x" * 30_000 + b"</p>"
        headers = [(b"content-type", b"text/html"), (b"content-length", b"%d" % len(page))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": page})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    chosen = free_port()
    config = serve_config(app, chosen, http=CountingHead, log_level="warning")  # as akhbar serve runs
    with running(config):
        yield chosen


def exchange(port: int, request: bytes, *, until: bytes | None = None) -> bytes:
    """Send ``request`` on a new connection and read until the server closes it (or ``until`` is seen)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        return _read(sock, until)


def _read(sock: socket.socket, until: bytes | None = None) -> bytes:
    """What ``sock`` receives until the server closes it (or ``until`` is seen)."""
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
        if until is not None and until in answer:
            break
    return answer


def _writes_for(port: int, request: bytes) -> tuple[bytes, list[bytes]]:
    WRITES.clear()
    answer = exchange(port, request)
    time.sleep(0.05)  # the server's last write is recorded before the client sees the close
    return answer, list(WRITES)


def test_a_page_leaves_in_one_write(port: int) -> None:
    answer, writes = _writes_for(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b"x</p>")
    assert len(writes) == 1, [w[:40] for w in writes]
    assert writes[0] == answer


def test_a_head_request_gets_its_head_without_waiting_for_a_body(port: int) -> None:
    answer, writes = _writes_for(port, b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b"\r\n\r\n")
    assert b"content-length: 30007" in answer.lower()
    assert len(writes) == 1


def test_a_bodiless_answer_still_leaves(port: int) -> None:
    answer, _ = _writes_for(port, b"GET /unchanged HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 304 ")


def test_a_streamed_answer_sends_its_head_with_the_first_part(port: int) -> None:
    answer, writes = _writes_for(port, b"GET /chunks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and b"transfer-encoding: chunked" in answer
    assert writes[0].startswith(b"HTTP/1.1 200 OK") and writes[0].endswith(b"4\r\none \r\n")
    assert b"".join(writes) == answer


def test_100_continue_is_sent_before_the_client_sends_its_body(port: int) -> None:
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        interim = sock.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100 Continue"), interim
        sock.sendall(b"hello")
        answer = _read(sock)
    assert answer.startswith(b"HTTP/1.1 200 OK") and answer.endswith(b"hello")


def test_requests_on_one_kept_connection_are_each_answered_whole(port: int) -> None:
    one = b"GET /unchanged HTTP/1.1\r\nHost: x\r\n\r\n"
    last = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    answer = exchange(port, one + one + last)  # pipelined: the second waits for the first's answer
    assert answer.count(b"HTTP/1.1 304 ") == 2 and answer.endswith(b"x</p>")


def test_answered_requests_are_freed_at_once_not_left_to_the_garbage_collector(port: int) -> None:
    """A response cycle and the transport holding its head referred to each other: every answered
    request waited for a collection with its scope and all it held (hundreds of MB between full
    collections under load)."""
    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            for _ in range(20):  # one kept connection: the connection itself stays alive
                sock.sendall(request)
                _read(sock, until=b"x</p>")
            gc.collect()
            left = [
                kind for kind in map(type, gc.garbage) if kind.__name__ in ("RequestResponseCycle", "OneSend")
            ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []


def test_a_kept_connection_is_closed_after_its_share_of_requests(port: int) -> None:
    """So that connections a burst gave to one of several processes move to the others (the
    client opens a new one, and whichever process is free accepts it)."""
    one = b"GET /unchanged HTTP/1.1\r\nHost: x\r\n\r\n"
    answer = exchange(port, one * (MAX_REQUESTS_PER_CONNECTION + 5))  # read until the server closes
    answers = answer.count(b"HTTP/1.1 304 ")
    assert answers == MAX_REQUESTS_PER_CONNECTION, "the requests after the last one allowed go unanswered"
    last = answer.rsplit(b"HTTP/1.1 304 ", 1)[1]
    assert b"connection: close" in last.lower(), "the last answer says the connection closes"
    assert b"connection: close" not in answer.rsplit(b"HTTP/1.1 304 ", 2)[1].lower(), "only the last"


def _accepted(server: Any, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(server.server_state.connections) < count:
        assert time.monotonic() < deadline, "the server did not accept the connection"
        time.sleep(0.01)


def test_a_connection_accepted_before_a_shutdown_gets_its_request_answered() -> None:
    """A reload replaces processes one by one: the request of a connection the old process had just
    accepted is answered (and the connection closed after it), not dropped unanswered."""
    chosen = free_port()
    with (
        running(serve_config(app, chosen, log_level="warning")) as server,
        socket.create_connection(("127.0.0.1", chosen), timeout=10) as fresh,
        socket.create_connection(("127.0.0.1", chosen), timeout=10) as kept,
    ):
        kept.sendall(b"GET /unchanged HTTP/1.1\r\nHost: x\r\n\r\n")
        assert kept.recv(65536).startswith(b"HTTP/1.1 304 ")
        _accepted(server, 2)
        server.should_exit = True  # uvicorn's graceful shutdown, as SIGTERM or a reload starts it
        time.sleep(0.4)  # the shutdown has spoken to every connection
        assert kept.recv(65536) == b"", "a kept-alive connection idle between requests is closed at once"
        fresh.sendall(b"GET /unchanged HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = _read(fresh)
        assert answer.startswith(b"HTTP/1.1 304 "), answer
        assert b"connection: close" in answer.lower()


def test_a_connection_that_sends_nothing_does_not_hold_a_shutdown_up() -> None:
    chosen = free_port()
    with (
        running(serve_config(app, chosen, log_level="warning")) as server,
        socket.create_connection(("127.0.0.1", chosen), timeout=10) as silent,
    ):
        _accepted(server, 1)
        started = time.monotonic()
        server.should_exit = True
        assert silent.recv(65536) == b""
        waited = time.monotonic() - started
        assert FIRST_REQUEST_GRACE - 0.2 < waited < FIRST_REQUEST_GRACE + 2, waited


def test_batched_log_lines_leave_within_the_interval_and_warnings_at_once() -> None:
    stream = io.StringIO()
    handler = BatchedStream(stream, interval=0.1)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("akhbar.test.batched")
    log.propagate, log.level = False, logging.INFO
    log.addHandler(handler)
    try:
        log.info("first")
        log.info("second")
        assert stream.getvalue() == "", "an info line waits for its batch"
        deadline = time.monotonic() + 5
        while "second" not in stream.getvalue():
            assert time.monotonic() < deadline, "the batch was never written"
            time.sleep(0.02)
        assert stream.getvalue() == "INFO first\nINFO second\n"
        log.info("third")
        log.warning("trouble")
        assert stream.getvalue().endswith("INFO third\nWARNING trouble\n"), (
            "a warning goes out at once, in order"
        )
        log.info("last")
    finally:
        log.removeHandler(handler)
        handler.close()
    assert stream.getvalue().endswith("INFO last\n"), "closing writes what is pending"
