"""``allowed_hosts``: a request whose Host header names a host the site does not answer to is
refused (400) before any page is made or kept, on ``akhbar serve``'s own stack (the app behind its
front cache, in uvicorn with akhbar's protocol and loop, raw sockets as clients)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from akhbar.config import load_settings
from akhbar.store import Store
from akhbar.web import create_app
from akhbar.web.serving import served
from pgcluster import free_port
from portal_fixtures import populate
from threadserver import running, serve_config

ALLOWED = "127.0.0.1,news.example.org,*.example.net"


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    folder = Path(tmp_path_factory.mktemp("hosts"))
    store = Store(f"sqlite:///{folder / 'akhbar.db'}")
    populate(store)
    settings = load_settings(
        {"database_url": store.url, "data_dir": str(folder), "allowed_hosts": ALLOWED, "images": False},
        environ={},
        config_file=folder / "none.toml",
    )
    port = free_port()
    config = serve_config(served(create_app(store, settings=settings)), port, log_config=None)
    try:
        with running(config):
            yield port
    finally:
        store.close()


def answer(port: int, path: str, host: str | None, version: str = "1.1") -> tuple[int, bytes]:
    """The status and body of one request naming ``host`` (None: no Host header)."""
    head = f"GET {path} HTTP/{version}\r\n" + (f"Host: {host}\r\n" if host is not None else "")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall((head + "Connection: close\r\n\r\n").encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


@pytest.mark.parametrize("path", ["/fr/", "/api/v1/articles?limit=5", "/feeds/latest.rss", "/sitemap.xml"])
def test_a_host_the_site_does_not_answer_to_is_refused_after_honest_requests(port: int, path: str) -> None:
    for host in ("127.0.0.1", f"127.0.0.1:{port}", "news.example.org", "NEWS.example.org", "a.example.net"):
        status, _ = answer(port, path, host)
        assert status == 200, host
    status, body = answer(port, path, "127.0.0.1")  # kept by now: answered from the front cache
    assert status == 200 and b"evil.example" not in body
    for forged in ("evil.example", "example.net", "news.example.org.evil.example", "127.0.0.2"):
        status, body = answer(port, path, forged)
        assert (status, body) == (400, b"Invalid host header"), forged


def test_links_name_the_allowed_host_the_request_named(port: int) -> None:
    status, body = answer(port, "/fr/", "news.example.org")
    assert status == 200 and b"http://news.example.org/fr/" in body


def test_a_request_naming_no_host_is_refused(port: int) -> None:
    assert answer(port, "/fr/", None, version="1.0") == (400, b"Invalid host header")
