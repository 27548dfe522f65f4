"""A real threaded HTTP server on 127.0.0.1 for fetch tests: real fixture files plus hostile endpoints.

``/data/PATH`` serves files under ../shared/data, or the ``data`` folder given (``X.html`` is served
gzip-encoded from ``X.html.gz``);
``/pages/N`` serves the Nth real page; ``/gen/...`` are feeds and sitemaps listing those pages on this
server; the rest are the hostile cases of issue 4. ``/hostile/FIXTURE`` serves the attack corpus of
tests/hostile/ (``{base}`` in a file is this server's address; ``?type=`` sets the Content-Type) and
``/hostile-gen/...`` the hostile pages too big to keep as files. ``hits`` counts requests per path.
"""

from __future__ import annotations

import base64
import gzip
import json
import sys
import threading
import time
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import brotli
import zstandard

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
HOSTILE = Path(__file__).resolve().parent / "hostile"
PAGES = sorted((DATA / "pages-fundus").glob("*/*.html.gz")) + sorted(
    (DATA / "pages-trafilatura" / "html").glob("*.html")
)
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
RSS_ITEM = "<item><title>{title}</title><link>{link}</link><guid>{link}</guid><pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate><description>{title} summary</description></item>"
_BOMB = gzip.compress(b"\0" * 60_000_000, compresslevel=9)


def _zstd_frames() -> tuple[bytes, bytes]:
    """A Zstandard bomb (500 MB of zeros in about 15 KB), and a small page in a frame that asks
    for a 128 MB window."""
    bomb = zstandard.ZstdCompressor(level=3).compressobj()
    zeros = b"\0" * 1_000_000
    packed = b"".join(bomb.compress(zeros) for _ in range(500)) + bomb.flush()
    wide_window = zstandard.ZstdCompressionParameters(window_log=27, write_content_size=False)
    wide = zstandard.ZstdCompressor(compression_params=wide_window).compressobj()
    return packed, wide.compress(b"<p>a page in a frame asking for a 128 MB window</p>" * 40) + wide.flush()


_ZSTD_BOMB, _ZSTD_WIDE = _zstd_frames()
_TYPES = {
    ".xml": "application/xml",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain",
    ".dtd": "application/xml-dtd",
}
_ARTICLE = (
    "<p>Le conseil municipal a adopté mardi soir le budget de la ville pour l'année prochaine, en hausse"
    " de quatre pour cent, après un long débat entre la majorité et l'opposition.</p>\n"
)


def page_bytes(index: int) -> bytes:
    path = PAGES[index % len(PAGES)]
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


