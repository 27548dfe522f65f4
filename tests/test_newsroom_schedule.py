"""Scheduled articles are published on time by the embedded runner and by Procrastinate workers,
and exactly once when both run against the same database."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime, timedelta

import pytest
from procrastinate.exceptions import AlreadyEnqueued

from akhbar.jobs.distributed import build_app, ensure_schema, run_worker
from akhbar.jobs.embedded import start_embedded_runner
from akhbar.services import audit, drafts, editorial
from akhbar.services.fetching import open_runtime
from akhbar.services.stories import Grouping
from akhbar.store import Store
from test_newsroom_drafts import DRAFT, PASSWORD
from test_sources_refresh import make_settings


def _scheduled(store: Store, seconds: float) -> tuple[int, datetime]:
    sara = editorial.add_user(store, "sara@example.org", "editor", PASSWORD)
    entry = drafts.save(store, sara, DRAFT)
    at = datetime.now(UTC) + timedelta(seconds=seconds)
    drafts.schedule(store, sara, entry.id, at)
    return entry.id, at


def _worker_ticks(store: Store, times: int) -> None:
    """Run Procrastinate's publishing task ``times`` over, as workers on other machines would."""
    ensure_schema(store.engine)
    app = build_app(store.url)

    async def run() -> None:
        async with open_runtime(store, make_settings(store.url), Grouping()) as runtime:
            for tick in range(times):
                async with app.open_async():
                    # the worker's own periodic deferrer may have queued this tick's twin already
                    with contextlib.suppress(AlreadyEnqueued):
                        await app.configure_task("akhbar.publish_scheduled").defer_async(timestamp=tick)
                await run_worker(app, runtime, concurrency=2, wait=False)
                await asyncio.sleep(0.2)

    asyncio.run(run())


def test_scheduled_articles_are_published_on_time_exactly_once(store: Store) -> None:
    entry_id, at = _scheduled(store, 2.0)
    halt = start_embedded_runner(store, make_settings(store.url), Grouping(), tick=0.1)
    try:
        if store.dialect == "postgresql":
            _worker_ticks(store, 15)  # racing the embedded runner for the same article
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = drafts.latest(store, entry_id)
            if found and found[0].state == "published":
                break
            time.sleep(0.1)
    finally:
        halt()
    found = drafts.latest(store, entry_id)
    assert found is not None and found[0].state == "published"
    published_at = found[0].published_at
    assert published_at is not None and at <= published_at < at + timedelta(seconds=10)
    assert [e.action for e in audit.events(store)].count("publish") == 1
    assert audit.events(store, action="publish")[0].actor == drafts.SCHEDULER


def test_a_procrastinate_worker_publishes_a_scheduled_article(store: Store) -> None:
    if store.dialect != "postgresql":
        pytest.skip("Procrastinate runs on PostgreSQL only (the embedded runner's test covers SQLite)")
    pg_store = store
    entry_id, _ = _scheduled(pg_store, 1.0)
    time.sleep(1.1)
    _worker_ticks(pg_store, 1)
    found = drafts.latest(pg_store, entry_id)
    assert found is not None and found[0].state == "published" and found[0].article_id is not None
