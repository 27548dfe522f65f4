"""Compressed answers (Zstandard, brotli, gzip) and the front cache that answers cached pages again."""

from __future__ import annotations

import threading

import brotli
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from akhbar.models import Article
from akhbar.store import Store
from akhbar.web import caching, create_app
from akhbar.web.caching import FrontCache
from akhbar.web.compression import CHEAPEST, SMALLEST, compress, encoding_for
from conftest import AsgiClient, app_client
from portal_fixtures import populate, store_article


@pytest.mark.parametrize(
    ("header", "cheapest", "smallest"),
    [
        ("", "", ""),
        ("gzip, deflate", "gzip", "gzip"),
        ("gzip, deflate, br, zstd", "zstd", "br"),  # Chromium, Firefox
        ("gzip, deflate, br", "br", "br"),  # Safari
        ("zstd, gzip", "zstd", "zstd"),
        ("br;q=0, gzip", "gzip", "gzip"),
        ("zstd;q=0, br, gzip", "br", "br"),
        ("identity", "", ""),
        ("*", "br", "br"),  # Zstandard only when named
        ("gzip;q=nonsense", "", ""),
    ],
)
def test_the_encoding_is_the_one_the_client_accepts_first_in_each_order(
    header: str, cheapest: str, smallest: str
) -> None:
    assert encoding_for(header) == encoding_for(header, CHEAPEST) == cheapest
    assert encoding_for(header, SMALLEST) == smallest


