"""The fetcher against a real server on 127.0.0.1: real fixtures and every hostile case of issue 4."""

from __future__ import annotations

import asyncio
import gzip
import importlib.abc
import ipaddress
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from akhbar.errors import FetchError, RetryLater
from akhbar.fetch import Fetcher, FetchPolicy, FetchResult, guard, retry_after_seconds
from httpserver import DATA, FixtureServer, page_bytes

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)
POLICY = FetchPolicy(
    user_agent="akhbar-test/1.0",
    allow_networks=LOOPBACK,
    timeout=1.0,
    total_timeout=8.0,
    max_bytes=2_000_000,
    retries=2,
    backoff=0.05,
    max_retry_wait=2.0,
    host_delay=0.0,
)


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    running = FixtureServer().start()
    running.stall_seconds = 3.0
    yield running
    running.stop()


def fetch(url: str, policy: FetchPolicy = POLICY, **kwargs: str) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(policy) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(run())


def refused(url: str, policy: FetchPolicy = POLICY) -> str:
    with pytest.raises(FetchError) as info:
        fetch(url, policy)
    return str(info.value)


def test_fetches_a_real_feed_and_a_gzip_encoded_page(server: FixtureServer) -> None:
    feed = fetch(server.url("/data/feeds-miniflux/small_atom.xml"))
    assert feed.status == 200 and b"<feed" in feed.data
    page = fetch(server.url("/data/pages-fundus/fr/LeMonde_2023_09_01.html"))
    assert page.header("content-encoding") == "gzip"
    expected = gzip.decompress((DATA / "pages-fundus/fr/LeMonde_2023_09_01.html.gz").read_bytes())
    assert page.data == expected


def test_a_fetch_searches_the_import_path_for_nothing(server: FixtureServer) -> None:
    """httpcore tries ``import sniffio`` for each lock and event it makes (four a request): a module
    that is not installed is searched for along the whole import path every time."""
    sought: list[str] = []

    class Spy(importlib.abc.MetaPathFinder):
        def find_spec(self, name: str, path: object, target: object = None) -> None:
            sought.append(name)  # only what sys.modules does not hold yet comes here

    fetch(server.url("/gen/rss?n=404"))  # every module a fetch imports, imported
    spy = Spy()
    sys.meta_path.insert(0, spy)
    try:
        for _ in range(3):
            fetch(server.url("/gen/rss?n=404"))
    finally:
        sys.meta_path.remove(spy)
    assert sought == []


def test_conditional_get_answers_not_modified(server: FixtureServer) -> None:
    first = fetch(server.url("/gen/rss?n=1"))
    assert first.header("etag") == '"rss-1"' and first.status == 200
    again = fetch(server.url("/gen/rss?n=1"), etag='"rss-1"')
    assert again.not_modified and again.data == b""


def test_loopback_is_refused_unless_allowed(server: FixtureServer) -> None:
    message = refused(server.url("/pages/0"), FetchPolicy(allow_networks=()))
    assert "127.0.0.1 is a loopback address" in message


