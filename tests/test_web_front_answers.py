"""Cached pages answered by the protocol at once (``BoundedHead._answer_at_once``), as ``akhbar
serve`` runs them: the real app behind its front cache, in uvicorn with akhbar's protocol and loop,
in a thread on 127.0.0.1; raw sockets as clients, so every byte the server writes is seen.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from akhbar.models import Article
from akhbar.services.reads import ReadCounter
from akhbar.store import Store
from akhbar.store.tables import articles
from akhbar.web import create_app
from akhbar.web.serving import MAX_REQUESTS_PER_CONNECTION, BoundedHead, _forwarded, served
from akhbar.web.telemetry import REQUESTS
from pgcluster import free_port
from portal_fixtures import populate, store_article
from threadserver import running, serve_config

AT_ONCE: list[str] = []  # the paths answered at once, in order
SERVED: dict[str, Any] = {}  # the app the module's server runs


class Watched(BoundedHead):
    def _answer_at_once(self, cycle, ready, proxies):  # type: ignore[no-untyped-def]
        AT_ONCE.append(cycle.scope["path"])
        super()._answer_at_once(cycle, ready, proxies)


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Store, Lines]]:
    store = Store(f"sqlite:///{Path(tmp_path_factory.mktemp('front')) / 'akhbar.db'}")
    populate(store)
    app = served(create_app(store))
    SERVED["app"] = app
    port = free_port()
    lines = Lines()
    access = logging.getLogger("uvicorn.access")
    access.addHandler(lines)
    config = serve_config(
        app,
        port,
        http=Watched,
        log_level="info",
        log_config=None,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
    )
    try:
        with running(config):
            yield port, store, lines
    finally:
        access.removeHandler(lines)
        store.close()


def exchange(port: int, request: bytes, answers: int = 1) -> list[tuple[bytes, bytes]]:
    """Send ``request`` (one or several, pipelined) on a new connection; read ``answers`` answers
    (head, body), or as many as come before the server closes the connection."""
    found: list[tuple[bytes, bytes]] = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while len(found) < answers:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    return found
                data += chunk
            head, _, data = data.partition(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            while len(data) < length and not head.startswith(b"HTTP/1.1 304"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            body_length = 0 if b"HEAD" in request[:4] else length
            found.append((head, data[:body_length]))
            data = data[body_length:]
    return found


def _get(path: str, *headers: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _without_date(head: bytes) -> list[bytes]:
    return [line for line in head.split(b"\r\n") if not line.startswith(b"date:")]


def _through_app(port: int, path: str) -> tuple[bytes, bytes]:
    """The first answer to ``path`` (a path no test asked for before: the app renders it)."""
    AT_ONCE.clear()
    ((head, body),) = exchange(port, _get(path))
    assert AT_ONCE == [], f"{path} was answered by the app"
    return head, body


def test_an_article_page_answered_at_once_counts_a_read(server: tuple[int, Store, Lines]) -> None:
    port, store, _ = server
    pages = SERVED["app"].app.state.pages
    counter = pages.reads = ReadCounter(store, flush_every=3600, flush_at=1_000_000)
    with store.reading() as connection:
        article = connection.execute(sa.select(sa.func.max(articles.c.id))).scalar_one()
    path = f"/fr/articles/{article}"
    _through_app(port, path)
    exchange(port, _get(path))
    exchange(port, _get(path, "Sec-Purpose: prefetch;prerender"))
    assert [path, path] == AT_ONCE, "both answered at once"
    assert counter.flush() == 2, "the reader's two reads; the prefetch is none"


def test_a_cached_page_is_answered_at_once_with_the_apps_own_bytes(server: tuple[int, Store, Lines]) -> None:
    port, _, lines = server
    through_app = _through_app(port, "/fr/?first")
    ((head, body),) = exchange(port, _get("/fr/?first"))
    assert AT_ONCE == ["/fr/"], "the second request was answered at once"
    assert body == through_app[1] and _without_date(head) == _without_date(through_app[0])
    assert head.startswith(b"HTTP/1.1 200 OK\r\ndate: ") and b"\r\nserver: uvicorn" in head
    assert lines.lines[-1].startswith("127.0.0.1:") and lines.lines[-1].endswith(
        ' - "GET /fr/?first HTTP/1.1" 200'
    )


def test_the_access_log_names_the_client_a_trusted_proxy_forwards(server: tuple[int, Store, Lines]) -> None:
    port, _, lines = server
    _through_app(port, "/en/?x=1")
    exchange(port, _get("/en/?x=1", "X-Forwarded-For: 203.0.113.9"))
    assert AT_ONCE == ["/en/"]
    assert lines.lines[-1] == '203.0.113.9:0 - "GET /en/?x=1 HTTP/1.1" 200'


def test_answers_at_once_are_counted_and_close_the_connection_after_its_share(
    server: tuple[int, Store, Lines],
) -> None:
    port, _, _ = server
    _through_app(port, "/ar/?share")
    counted = REQUESTS.labels("GET", "/{lang}/", "200")
    before = counted._value.get()
    AT_ONCE.clear()
    answers = exchange(
        port, _get("/ar/") * (MAX_REQUESTS_PER_CONNECTION + 3), MAX_REQUESTS_PER_CONNECTION + 3
    )
    assert len(answers) == MAX_REQUESTS_PER_CONNECTION, "the pipelined requests past its share go unanswered"
    assert len(AT_ONCE) > MAX_REQUESTS_PER_CONNECTION // 2, (
        "most at once (the app's while the version is read again)"
    )
    assert b"connection: close" in answers[-1][0] and b"connection: close" not in answers[-2][0]
    assert counted._value.get() - before == MAX_REQUESTS_PER_CONNECTION


def test_head_conditional_and_changed_data_go_through_the_app(server: tuple[int, Store, Lines]) -> None:
    port, store, _ = server
    head, _ = _through_app(port, "/fr/?other")
    etag = next(line.split(b": ", 1)[1] for line in head.split(b"\r\n") if line.startswith(b"etag:"))
    AT_ONCE.clear()
    ((head_only, nothing),) = exchange(port, _get("/fr/?other").replace(b"GET", b"HEAD", 1))
    assert head_only.startswith(b"HTTP/1.1 200") and nothing == b""
    ((unchanged, _),) = exchange(port, _get("/fr/?other", f"If-None-Match: {etag.decode()}"))
    assert unchanged.startswith(b"HTTP/1.1 304")
    ((posted, _),) = exchange(port, _get("/fr/?other", "Content-Length: 2") + b"{}")
    assert posted.startswith(b"HTTP/1.1 200")
    assert AT_ONCE == [], "none of these was answered at once"
    store_article(
        store,
        "front-answers",
        Article("Une nouvelle du jour pour la une", ("Un paragraphe.",), language="fr", url="https://x.ma/n"),
    )
    deadline = time.monotonic() + 10  # the data version is read again at most once a second
    while b"Une nouvelle du jour" not in exchange(port, _get("/fr/?other"))[0][1]:
        assert time.monotonic() < deadline, "the page never showed the new article"
        time.sleep(0.2)


def test_answers_are_kept_per_scheme_and_host_as_the_proxy_names_them(
    server: tuple[int, Store, Lines],
) -> None:
    port, _, _ = server
    https = _get("/fr/?proxied", "X-Forwarded-Proto: https")
    _, first = _through_app(port, "/fr/?proxied")  # plain http, through the app
    ((_, secure),) = exchange(port, https)
    assert AT_ONCE == [], "the answer for https is another one, from the app"
    ((_, again),) = exchange(port, https)
    assert AT_ONCE == ["/fr/"] and again == secure
    assert b'rel="canonical" href="https://127.0.0.1/fr/"' in secure
    assert b'rel="canonical" href="http://127.0.0.1/fr/"' in first
    forged = _get("/fr/?proxied").replace(b"Host: 127.0.0.1", b"Host: evil.example")
    ((_, elsewhere),) = exchange(port, forged)
    assert b"evil.example" in elsewhere and AT_ONCE == ["/fr/"], "another Host: from the app"
    ((_, plain),) = exchange(port, _get("/fr/?proxied"))
    assert plain == first and b"evil.example" not in plain


def test_an_http_1_0_client_is_answered_at_once_and_the_connection_closed(
    server: tuple[int, Store, Lines],
) -> None:
    port, _, lines = server
    _through_app(port, "/ar/?old")
    request = b"GET /ar/?old HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):  # until the server closes the connection
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert AT_ONCE == ["/ar/"]
    assert head.startswith(b"HTTP/1.1 200 OK") and b"\r\nconnection: close" in head
    length = next(
        int(line.split(b": ")[1]) for line in head.split(b"\r\n") if line.startswith(b"content-length:")
    )
    assert len(body) == length
    assert lines.lines[-1].endswith('"GET /ar/?old HTTP/1.0" 200')


@pytest.mark.parametrize(
    ("names", "forwarded"),
    [
        ((b"host", b"user-agent", b"accept"), False),
        ((b"host", b"x-forwarded-for"), True),
        ((b"x-forwarded-proto",), True),
        ((b"host", b"x-forwarded-host"), True),  # read by no uvicorn yet: run the middleware anyway
        ((b"forwarded",), True),
        ((b"x-forwarded",), False),
    ],
)
def test_the_proxy_headers_middleware_is_skipped_only_without_a_forwarded_header(
    names: tuple[bytes, ...], forwarded: bool
) -> None:
    assert _forwarded([(name, b"v") for name in names]) is forwarded