def test_cached_pages_come_compressed_with_their_own_tag(sqlite_store: Store) -> None:
    populate(sqlite_store)
    client = app_client(sqlite_store)
    plain = client.get("/fr/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and "Accept-Encoding" in plain.headers["vary"]
    tags = {plain.headers["etag"]}
    for encoding in ("br", "gzip", "zstd"):
        response = client.get("/fr/", headers={"Accept-Encoding": encoding})
        assert response.headers["content-encoding"] == encoding
        assert response.num_bytes_downloaded < len(plain.content) / 3
        assert response.content == plain.content  # httpx decoded it: the same page
        tags.add(response.headers["etag"])
        again = client.get(
            "/fr/", headers={"Accept-Encoding": encoding, "If-None-Match": response.headers["etag"]}
        )
        assert again.status_code == 304
    assert len(tags) == 4, "each representation has its own entity tag"


def test_a_page_given_once_goes_out_in_the_cheapest_coding_and_again_in_the_smallest(
    sqlite_store: Store,
) -> None:
    """A browser taking Zstandard and brotli gets a page just rendered in Zstandard (made on the spot,
    a fifth of brotli's work), then the same page in brotli (smaller) from its second request on:
    the front cache keeps only that one. A client taking brotli alone gets brotli at once."""
    populate(sqlite_store)
    app = create_app(sqlite_store, cache_ttl=0)
    counting = _Counting(app)
    client = AsgiClient(FrontCache(counting, app.state.cache))
    browser = {"Accept-Encoding": "gzip, deflate, br, zstd"}
    answers = [client.get("/fr/", headers=browser) for _ in range(3)]
    assert [a.headers["content-encoding"] for a in answers] == ["zstd", "br", "br"]
    assert counting.calls == 2, "the third came from the front cache"
    plain = client.get("/fr/", headers={"Accept-Encoding": "identity"}).content
    assert all(a.content == plain for a in answers)  # httpx decoded each: the same page
    first, second, _ = answers
    assert second.num_bytes_downloaded < first.num_bytes_downloaded < len(plain) / 3
    assert first.headers["etag"] != second.headers["etag"]
    revalidated = client.get("/fr/", headers={**browser, "If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304, "a tag of either coding names the page"
    assert client.get("/ar/", headers={"Accept-Encoding": "gzip, br"}).headers["content-encoding"] == "br"
    search = client.get("/fr/search?q=maroc", headers=browser)  # a search just rendered, as a page is
    assert search.status_code == 200 and search.headers["content-encoding"] == "zstd"


def test_kept_pages_are_compressed_on_the_one_compressing_thread(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compression's working memory is reused by one thread, not faulted in again by each request
    thread; the event loop's thread never compresses a kept page."""
    populate(sqlite_store)
    threads: list[str] = []

    def watched(body: bytes, encoding: str, *, cached: bool = False) -> bytes:
        threads.append(threading.current_thread().name)
        return compress(body, encoding, cached=cached)

    monkeypatch.setattr(caching, "compress", watched)
    client = app_client(sqlite_store)
    for path in ("/fr/", "/ar/"):
        for encoding in ("br", "gzip"):
            answer = client.get(path, headers={"Accept-Encoding": encoding})
            assert answer.headers["content-encoding"] == encoding
    assert len(threads) == 4
    assert {name.split("_")[0] for name in threads} == {"akhbar-compress"}, threads
    threads.clear()
    assert client.get("/fr/", headers={"Accept-Encoding": "zstd"}).headers["content-encoding"] == "zstd"
    assert len(threads) == 1 and not threads[0].startswith("akhbar-compress"), "Zstandard is made on the spot"


def test_other_text_answers_are_compressed_and_small_ones_are_not(sqlite_store: Store) -> None:
    populate(sqlite_store)
    client = app_client(sqlite_store, {"Accept-Encoding": "gzip"})
    for path in ("/fr/search?q=maroc", "/static/akhbar.css", "/api/openapi.json"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip", path
        assert int(response.headers["content-length"]) == response.num_bytes_downloaded
    assert "content-encoding" not in client.get("/healthz").headers
    etag = client.get("/static/akhbar.css").headers["etag"]
    assert etag.startswith("W/"), "a compressed file's tag is weak, as nginx makes it"
    assert client.get("/static/akhbar.css", headers={"If-None-Match": etag}).status_code == 304


class _Counting:
    """Counts the requests that reach ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.calls = app, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.calls += 1
        await self.app(scope, receive, send)


def test_the_front_cache_answers_a_cached_page_again_until_the_data_changes(sqlite_store: Store) -> None:
    populate(sqlite_store)
    app = create_app(sqlite_store, cache_ttl=0)
    counting = _Counting(app)
    client = AsgiClient(FrontCache(counting, app.state.cache))
    client = AsgiClient(FrontCache(counting, app.state.cache), {"Accept-Encoding": "identity"})
    first = client.get("/fr/")
    assert client.get("/fr/").content == first.content and counting.calls == 1
    assert client.get("/fr/", headers={"Accept-Encoding": "br"}).headers["content-encoding"] == "br"
    assert counting.calls == 2, "another encoding is another answer"
    client.get("/fr/", headers={"Cookie": "a=b"})
    client.get("/api/v1/search?q=maroc")
    client.get("/api/v1/search?q=maroc")
    assert counting.calls == 5, "requests with cookies and answers not from the cache go through"
    head = client.request("HEAD", "/fr/")
    assert head.status_code == 200 and head.content == b"" and counting.calls == 6
    store_article(
        sqlite_store,
        "front",
        Article("Un titre tout neuf pour la une", ("Un paragraphe.",), language="fr", url="https://x.ma/a"),
    )
    fresh = client.get("/fr/")
    assert counting.calls == 7 and "Un titre tout neuf" in fresh.text
    assert fresh.headers["etag"] != first.headers["etag"]


def test_errors_and_conditional_requests_are_not_kept(sqlite_store: Store) -> None:
    populate(sqlite_store)
    app = create_app(sqlite_store, cache_ttl=0)
    counting = _Counting(app)
    client = AsgiClient(FrontCache(counting, app.state.cache))
    assert client.get("/fr/articles/999999").status_code == 404
    assert client.get("/fr/articles/999999").status_code == 404
    etag = client.get("/fr/").headers["etag"]
    assert client.get("/fr/", headers={"If-None-Match": etag}).status_code == 304
    assert counting.calls == 4


def test_answers_from_the_front_cache_are_counted_in_the_metrics(sqlite_store: Store) -> None:
    from akhbar.web.telemetry import REQUESTS

    populate(sqlite_store)
    app = create_app(sqlite_store, cache_ttl=0)
    counting = _Counting(app)
    client = AsgiClient(FrontCache(counting, app.state.cache), {"Accept-Encoding": "identity"})
    counted = REQUESTS.labels("GET", "/{lang}/", "200")
    before = counted._value.get()
    for _ in range(3):
        assert client.get("/fr/").status_code == 200
    assert counting.calls == 1, "two of the three answers came from the front cache"
    assert counted._value.get() - before == 3


@pytest.mark.parametrize("path", ["/fr/", "/feeds/latest.rss", "/feeds/languages/fr.atom", "/sitemap.xml"])
def test_a_request_naming_another_host_changes_nothing_others_get(sqlite_store: Store, path: str) -> None:
    """Pages and feeds link to the site as the request names it (Host, scheme): an answer made for
    a forged Host is kept for that Host alone, in the response cache and in the front cache."""
    populate(sqlite_store)
    app = create_app(sqlite_store, cache_ttl=0)
    client = AsgiClient(FrontCache(app, app.state.cache), {"Accept-Encoding": "identity"})
    forged = client.get(path, headers={"Host": "evil.example"})
    assert forged.status_code == 200 and "evil.example" in forged.text
    for _ in range(2):  # the second from the front cache
        honest = client.get(path)
        assert honest.status_code == 200 and "evil.example" not in honest.text
        assert "http://testserver/" in honest.text


@pytest.mark.parametrize("size", [100, 5_000, 12_000, 16_376, 16_377, 70_000, 300_000])
def test_brotlis_window_fits_the_body_and_costs_it_nothing(size: int) -> None:
    """The smallest window that holds the body: the same bytes back, never larger than brotli's
    default window gives (a reference cannot reach before the body's start either way)."""
    body = (b"<p>Le conseil municipal a adopt\xc3\xa9 le budget. " * (size // 50 + 1))[:size]
    fitted = compress(body, "br", cached=True)
    assert brotli.decompress(fitted) == body
    assert len(fitted) <= len(brotli.compress(body, quality=6)) + 4  # the header names the window


def test_a_kept_zstandard_body_holds_no_more_memory_than_its_bytes() -> None:
    """Zstandard's frames come in room for the worst case, larger than the page: a kept body would
    hold two to three times its size of memory, for as long as it is kept."""
    import tracemalloc

    body = b"".join(b"<p>Article %d : le conseil a vote le budget de la ville.</p>" % n for n in range(300))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [compress(body, "zstd") for _ in range(50)]
        held = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    finally:
        tracemalloc.stop()
    assert len(kept[0]) < len(body) / 5
    assert held < len(kept[0]) + 200, (held, len(kept[0]))
