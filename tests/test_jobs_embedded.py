"""The embedded runner ``akhbar serve`` starts: a background thread polling due sources."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from akhbar.jobs.embedded import start_embedded_runner
from akhbar.services import sources as sources_service
from akhbar.services.stories import Grouping
from akhbar.store import Store
from httpserver import FixtureServer
from test_sources_refresh import make_settings


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    running = FixtureServer().start()
    yield running
    running.stop()


def test_embedded_runner_ingests_in_the_background_and_stops(
    sqlite_store: Store, server: FixtureServer
) -> None:
    settings = make_settings(sqlite_store.url)
    feed = server.url("/gen/rss?n=2&start=90").replace("&", "&amp;")
    sources_service.import_opml(
        sqlite_store, settings, f'<opml><body><outline xmlUrl="{feed}"/></body></opml>'.encode()
    )
    halt = start_embedded_runner(sqlite_store, settings, Grouping(), tick=0.1)
    try:
        deadline = time.monotonic() + 20
        count = 0
        while time.monotonic() < deadline and count < 2:
            time.sleep(0.1)
            with sqlite_store.reading() as connection:
                count = connection.execute(sa.text("SELECT count(*) FROM articles")).scalar_one()
    finally:
        halt()
    assert count == 2
