"""DNS rebinding: the fetcher connects to the very address its guard checked, on every hop.

Two real servers share one port: 127.0.0.2 stands in for a public site (the only network the
policy allows) and 127.0.0.1 for the internal service an attacker wants to reach. A scripted
resolver (or the event loop's own getaddrinfo, scripted) answers the allowed address first and
the loopback one afterwards, as a rebinding DNS server does; the internal server counts requests.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from akhbar.errors import FetchError
from akhbar.fetch import Fetcher, FetchPolicy, FetchResult, guard

PUBLIC, INTERNAL = "127.0.0.2", "127.0.0.1"
POLICY = FetchPolicy(
    user_agent="akhbar-test/1.0",
    allow_networks=(ipaddress.ip_network(f"{PUBLIC}/32"),),
    timeout=2.0,
    total_timeout=8.0,
    retries=0,
    host_delay=0.0,
    obey_robots=False,
)
LOOPBACK_ALLOWED = FetchPolicy(
    allow_networks=(ipaddress.ip_network("127.0.0.0/8"),),
    timeout=2.0,
    retries=0,
    host_delay=0.0,
    obey_robots=False,
)


class Handler(BaseHTTPRequestHandler):
    server: Recorder
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return None

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.headers.get("Host", "")))
        self.server.peers.append(self.client_address)
        if self.path.startswith("/hang-up"):  # answered as kept alive, then closed by the server
            self._send(200, b"<p>bye</p>")
            self.close_connection = True
        elif self.path.startswith("/redirect?to="):
            self._send(302, b"", Location=self.path.removeprefix("/redirect?to="))
        elif self.path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private/\n")
        else:
            self._send(200, f"<p>{self.server.label} {self.path}</p>".encode())

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class Recorder(ThreadingHTTPServer):
    """A server on ``address:port`` that records (path, Host header) of every request it gets."""

    daemon_threads = True

    def __init__(self, address: str, port: int, tls: ssl.SSLContext | None = None) -> None:
        super().__init__((address, port), Handler)
        self.label = address
        self.seen: list[tuple[str, str]] = []
        self.peers: list[tuple[str, int]] = []  # the client's address of each request (one per connection)
        self.closed = threading.Event()  # set once the server has closed a connection
        self.server_names: list[str | None] = []
        if tls is not None:
            tls.sni_callback = self._record_sni
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def _record_sni(self, _sock: Any, name: str | None, _context: Any) -> None:
        self.server_names.append(name)

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        self.closed.set()

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # a client that refuses our certificate hangs up: that is the point of a test

    def start(self) -> Recorder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def servers() -> Iterator[tuple[Recorder, Recorder]]:
    """A "public" server on 127.0.0.2 and an internal one on 127.0.0.1, on the same port."""
    for _attempt in range(20):
        public = Recorder(PUBLIC, 0)
        try:
            internal = Recorder(INTERNAL, public.server_port)
        except OSError:
            public.server_close()
            continue
        yield public.start(), internal.start()
        public.stop()
        internal.stop()
        return
    raise RuntimeError("no port free on both 127.0.0.1 and 127.0.0.2")


class Dns:
    """A scripted resolver: each name gives its next answer per lookup, the last answer repeating."""

    def __init__(self, **answers: Sequence[Sequence[str]]) -> None:
        self.answers = {name.replace("_", "."): list(queue) for name, queue in answers.items()}
        self.asked: list[str] = []

    def answer(self, host: str) -> Sequence[str]:
        self.asked.append(host)
        queue = self.answers.get(host)
        if not queue:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return queue.pop(0) if len(queue) > 1 else queue[0]

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        return self.answer(host)


def fetch(url: str, policy: FetchPolicy = POLICY, **options: Any) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(policy, **options) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(run())


def test_a_name_rebound_to_loopback_after_the_check_is_never_connected_to(
    servers: tuple[Recorder, Recorder],
) -> None:
    public, internal = servers
    dns = Dns(news_test=[[PUBLIC], [INTERNAL]])
    result = fetch(f"http://news.test:{public.server_port}/article", resolver=dns)
    assert result.status == 200 and result.data == b"<p>127.0.0.2 /article</p>"
    assert internal.seen == []
    assert dns.asked == ["news.test"]  # resolved once, and that answer is the one connected to


def test_the_system_resolver_is_asked_once_per_hop(
    servers: tuple[Recorder, Recorder], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without an injected resolver: the event loop's getaddrinfo rebinds, nothing reaches loopback."""
    public, internal = servers
    dns = Dns(news_test=[[PUBLIC], [INTERNAL]])
    system = asyncio.BaseEventLoop.getaddrinfo

    async def getaddrinfo(loop: asyncio.BaseEventLoop, host: Any, port: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host  # anyio passes IDNA-encoded bytes
        if name != "news.test":
            return await system(loop, host, port, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(port))) for ip in dns.answer(name)]

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", getaddrinfo)
    try:
        result = fetch(f"http://news.test:{public.server_port}/article")
    except FetchError as exc:
        pytest.fail(f"{exc}; requests reaching the internal server: {internal.seen}")
    assert result.data == b"<p>127.0.0.2 /article</p>"
    assert internal.seen == []