@pytest.mark.parametrize("target", ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/"])
def test_redirects_to_private_and_metadata_addresses_are_refused(server: FixtureServer, target: str) -> None:
    message = refused(server.url(f"/redirect/?to={target}"))
    assert "refused" in message and target.split("/")[2] in message


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/"])
def test_non_http_schemes_are_refused(url: str) -> None:
    assert "is not http or https" in refused(url)


def test_redirect_loop_ends_with_a_reason(server: FixtureServer) -> None:
    assert "redirect loop" in refused(server.url("/loop/a"))


def test_too_many_redirects(server: FixtureServer) -> None:
    policy = FetchPolicy(allow_networks=LOOPBACK, max_redirects=0, host_delay=0)
    assert "more than 0 redirects" in refused(server.url("/redirect/?to=/pages/0"), policy)


def test_twenty_megabyte_page_is_refused_by_size(server: FixtureServer) -> None:
    assert "too large" in refused(server.url("/big"))
    assert "too large" in refused(server.url("/big-chunked"))


def test_gzip_bomb_stops_at_the_decompressed_cap(server: FixtureServer) -> None:
    started = time.perf_counter()
    message = refused(server.url("/bomb"))
    assert "too large" in message and "after decompression" in message
    assert time.perf_counter() - started < 5


def test_zstandard_bombs_and_greedy_frames_are_refused(server: FixtureServer) -> None:
    """500 MB of zeros in 15 KB stops at the cap, decoded a slice at a time; a frame asking for a
    128 MB window is refused before anything is allocated for it; bytes that are no frame too."""
    started = time.perf_counter()
    message = refused(server.url("/bomb/zstd"))
    assert "too large" in message and "after decompression" in message
    assert time.perf_counter() - started < 5
    assert "cannot decompress body" in refused(server.url("/bomb/zstd-window"))
    assert "cannot decompress body" in refused(server.url("/bomb/zstd-corrupt"))


@pytest.mark.slow
def test_stall_mid_body_times_out(server: FixtureServer) -> None:
    assert "timed out" in refused(server.url("/stall"))


def test_500_then_200_is_retried(server: FixtureServer) -> None:
    result = fetch(server.url("/flaky/one"))
    assert result.status == 200
    assert server.hits["/flaky/one"] == 2


def test_persistent_5xx_fails_after_the_retries(server: FixtureServer) -> None:
    message = refused(server.url("/down"))
    assert "HTTP 503 after 3 attempts" in message


def test_a_job_runner_fetch_hands_its_retries_back_instead_of_sleeping(server: FixtureServer) -> None:
    """Given ``tries`` (a job runner), a 503 raises RetryLater at once, due after the backoff, and
    the next run carries the count on, until the retries are used up."""

    async def run(path: str, tries: int) -> FetchResult:
        async with Fetcher(POLICY) as fetcher:
            return await fetcher.fetch(server.url(path), tries=tries)

    url = "/recovers/31?fails=2"
    started = time.time()
    with pytest.raises(RetryLater) as first:
        asyncio.run(run(url, 0))
    assert first.value.tries == 1 and server.hits[url.split("?")[0]] == 1, "one request, no retry in place"
    assert started + POLICY.backoff <= first.value.retry_at <= time.time() + 1.5 * POLICY.backoff
    with pytest.raises(RetryLater) as second:
        asyncio.run(run(url, first.value.tries))
    assert second.value.tries == 2
    assert asyncio.run(run(url, second.value.tries)).status == 200
    assert server.hits[url.split("?")[0]] == 3
    with pytest.raises(FetchError, match=r"HTTP 503 after 3 attempts"):
        asyncio.run(run("/down", POLICY.retries))


@pytest.mark.slow
def test_429_honours_retry_after(server: FixtureServer) -> None:
    started = time.perf_counter()
    assert fetch(server.url("/busy/one?after=1")).status == 200
    assert time.perf_counter() - started >= 0.9


def test_429_asking_too_long_a_wait_fails_with_the_reason(server: FixtureServer) -> None:
    assert "asked to wait 3600 s" in refused(server.url("/busy/two?after=3600"))


def test_robots_txt_disallow_is_obeyed(server: FixtureServer) -> None:
    message = refused(server.url("/private/page"))
    assert "disallowed by robots.txt" in message
    assert server.hits["/private/page"] == 0


def test_robots_txt_is_asked_for_once_by_fetches_starting_together(server: FixtureServer) -> None:
    """A feed's first pages start at once: one robots.txt request, whose answer they all wait for."""
    policy = FetchPolicy(allow_networks=POLICY.allow_networks, host_delay=0, host_concurrency=4)
    before = server.hits["/robots.txt"]

    async def run() -> list[FetchResult]:
        async with Fetcher(policy) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(server.url(f"/pages/{n}")) for n in range(40, 44)))

    assert [result.status for result in asyncio.run(run())] == [200] * 4
    assert server.hits["/robots.txt"] - before == 1


