"""Request limits only the HTTP server can hold, checked against a real ``akhbar serve``.

The attack run of issue 14 sent an 8 MB request header and got a 200. A request head (request line
and headers) longer than ``akhbar.web.serving.MAX_HEAD_BYTES`` is now answered 431 (414 when the
URL alone is too long) and the connection closed, and the server goes on serving.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from akhbar.web.serving import MAX_HEAD_BYTES
from liveserver import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("limits") / "data") as running:
        yield running


def send_raw(server: LiveServer, head: bytes, timeout: float = 10.0) -> bytes:
    """Send ``head`` on a new connection; what came back (b"" if the server closed it first)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        try:
            for start in range(0, len(head), 65536):
                sock.sendall(head[start : start + 65536])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: what it answered (if anything) is still readable
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
        return answer


def _request(target: str = "/", headers: bytes = b"") -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".encode() + headers + b"\r\n"


def _status(answer: bytes) -> int | None:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("1 MB header", _request(headers=b"X-Big: " + b"a" * 1_000_000 + b"\r\n"), 431),
        ("8 MB header", _request(headers=b"X-Big: " + b"a" * 8_000_000 + b"\r\n"), 431),
        ("20,000 small headers", _request(headers=b"".join(b"X-%d: 1\r\n" % n for n in range(20_000))), 431),
        ("1 MB query string", _request("/ar/search?q=" + "a" * 1_000_000), 414),
        ("33 KB header", _request(headers=b"X-Big: " + b"a" * (MAX_HEAD_BYTES + 100) + b"\r\n"), 431),
        ("33 KB query string", _request("/ar/search?q=" + "a" * (MAX_HEAD_BYTES + 100)), 414),
    ],
)
@pytest.mark.slow
def test_an_oversized_request_head_is_refused(
    server: LiveServer, name: str, head: bytes, expected: int
) -> None:
    answer = send_raw(server, head)
    assert _status(answer) in {expected, None}, f"{name}: {answer[:200]!r}"
    assert b"HTTP/1.1 200" not in answer, name
    assert httpx.get(f"{server.base}/fr/", timeout=10).status_code == 200, "the server goes on serving"
    assert server.alive()


@pytest.mark.slow
def test_a_large_but_reasonable_head_is_served(server: LiveServer) -> None:
    cookie = b"Cookie: " + b"; ".join(b"c%d=%s" % (n, b"v" * 200) for n in range(100)) + b"\r\n"
    assert MAX_HEAD_BYTES // 2 < len(cookie) < MAX_HEAD_BYTES - 200
    assert _status(send_raw(server, _request("/fr/", cookie))) == 200


@pytest.mark.slow
def test_a_form_after_a_small_head_is_not_taken_for_a_long_head(server: LiveServer) -> None:
    """A body arriving with the head (one read) does not count toward the head's bound."""
    body = b"email=a%40example.org&password=" + b"x" * (MAX_HEAD_BYTES * 4)
    head = (
        b"POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    assert _status(send_raw(server, head + body)) == 401


@pytest.mark.slow
def test_heads_are_counted_one_request_at_a_time_on_a_kept_alive_connection(server: LiveServer) -> None:
    big = {"X-Padding": "p" * (MAX_HEAD_BYTES * 2 // 3)}
    with httpx.Client(base_url=server.base, timeout=10) as client:
        for _ in range(4):
            assert client.get("/healthz", headers=big).status_code == 200
            assert client.post("/admin/login", data={"password": "x" * 100_000}).status_code == 401