@pytest.fixture
def counted_lookups(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names the event loop's getaddrinfo is asked for, ``news.test`` answering the public
    address then the internal one; the system resolver's kept answers are forgotten before and after."""
    names: list[str] = []
    answers = iter([PUBLIC, INTERNAL, INTERNAL])
    system = asyncio.BaseEventLoop.getaddrinfo

    async def getaddrinfo(loop: asyncio.BaseEventLoop, host: Any, port: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name != "news.test":
            return await system(loop, host, port, **kwargs)
        names.append(name)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), int(port)))]

    guard._answers.clear()
    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", getaddrinfo)
    yield names
    guard._answers.clear()


def test_the_system_resolvers_answer_is_kept_a_while_and_checked_at_each_use(
    servers: tuple[Recorder, Recorder], counted_lookups: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host's pages cost one lookup for :data:`guard.ANSWER_SECONDS`, then it is asked again (and
    the rebound answer refused); an address in the URL is never looked up."""
    public, internal = servers
    port = public.server_port
    for page in ("/one", "/two"):
        assert fetch(f"http://news.test:{port}{page}").data == f"<p>127.0.0.2 {page}</p>".encode()
    assert counted_lookups == ["news.test"]
    nothing_allowed = dataclasses.replace(POLICY, allow_networks=())
    with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.2 is a loopback address"):
        fetch(f"http://news.test:{port}/one", nothing_allowed)
    assert counted_lookups == ["news.test"], "the kept answer, checked against this fetch's policy"

    monkeypatch.setattr(guard, "ANSWER_SECONDS", 0.0)
    assert fetch(f"http://news.test:{port}/one").status == 200  # the answer kept before still holds
    assert counted_lookups == ["news.test"]
    guard._answers.clear()
    with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.1 is a loopback address"):
        fetch(f"http://news.test:{port}/two")  # kept no time: asked again, and rebound
    with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.1 is a loopback address"):
        fetch(f"http://news.test:{port}/two")
    assert counted_lookups == ["news.test"] * 3
    assert fetch(f"http://{PUBLIC}:{port}/three").status == 200
    assert counted_lookups == ["news.test"] * 3 and PUBLIC not in guard._answers
    assert internal.seen == []


def test_a_kept_connection_is_asked_for_its_peer_once(
    servers: tuple[Recorder, Recorder], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every fetch checks the address its connection reached; a connection kept for the next fetch
    says once (anyio makes all of a socket's attributes each time one is asked for), and it is
    reused: all three requests come on one connection."""
    import httpcore._backends.anyio as backend

    public, _internal = servers
    asked: list[str] = []
    inner = backend.AnyIOStream.get_extra_info

    def counted(stream: Any, info: str) -> Any:
        asked.append(info)
        return inner(stream, info)

    monkeypatch.setattr(backend.AnyIOStream, "get_extra_info", counted)

    async def run() -> list[FetchResult]:
        async with Fetcher(POLICY) as fetcher:
            return [await fetcher.fetch(f"http://{PUBLIC}:{public.server_port}/{n}") for n in range(3)]

    assert [r.status for r in asyncio.run(run())] == [200, 200, 200]
    assert len(public.seen) == 3
    assert asked.count("server_addr") == 1, asked
    assert len(set(public.peers)) == 1, public.peers


def test_a_kept_connection_the_server_closed_is_not_reused(servers: tuple[Recorder, Recorder]) -> None:
    """A server may close a kept-alive connection while it is idle in the pool. Whether it is still
    open is asked afresh at each reuse (never from a kept answer): the next fetch opens a new
    connection instead of failing on the closed one (no retries in this policy)."""
    public, _internal = servers

    async def run() -> list[FetchResult]:
        async with Fetcher(POLICY) as fetcher:
            first = await fetcher.fetch(f"http://{PUBLIC}:{public.server_port}/hang-up")
            for _ in range(100):  # until the server's end of the connection has reached us
                await asyncio.sleep(0.01)
                if len(public.seen) == 1 and public.closed.is_set():
                    break
            return [first, await fetcher.fetch(f"http://{PUBLIC}:{public.server_port}/after")]

    assert [r.status for r in asyncio.run(run())] == [200, 200]
    assert [path for path, _host in public.seen] == ["/hang-up", "/after"]
    assert len(set(public.peers)) == 2, public.peers


