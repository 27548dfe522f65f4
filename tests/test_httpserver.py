"""The loopback fixture server itself: ``/data/`` serves files wherever the data folder really is."""

from __future__ import annotations

import gzip
import http.client
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from httpserver import FixtureServer


@pytest.fixture
def linked(tmp_path: Path) -> Iterator[FixtureServer]:
    """A server whose data folder is reached through a symlink, as when ../shared is one."""
    data = tmp_path / "real" / "data"
    (data / "pages").mkdir(parents=True)
    (data / "pages" / "one.html").write_bytes("<p>صفحة</p>".encode())
    (data / "pages" / "two.html.gz").write_bytes(gzip.compress(b"<p>deux</p>"))
    (tmp_path / "real" / "secret.txt").write_text("outside the data folder")
    (tmp_path / "shared").symlink_to(tmp_path / "real", target_is_directory=True)
    server = FixtureServer(data=tmp_path / "shared" / "data").start()
    try:
        yield server
    finally:
        server.stop()


def test_data_is_served_through_a_symlinked_folder(linked: FixtureServer) -> None:
    page = httpx.get(linked.url("/data/pages/one.html"))
    assert page.status_code == 200
    assert page.text == "<p>صفحة</p>"
    packed = httpx.get(linked.url("/data/pages/two.html"))
    assert packed.status_code == 200
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.text == "<p>deux</p>"
    assert httpx.get(linked.url("/data/pages/three.html")).status_code == 404


def test_data_refuses_paths_that_leave_the_data_folder(linked: FixtureServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", linked.server_port, timeout=5)
    try:
        connection.request("GET", "/data/../secret.txt")  # sent as is: http.client does not normalise
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 403