def test_a_fetch_ready_to_wait_is_not_turned_away_by_the_robots_request_it_joined() -> None:
    """A fetch joins the robots.txt request already under way; when that one gave up waiting for the
    host (its fetch would wait 1 s), a fetch that waits as long as it takes asks again itself."""
    from akhbar.errors import HostBusy
    from akhbar.fetch.robots import RobotsCache

    asked: list[float | None] = []

    async def get(url: str, patience: float | None) -> tuple[int, bytes]:
        asked.append(patience)
        await asyncio.sleep(0.05)
        if patience is not None:
            raise HostBusy("example.org", time.time() + 60)
        return 200, b"User-agent: *\nDisallow: /private/\n"

    async def run() -> list[object]:
        robots = RobotsCache("akhbar-test", get)
        return await asyncio.gather(
            robots.rules_for("https://example.org/a", 1.0),
            robots.rules_for("https://example.org/b", None),
            return_exceptions=True,
        )

    busy, rules = asyncio.run(run())
    assert isinstance(busy, HostBusy)
    assert not isinstance(rules, BaseException) and not rules.allows("https://example.org/private/x", "bot")  # type: ignore[attr-defined]
    assert asked == [1.0, None]


def test_retry_after_parses_seconds_and_dates() -> None:
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("garbage") is None
    assert 0 <= (retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") or 0) < 1


def test_injected_transport_gives_conditional_headers_and_304() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/robots.txt":
            return httpx.Response(404, stream=httpx.ByteStream(b""))
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304, stream=httpx.ByteStream(b""))
        return httpx.Response(200, stream=httpx.ByteStream(b"<rss/>"), headers={"ETag": '"v1"'})

    async def run() -> list[FetchResult]:
        policy = FetchPolicy(allow_networks=(ipaddress.ip_network("0.0.0.0/0"),), host_delay=0)
        async with Fetcher(policy, transport=httpx.MockTransport(handler)) as fetcher:
            first = await fetcher.fetch("http://93.184.215.14/feed")
            second = await fetcher.fetch("http://93.184.215.14/feed", etag=first.header("etag"))
            return [first, second]

    first, second = asyncio.run(run())
    assert first.status == 200 and second.not_modified and second.data == b""
    assert seen[-1].headers["if-none-match"] == '"v1"'
    assert {"gzip", "br", "zstd"} <= {c.strip() for c in seen[-1].headers["accept-encoding"].split(",")}


@pytest.mark.parametrize("encoding", ["br", "deflate", "gzip", "zstd"])
def test_content_encodings_are_decoded(server: FixtureServer, encoding: str) -> None:
    result = fetch(server.url(f"/encoded/{encoding}"))
    assert result.header("content-encoding") == encoding
    assert result.data == page_bytes(0)


def test_connected_peer_is_checked_even_if_the_address_check_were_skipped(
    server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: were the resolved addresses let through unchecked, the peer check refuses.

    (Rebinding itself is prevented by pinning the connection: see test_fetch_rebinding.py.)
    """

    async def looks_public(url: str, allowed: object, resolver: object) -> tuple[str, tuple[str, ...]]:
        return "127.0.0.1", ("127.0.0.1",)

    monkeypatch.setattr(guard, "resolve_and_check", looks_public)
    policy = FetchPolicy(allow_networks=(), obey_robots=False, host_delay=0)
    assert "127.0.0.1 is a loopback address" in refused(server.url("/pages/0"), policy)
    assert server.hits["/pages/0"] <= 1  # the body is never read


@pytest.mark.parametrize(
    ("address", "label"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-global"),
        ("::ffff:10.0.0.1", "private"),
    ],
)
def test_guard_refuses_non_public_addresses(address: str, label: str) -> None:
    with pytest.raises(FetchError, match=f"is a {label} address"):
        guard.check_address("http://x/", address, ())


def test_guard_allows_public_addresses_and_allowed_networks() -> None:
    guard.check_address("http://x/", "93.184.215.14", ())
    guard.check_address("http://x/", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", ())
    guard.check_address("http://x/", "10.1.2.3", guard.parse_networks("10.0.0.0/8"))


def test_fetching_does_not_load_httpx_command_line_client() -> None:
    """httpx's own command-line client (rich, pygments) is never loaded: akhbar does not run it."""
    code = (
        "import sys\n"
        "import akhbar.fetch.client, httpx\n"
        "print(httpx.AsyncClient.__name__, sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'pygments')))\n"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "AsyncClient []"