def test_every_redirect_hop_is_resolved_once_and_pinned(servers: tuple[Recorder, Recorder]) -> None:
    public, internal = servers
    port = public.server_port
    dns = Dns(news_test=[[PUBLIC]], cdn_test=[[PUBLIC], [INTERNAL]])
    result = fetch(f"http://news.test:{port}/redirect?to=http://cdn.test:{port}/final", resolver=dns)
    assert result.url == f"http://cdn.test:{port}/final" and result.data == b"<p>127.0.0.2 /final</p>"
    assert [host for _path, host in public.seen] == [f"news.test:{port}", f"cdn.test:{port}"]
    assert internal.seen == []
    assert dns.asked == ["news.test", "cdn.test"]


def test_the_robots_txt_request_is_resolved_checked_and_pinned_too(
    servers: tuple[Recorder, Recorder],
) -> None:
    """The page's lookup answers the allowed address, the robots.txt hop's lookup the rebound one."""
    public, internal = servers
    dns = Dns(news_test=[[PUBLIC], [INTERNAL]])
    policy = FetchPolicy(allow_networks=POLICY.allow_networks, timeout=2.0, retries=0, host_delay=0.0)
    with pytest.raises(FetchError, match=r"robots\.txt unavailable.*127\.0\.0\.1 is a loopback address"):
        fetch(f"http://news.test:{public.server_port}/article", policy, resolver=dns)
    assert public.seen == [] and internal.seen == []
    assert dns.asked == ["news.test", "news.test"]


def test_robots_txt_comes_from_the_pinned_address(servers: tuple[Recorder, Recorder]) -> None:
    public, internal = servers
    dns = Dns(news_test=[[PUBLIC]])
    policy = FetchPolicy(allow_networks=POLICY.allow_networks, timeout=2.0, retries=0, host_delay=0.0)
    with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
        fetch(f"http://news.test:{public.server_port}/private/page", policy, resolver=dns)
    assert [path for path, _host in public.seen] == ["/robots.txt"]
    assert internal.seen == []


def test_a_redirect_to_a_name_that_resolves_to_loopback_is_refused(
    servers: tuple[Recorder, Recorder],
) -> None:
    public, internal = servers
    port = public.server_port
    dns = Dns(news_test=[[PUBLIC]], intranet_test=[[INTERNAL]])
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 is a loopback address"):
        fetch(f"http://news.test:{port}/redirect?to=http://intranet.test:{port}/admin", resolver=dns)
    assert internal.seen == []


def test_every_resolved_address_is_checked(servers: tuple[Recorder, Recorder]) -> None:
    public, internal = servers
    dns = Dns(news_test=[[PUBLIC, "10.0.0.1"]])
    with pytest.raises(FetchError, match=r"10\.0\.0\.1 is a private address"):
        fetch(f"http://news.test:{public.server_port}/article", resolver=dns)
    assert public.seen == [] and internal.seen == []


def test_a_name_that_does_not_resolve_is_a_transient_failure() -> None:
    with pytest.raises(FetchError, match=r"cannot resolve nowhere\.test") as info:
        fetch("http://nowhere.test/", resolver=Dns())
    assert info.value.transient


def test_a_pinned_fetch_keeps_the_host_header(servers: tuple[Recorder, Recorder]) -> None:
    _public, internal = servers
    port = internal.server_port
    result = fetch(f"http://News.Test:{port}/page", LOOPBACK_ALLOWED, resolver=Dns(news_test=[[INTERNAL]]))
    assert result.data == b"<p>127.0.0.1 /page</p>"
    assert internal.seen[-1] == ("/page", f"news.test:{port}")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for news.test (and only that name), made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-subj", "/CN=news.test", "-addext", "subjectAltName=DNS:news.test"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[Recorder]:
    key, cert = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = Recorder(INTERNAL, 0, tls=context).start()
    yield server
    server.stop()


def test_https_to_a_pinned_address_sends_the_name_and_verifies_its_certificate(
    tls_server: Recorder, certificate: tuple[Path, Path]
) -> None:
    trust = ssl.create_default_context(cafile=str(certificate[1]))
    port = tls_server.server_port
    dns = Dns(news_test=[[INTERNAL]], evil_test=[[INTERNAL]])
    result = fetch(f"https://news.test:{port}/secure", LOOPBACK_ALLOWED, resolver=dns, verify=trust)
    assert result.data == b"<p>127.0.0.1 /secure</p>"
    assert tls_server.server_names == ["news.test"]
    assert tls_server.seen == [("/secure", f"news.test:{port}")]
    with pytest.raises(FetchError, match=r"CERTIFICATE_VERIFY_FAILED"):
        fetch(f"https://evil.test:{port}/secure", LOOPBACK_ALLOWED, resolver=dns, verify=trust)
    assert tls_server.seen == [("/secure", f"news.test:{port}")]


def test_the_name_checked_is_the_name_httpx_connects_to() -> None:
    """Pins are keyed by the host as httpx spells it: lower case, IDNA-encoded, IPv6 without brackets."""
    assert guard.check_url("http://Café.FR:8080/x") == ("xn--caf-dma.fr", 8080)
    assert guard.check_url("https://[::1]/") == ("::1", 443)