class Handler(BaseHTTPRequestHandler):
    server: FixtureServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return None

    def _send(
        self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.server.hits[parts.path] += 1
        self.server.times.append((parts.path, time.monotonic()))
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        for prefix, method in _ROUTES:
            if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
                method(self, path[len(prefix) :], query)
                return
        self._send(404, b"not found")

    # fixtures ----------------------------------------------------------------------------------
    def robots(self, _rest: str, _q: dict[str, str]) -> None:
        self._send(200, ROBOTS, "text/plain")

    def data(self, rest: str, _q: dict[str, str]) -> None:
        # Both sides resolved: ../shared (or any folder above it) may be a symlink.
        root = self.server.data.resolve()
        path = (root / rest).resolve()
        if root not in path.parents:
            self._send(403)
        elif path.is_file():
            self._send(200, path.read_bytes(), _TYPES.get(path.suffix, "application/octet-stream"))
        elif path.with_name(path.name + ".gz").is_file():
            body = path.with_name(path.name + ".gz").read_bytes()
            self._send(200, body, _TYPES.get(path.suffix, "text/html"), Content_Encoding="gzip")
        else:
            self._send(404)

    def page(self, rest: str, _q: dict[str, str]) -> None:
        self._send(200, page_bytes(int(rest or 0)), ETag=f'"page-{rest}"')

    def gen(self, rest: str, q: dict[str, str]) -> None:
        count, start = int(q.get("n", "5")), int(q.get("start", "0"))
        base = f"http://127.0.0.1:{self.server.server_port}"
        links = [f"{base}/pages/{i}?utm_source=feed" for i in range(start, start + count)]
        if rest == "rss" and self.headers.get("If-None-Match") == '"rss-1"':
            self._send(304, ETag='"rss-1"')
        elif rest == "rss":
            items = "".join(RSS_ITEM.format(title=f"Article {i}", link=link) for i, link in enumerate(links))
            body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test feed</title><link>{base}/</link><language>fr</language>{items}</channel></rss>'
            self._send(200, body.encode(), "application/rss+xml", ETag='"rss-1"')
        elif rest == "json":
            items = [
                {"id": link, "url": link, "title": f"Article {i}", "date_published": "2025-01-06T10:00:00Z"}
                for i, link in enumerate(links)
            ]
            feed = {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "JSON test",
                "home_page_url": base,
                "items": items,
            }
            self._send(200, json.dumps(feed).encode(), "application/feed+json")
        elif rest == "sitemap":
            urls = "".join(
                f"<url><loc>{link.replace('&', '&amp;')}</loc><news:news><news:publication><news:name>Test</news:name><news:language>fr</news:language></news:publication><news:publication_date>2025-01-06</news:publication_date><news:title>Article {i}</news:title></news:news></url>"
                for i, link in enumerate(links)
            )
            body = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
            self._send(200, body.encode(), "application/xml")
        elif rest == "sitemapindex":
            body = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{base}/gen/sitemap?n=2</loc></sitemap><sitemap><loc>{base}/gen/sitemap?n=2&amp;start=2</loc></sitemap></sitemapindex>'
            self._send(200, body.encode(), "application/xml")
        elif rest == "hostile-rss":
            paths = [
                "/big",
                "/bomb",
                "/stall",
                "/loop/a",
                "/redirect/?to=http://10.0.0.1/",
                "/private/x",
                "/html-feed",
                "/pages/0",
            ]
            items = "".join(
                RSS_ITEM.format(title=f"Hostile {i}", link=(base + p).replace("&", "&amp;"))
                for i, p in enumerate(paths)
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>{items}</channel></rss>'
            self._send(200, body.encode(), "application/rss+xml")
        elif rest == "retry-rss":  # pages that fail with 503 ``fails`` times before they work
            fails = q.get("fails", "3")
            paths = [f"/recovers/{start + i}?fails={fails}" for i in range(count)] + [f"/gone/{start}"]
            items = "".join(
                RSS_ITEM.format(title=f"Retry {i}", link=(base + p).replace("&", "&amp;"))
                for i, p in enumerate(paths)
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Retry</title>{items}</channel></rss>'
            self._send(200, body.encode(), "application/rss+xml")
        elif rest == "summary-rss":  # an entry whose page is an empty shell, with a real summary
            summary = "Le conseil municipal a adopté mardi soir le budget 2025, en hausse de 4 %, après un long débat."
            item = f"<item><title>Budget adopté</title><link>{base}/shell/{start}</link><description>{summary}</description></item>"
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Résumés</title><language>fr</language>{item}</channel></rss>'
            self._send(200, body.encode(), "application/rss+xml")
        elif rest == "site":
            body = f'<!doctype html><html><head><title>Le Site</title><link rel="alternate" type="application/rss+xml" title="Fil" href="/gen/rss?n={count}"></head><body><p>Accueil</p></body></html>'
            self._send(200, body.encode())
        else:
            self._send(404)

    # the attack corpus (tests/hostile) -------------------------------------------------------------
    def hostile(self, rest: str, q: dict[str, str]) -> None:
        path = (HOSTILE / rest).resolve()
        if HOSTILE not in path.parents or not path.is_file():
            self._send(404)
            return
        body = path.read_bytes().replace(b"{base}", f"http://127.0.0.1:{self.server.server_port}".encode())
        self._send(200, body, q.get("type") or _TYPES.get(path.suffix, "application/octet-stream"))

    def hostile_gen(self, rest: str, q: dict[str, str]) -> None:
        size = int(float(q.get("mb", "1")) * 1_000_000)
        head = b"<!doctype html><html><head><meta charset=utf-8><title>Grosse page</title>"
        if (
            rest == "big-page"
        ):  # a real article in megabytes of inline state, a data: image, a giant paragraph
            blob = base64.b64encode(bytes(range(256)) * (size // 2 // 256))[: size * 2 // 5]
            body = (
                head
                + b'<script>window.__state = "'
                + blob
                + b'";</script></head><body>'
                + _ARTICLE.encode() * 4
            )
            body += (
                b'<img src="data:image/png;base64,'
                + blob
                + b'"><p>'
                + b"x " * (size // 10)
                + b"</p></body></html>"
            )
            self._send(200, body)
        elif rest == "many-elements":  # a real article among a hundred thousand empty elements
            filler = b"<div class='ad'><span>publicit\xc3\xa9</span></div>\n" * (size // 40)
            self._send(200, head + b"</head><body>" + _ARTICLE.encode() * 4 + filler + b"</body></html>")
        elif rest == "nested":  # tags nested deeper than any parser's recursion
            depth = int(q.get("depth", "50000"))
            body = b"<!doctype html><html><head><title>Imbrication</title></head><body>"
            body += b"<div>" * depth + _ARTICLE.encode() * 4 + b"</div>" * depth + b"</body></html>"
            self._send(200, body)
        elif rest.startswith("shell/"):  # an empty app shell, one per address (the entry's summary stands in)
            self._send(
                200,
                b"<!doctype html><html><head><title>x</title></head><body><div id=app data-page='%s'></div></body></html>"
                % rest.encode(),
            )
        else:
            self._send(404)

    # hostile cases -----------------------------------------------------------------------------
    def html_feed(self, _rest: str, _q: dict[str, str]) -> None:
        self._send(
            200, b"<html><body><h1>Oops</h1><p>Not a feed at all.</p></body></html>", "application/rss+xml"
        )

    def truncated(self, _rest: str, _q: dict[str, str]) -> None:
        self._send(
            200,
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title><item><title>Half',
            "application/rss+xml",
        )

    def wrong_encoding(self, _rest: str, _q: dict[str, str]) -> None:
        body = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Café été</title><item><title>Élection à Genève</title><link>http://127.0.0.1/x</link></item></channel></rss>'
        self._send(200, body.encode("iso-8859-1"), "application/rss+xml; charset=utf-8")

    def loop(self, rest: str, _q: dict[str, str]) -> None:
        self._send(302, Location="/loop/b" if rest == "a" else "/loop/a")

    def big(self, _rest: str, _q: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(20_000_000))
        self.end_headers()
        chunk = b"<p>" + b"x" * 65_530 + b"</p>\n"
        try:
            for _ in range(20_000_000 // len(chunk)):
                self.wfile.write(chunk)
        except OSError:
            return

    def big_chunked(self, _rest: str, _q: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for _ in range(320):
                self.wfile.write(b"<p>" + b"y" * 65_530 + b"</p>\n")
        except OSError:
            return

    def bomb(self, rest: str, _q: dict[str, str]) -> None:
        """``/bomb``: gzip; ``/bomb/zstd``: Zstandard; ``/bomb/zstd-window``: a frame asking for a
        window over what HTTP senders may use; ``/bomb/zstd-corrupt``: bytes that are no frame."""
        if rest == "zstd":
            self._send(200, _ZSTD_BOMB, Content_Encoding="zstd")
        elif rest == "zstd-window":
            self._send(200, _ZSTD_WIDE, Content_Encoding="zstd")
        elif rest == "zstd-corrupt":
            self._send(200, b"\x28\xb5\x2f\xfd" + b"\xff" * 200, Content_Encoding="zstd")
        else:
            self._send(200, _BOMB, Content_Encoding="gzip")

    def stall(self, _rest: str, _q: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"<html><body><p>start")
        self.wfile.flush()
        time.sleep(self.server.stall_seconds)
        self.close_connection = True

    def flaky(self, rest: str, _q: dict[str, str]) -> None:
        key = f"flaky/{rest}"
        self.server.state[key] += 1
        if self.server.state[key] == 1:
            self._send(500, b"boom")
        else:
            self._send(200, page_bytes(1))

    def busy(self, rest: str, q: dict[str, str]) -> None:
        key = f"busy/{rest}"
        self.server.state[key] += 1
        if self.server.state[key] == 1:
            self._send(429, b"slow down", Retry_After=q.get("after", "1"))
        else:
            self._send(200, page_bytes(2))

    def always_500(self, _rest: str, _q: dict[str, str]) -> None:
        self._send(503, b"down")

    def recovers(self, rest: str, q: dict[str, str]) -> None:
        key = f"recovers/{rest}"
        self.server.state[key] += 1
        if self.server.state[key] <= int(q.get("fails", "3")):
            self._send(503, b"down for now")
        else:
            self._send(200, page_bytes(int(rest) % 6))

    def gone(self, _rest: str, _q: dict[str, str]) -> None:
        self._send(404, b"gone")

    def shell(self, _rest: str, _q: dict[str, str]) -> None:
        self._send(
            200, b"<!doctype html><html><head><title>x</title></head><body><div id=app></div></body></html>"
        )

    def encoded(self, rest: str, _q: dict[str, str]) -> None:
        body = page_bytes(0)
        packed = {
            "br": lambda b: brotli.compress(b, quality=4),
            "deflate": zlib.compress,
            "gzip": gzip.compress,
            "zstd": zstandard.ZstdCompressor(level=3).compress,
        }[rest](body)
        self._send(200, packed, Content_Encoding=rest)

    def redirect(self, _rest: str, q: dict[str, str]) -> None:
        self._send(302, Location=q["to"])

    def slow(self, rest: str, q: dict[str, str]) -> None:
        """A page that takes ``wait`` seconds; the server keeps the most requests in flight at once."""
        with self.server.lock:
            self.server.state["slow-now"] += 1
            peak = max(self.server.state["slow-peak"], self.server.state["slow-now"])
            self.server.state["slow-peak"] = peak
        try:
            time.sleep(float(q.get("wait", "0.3")))
            self._send(200, page_bytes(int(rest or 0)))
        finally:
            with self.server.lock:
                self.server.state["slow-now"] -= 1


_ROUTES = [
    ("/robots.txt", Handler.robots),
    ("/data/", Handler.data),
    ("/pages/", Handler.page),
    ("/gen/", Handler.gen),
    ("/private/", Handler.page),
    ("/html-feed", Handler.html_feed),
    ("/truncated.xml", Handler.truncated),
    ("/wrong-encoding.xml", Handler.wrong_encoding),
    ("/loop/", Handler.loop),
    ("/big", Handler.big),
    ("/big-chunked", Handler.big_chunked),
    ("/bomb", Handler.bomb),
    ("/bomb/", Handler.bomb),
    ("/stall", Handler.stall),
    ("/flaky/", Handler.flaky),
    ("/busy/", Handler.busy),
    ("/down", Handler.always_500),
    ("/recovers/", Handler.recovers),
    ("/gone/", Handler.gone),
    ("/shell/", Handler.shell),
    ("/redirect/", Handler.redirect),
    ("/slow/", Handler.slow),
    ("/encoded/", Handler.encoded),
    ("/hostile/", Handler.hostile),
    ("/hostile-gen/", Handler.hostile_gen),
]


class FixtureServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up early (the hostile cases do it on purpose) is not an error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]  # socketserver's untyped request

    def __init__(self, data: Path = DATA) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.data = data
        self.hits: Counter[str] = Counter()
        self.state: Counter[str] = Counter()
        self.times: list[tuple[str, float]] = []
        self.stall_seconds = 3.0
        self.lock = threading.Lock()
        # shutdown() waits for the loop to poll again: 0.05 s instead of the default 0.5 s per server
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
