"""The loopback site ``akhbar bench ingest`` serves: real pages (each made unique) and feeds
listing them, from a thread of the bench's process that counts the CPU it spends (the bench's
work, not akhbar's)."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import overload

from akhbar.extract.pagefiles import demo_directory, html_pages


class Pages(Sequence[bytes]):
    """The bench's pages, kept in files of a temporary folder (removed when this object goes) and
    read when asked for: the site serving them is the bench's, not akhbar's, and their 80 MB of
    HTML (15 MB compressed) would otherwise count in the memory of the process tree measured."""

    def __init__(self, pages: Iterable[bytes]) -> None:
        folder = Path(tempfile.mkdtemp(prefix="akhbar-bench-pages-"))
        weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
        self._files: list[Path] = []
        for number, page in enumerate(pages):
            path = folder / f"{number}.html"
            path.write_bytes(page)
            self._files.append(path)

    def __len__(self) -> int:
        return len(self._files)

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[bytes]: ...

    def __getitem__(self, index: int | slice) -> bytes | Sequence[bytes]:
        if isinstance(index, slice):
            return [path.read_bytes() for path in self._files[index]]
        return self._files[index].read_bytes()


def corpus(data_dir: Path | None, limit: int | None = None) -> Iterator[bytes]:
    """Real HTML pages (the first ``limit``), read one at a time: ``pages-*`` under ``data_dir``
    when given, else the bundled demo pages."""
    return html_pages(data_dir if data_dir is not None else demo_directory(), limit)


def unique_page(pages: Sequence[bytes], index: int) -> bytes:
    """Page ``index`` of the bench: ``pages`` in turn, each with a comment of its own, so that every
    one is a distinct raw document (nothing is taken as already stored)."""
    return pages[index % len(pages)] + f"\n<!-- page {index} -->\n".encode()


class Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pages: Sequence[bytes], count: int, sources: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages, self.count, self.sources = pages, count, sources
        self.cpu_seconds = 0.0  # what its threads spent serving: the bench's, not akhbar's
        self._cpu_lock = threading.Lock()

    def spent(self, seconds: float) -> None:
        with self._cpu_lock:
            self.cpu_seconds += seconds

    def page(self, index: int) -> bytes:
        return unique_page(self.pages, index)

    def feed(self, number: int) -> bytes:
        base = f"http://127.0.0.1:{self.server_port}"
        share = range(number, self.count, self.sources)
        items = "".join(f"<item><title>Page {i}</title><link>{base}/p/{i}</link></item>" for i in share)
        channel = f"<channel><title>Bench {number}</title>{items}</channel>"
        return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


class _Handler(BaseHTTPRequestHandler):
    server: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return None

    def handle_one_request(self) -> None:
        started = time.thread_time()  # CPU only: waiting for the next request costs none
        try:
            super().handle_one_request()
        finally:
            self.server.spent(time.thread_time() - started)

    def do_GET(self) -> None:
        kind, _, number = self.path.strip("/").partition("/")
        if kind == "p" and number.isdigit():
            body, ctype = self.server.page(int(number)), "text/html; charset=utf-8"
        elif kind == "feed" and number.isdigit():
            body, ctype = self.server.feed(int(number)), "application/rss+xml"
        else:
            body, ctype = b"not found", "text/plain"
        status = 404 if ctype == "text/plain" else 200
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serving(pages: Sequence[bytes], count: int, sources: int) -> Iterator[Site]:
    site = Site(pages, count, sources)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.shutdown()
        site.server_close()
        thread.join(timeout=5)
