"""Following sources end to end against the local server: discovery, refresh, hostile cases, polling."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from akhbar.config import Settings, load_settings
from akhbar.errors import StoreError
from akhbar.jobs.inline import InlineRunner, Outcomes
from akhbar.jobs.tasks import schedule_due
from akhbar.models import Source
from akhbar.services import articles as articles_service
from akhbar.services import ingest, polling, refresh
from akhbar.services import sources as sources_service
from akhbar.services.fetching import open_runtime
from akhbar.services.stories import Grouping
from akhbar.store import Store, seen, tables
from akhbar.store import sources as store_sources
from akhbar.store.tables import seen_urls
from akhbar.text.urls import canonical_url
from httpserver import FixtureServer

TEST_SETTINGS = {
    "fetch_allow_networks": "127.0.0.0/8",
    "user_agent": "akhbar-test/1.0",
    "fetch_timeout": 2.0,
    "fetch_total_timeout": 8.0,
    "fetch_retries": 1,
    "fetch_backoff": 0.05,
    "fetch_max_retry_wait": 2.0,
    "fetch_host_delay": 0.0,
    "fetch_max_bytes": 2_000_000,
    "images": False,  # the fixture pages name photos on the internet: tests of photos turn this on
}


def make_settings(database_url: str, **more: object) -> Settings:
    return load_settings(
        {"database_url": database_url, **TEST_SETTINGS, **more}, environ={}, config_file=Path("/nonexistent")
    )


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    running = FixtureServer().start()
    running.stall_seconds = 4.0
    yield running
    running.stop()


def add(store: Store, url: str, **more: object) -> Source:
    async def run() -> Source:
        async with open_runtime(store, make_settings(store.url, **more), Grouping()) as runtime:
            return await sources_service.add_source(runtime, url)

    return asyncio.run(run())


def run_scheduler(store: Store, **more: object) -> Outcomes:
    async def run() -> Outcomes:
        async with open_runtime(store, make_settings(store.url, **more), Grouping()) as runtime:
            runner = InlineRunner(runtime, concurrency=4)
            await schedule_due(store, runner)
            return await runner.run_until_idle()

    return asyncio.run(run())


def test_add_discovers_the_feed_a_site_advertises(store: Store, server: FixtureServer) -> None:
    source = add(store, server.url("/gen/site?n=2"))
    assert (source.kind, source.name, source.language) == ("feed", "Test feed", "fr")
    assert source.url == server.url("/gen/rss?n=2") and source.site_url == server.url("/")
    with pytest.raises(StoreError, match="already followed"):
        add(store, server.url("/gen/rss?n=2"))


@pytest.mark.parametrize(
    ("path", "kind"), [("/gen/sitemap?n=2", "sitemap"), ("/gen/json?n=2", "feed"), ("/pages/3", "page")]
)
def test_add_recognises_sitemaps_json_feeds_and_pages(
    sqlite_store: Store, server: FixtureServer, path: str, kind: str
) -> None:
    assert add(sqlite_store, server.url(path)).kind == kind


def test_refresh_stores_new_pages_once(store: Store, server: FixtureServer) -> None:
    source = add(store, server.url("/gen/rss?n=3&start=10"))
    first = run_scheduler(store)
    assert [r.status for r in first.refreshes] == ["ok"]
    assert sorted(p.status for p in first.pages) == ["stored"] * 3
    store_sources_update(store, source.id, next_poll_at=None)
    before = sum(server.hits[f"/pages/{i}"] for i in range(10, 13))
    second = run_scheduler(store)
    assert second.refreshes[0].status == "not-modified", "the ETag was sent back"
    assert second.refreshes[0].new_pages == 0 and second.pages == []
    assert sum(server.hits[f"/pages/{i}"] for i in range(10, 13)) == before, (
        "known URLs are not fetched again"
    )
    detail = sources_service.show_source(store, source.id)
    assert detail.articles == 3 and detail.pages == {"stored": 3}
    assert detail.source.next_poll_at is not None and detail.source.next_poll_at > datetime.now(UTC)


def test_a_stored_pages_record_is_written_with_its_article_off_the_event_loop(
    store: Store, server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fetched page's row of seen URLs commits in the transaction that stores its article, in
    the ingesting thread: no second commit per page, and the event loop (which fetches every
    other page meanwhile) never waits there for the database's writer."""
    start = 60 if store.dialect == "sqlite" else 65  # distinct pages per backend
    add(store, server.url(f"/gen/rss?n=3&start={start}"))
    loop_thread = threading.get_ident()
    marked: list[tuple[str, bool, bool]] = []
    mark = seen.mark_seen

    def watched(connection: sa.Connection, url: str, **fields: Any) -> None:
        if fields["status"] == "stored":
            article = fields["article_id"]
            with_it = connection.execute(
                sa.select(tables.articles.c.id).where(tables.articles.c.id == article)
            )
            marked.append((url, with_it.first() is not None, threading.get_ident() == loop_thread))
        mark(connection, url, **fields)

    monkeypatch.setattr(seen, "mark_seen", watched)
    outcomes = run_scheduler(store)
    assert sorted(p.status for p in outcomes.pages) == ["stored"] * 3
    assert len(marked) == 3
    assert all(with_article and not on_loop for _url, with_article, on_loop in marked), marked


def test_sitemap_index_is_followed(sqlite_store: Store, server: FixtureServer) -> None:
    add(sqlite_store, server.url("/gen/sitemapindex"))
    outcomes = run_scheduler(sqlite_store)
    assert outcomes.refreshes[0].new_pages == 4


def store_sources_update(store: Store, source_id: int, **values: object) -> None:
    with store.transaction() as connection:
        store_sources.update_source(connection, source_id, **values)


HOSTILE_FEEDS = {
    "/html-feed": "not a feed",
    "/truncated.xml": "not a feed: malformed XML",
    "/loop/a": "redirect loop",
    "/big": "too large",
    "/bomb": "too large",
    "/stall": "timed out",
    "/private/feed": "disallowed by robots.txt",
    "/redirect/?to=http://10.0.0.1/": "10.0.0.1 is a private address",
    "/redirect/?to=http://169.254.169.254/latest/meta-data/": "169.254.169.254 is a link-local address",
    "/down": "HTTP 503",
    "/busy/feed?after=3600": "asked to wait 3600 s",
}


@pytest.mark.slow
def test_hostile_sources_end_as_recorded_errors_and_others_are_unaffected(
    sqlite_store: Store, server: FixtureServer
) -> None:
    outlines = "".join(
        f'<outline text="h" xmlUrl="{server.url(p).replace("&", "&amp;")}"/>' for p in HOSTILE_FEEDS
    )
    good = server.url("/gen/rss?n=2&start=20").replace("&", "&amp;")
    opml = f'<opml version="2.0"><body>{outlines}<outline text="ok" xmlUrl="{good}"/><outline text="enc" xmlUrl="{server.url("/wrong-encoding.xml")}"/><outline text="hostile pages" xmlUrl="{server.url("/gen/hostile-rss")}"/></body></opml>'
    imported = sources_service.import_opml(sqlite_store, make_settings(sqlite_store.url), opml.encode())
    assert [r.status for r in imported] == ["added"] * (len(HOSTILE_FEEDS) + 3)
    outcomes = run_scheduler(sqlite_store)
    assert len(outcomes.refreshes) == len(HOSTILE_FEEDS) + 3
    by_url = {s.url: s for s in sources_service.list_sources(sqlite_store)}
    for path, reason in HOSTILE_FEEDS.items():
        source = by_url[server.url(path)]
        assert source.last_status == "error" and reason in (source.last_error or ""), (
            path,
            source.last_error,
        )
        assert source.consecutive_failures == 1 and source.healthy
        assert source.next_poll_at is not None and source.next_poll_at > datetime.now(UTC)
    ok = by_url[server.url("/gen/rss?n=2&start=20")]
    assert ok.last_status == "ok" and ok.last_error is None
    assert sources_service.show_source(sqlite_store, ok.id).articles == 2
    encoding = by_url[server.url("/wrong-encoding.xml")]
    assert encoding.last_status == "ok" and "encoding" in (encoding.last_error or "")
    pages = sources_service.show_source(sqlite_store, by_url[server.url("/gen/hostile-rss")].id)
    reasons = " | ".join(f"{e.url}: {e.reason}" for e in pages.recent_errors)
    for expected in (
        "too large",
        "timed out",
        "redirect loop",
        "10.0.0.1 is a private address",
        "disallowed by robots.txt",
    ):
        assert expected in reasons
    assert pages.articles >= 1


@pytest.mark.slow
def test_page_sources_survive_500_then_200_and_429(sqlite_store: Store, server: FixtureServer) -> None:
    now = datetime.now(UTC)
    with sqlite_store.transaction() as connection:
        for path in ("/flaky/page", "/busy/page?after=1"):
            store_sources.insert_source(
                connection, url=server.url(path), kind="page", created_at=now, poll_interval=1800
            )
    outcomes = run_scheduler(sqlite_store)
    assert sorted(r.status for r in outcomes.refreshes) == ["ok", "ok"]
    assert server.hits["/flaky/page"] == 2 and server.hits["/busy/page"] == 2


def test_a_source_failing_for_days_becomes_unhealthy_not_deleted(
    sqlite_store: Store, server: FixtureServer
) -> None:
    settings = make_settings(sqlite_store.url, unhealthy_after=3600)
    now = datetime.now(UTC)
    with sqlite_store.transaction() as connection:
        source_id = store_sources.insert_source(
            connection, url=server.url("/down"), kind="feed", created_at=now, poll_interval=600
        )
        store_sources.update_source(
            connection, source_id, consecutive_failures=40, failing_since=now - timedelta(days=3)
        )
    run_scheduler(sqlite_store, unhealthy_after=3600)
    source = sources_service.show_source(sqlite_store, source_id).source
    assert not source.healthy and source.consecutive_failures == 41
    assert source.next_poll_at is not None
    assert (source.next_poll_at - now).total_seconds() >= settings.poll_max_interval - 5


def test_adaptive_polling_intervals() -> None:
    settings = make_settings("sqlite://", poll_min_interval=300, poll_max_interval=7200)
    assert polling.next_interval(1800, 5, settings) == 900
    assert polling.next_interval(400, 5, settings) == 300
    assert polling.next_interval(1800, 0, settings) == 2700
    assert polling.next_interval(7000, 0, settings) == 7200
    source = Source(1, "https://x/", "feed", None, None, None, datetime.now(UTC), poll_interval=600)
    delays = [polling.failure_delay(source, n, settings) for n in (1, 2, 3, 10)]
    assert 540 <= delays[0] <= 660 and 1080 <= delays[1] <= 1320 and delays[-1] <= 7200


def test_feed_entry_fallbacks_fill_missing_fields() -> None:
    from akhbar.models import Article, Rejected
    from akhbar.services.ingest import with_fallbacks

    job = refresh.PageJob(
        1,
        "https://x/a",
        "Titre du fil",
        "2025-01-06T10:00:00+00:00",
        None,
        "<p>" + "Résumé " * 20 + "</p>",
        "fr",
    )
    filled = with_fallbacks(Article("", ("p",)), job.entry())
    assert (
        isinstance(filled, Article) and filled.title == "Titre du fil" and filled.published == job.published
    )
    from_summary = with_fallbacks(Rejected("https://x/a", "no body"), job.entry())
    assert isinstance(from_summary, Article) and from_summary.body_paragraphs[0].startswith("Résumé")
    bare = refresh.PageJob(1, "https://x/a").entry()
    assert isinstance(with_fallbacks(Rejected("x", "no body"), bare), Rejected)


def test_known_urls_are_not_fetched_again_from_another_listing(
    sqlite_store: Store, server: FixtureServer
) -> None:
    add(sqlite_store, server.url("/gen/json?n=2&start=80"))
    add(sqlite_store, server.url("/gen/sitemap?n=3&start=80"))  # same pages, spelled with tracking tags
    outcomes = run_scheduler(sqlite_store)
    assert sorted(r.new_pages for r in outcomes.refreshes) == [1, 2] or sorted(
        r.new_pages for r in outcomes.refreshes
    ) == [0, 3]
    assert len(outcomes.pages) == 3
    assert all(server.hits[f"/pages/{i}"] >= 1 for i in (80, 81, 82))


def seen_row(store: Store, url: str) -> seen.SeenUrl:
    with store.reading() as connection:
        found = seen.find_seen(connection, canonical_url(url))
    assert found is not None, url
    return found


def make_due(store: Store, source_id: int) -> None:
    """Let time pass: the source's poll and its pages' retries are due now."""
    store_sources_update(store, source_id, next_poll_at=None)
    past = datetime.now(UTC) - timedelta(seconds=1)
    with store.transaction() as connection:
        connection.execute(
            sa.update(seen_urls).where(seen_urls.c.retry_at.is_not(None)).values(retry_at=past)
        )


def test_a_page_that_fails_for_a_while_is_fetched_again_later(store: Store, server: FixtureServer) -> None:
    start = 40 if store.dialect == "sqlite" else 45  # the server counts hits per path across backends
    source = add(store, server.url(f"/gen/retry-rss?n=1&start={start}&fails=3"))
    store_sources_update(store, source.id, poll_interval=6 * 3600)  # a source polled every few hours
    page = server.url(f"/recovers/{start}?fails=3")
    first = run_scheduler(store)
    assert sorted(p.status for p in first.pages) == ["error", "error"]
    failed = seen_row(store, page)
    assert (failed.status, failed.attempts) == ("retry", 1)
    assert failed.retry_at is not None and failed.retry_at > datetime.now(UTC) + timedelta(minutes=5)
    with store.reading() as connection:
        polled = store_sources.get_source(connection, source.id)
    assert polled is not None and polled.next_poll_at is not None
    assert polled.next_poll_at <= failed.retry_at, "the retry brings the source's next poll forward"
    assert failed.entry is not None and failed.entry.title == "Retry 0"
    gone = seen_row(store, server.url(f"/gone/{start}"))
    assert (gone.status, gone.retry_at) == ("error", None), "a 404 is not tried again"

    store_sources_update(store, source.id, next_poll_at=None)
    assert run_scheduler(store).pages == [], "not before its retry time"
    make_due(store, source.id)
    second = run_scheduler(store)
    assert [p.status for p in second.pages] == ["stored"]
    assert second.refreshes[0].new_pages == 0, "a retry is not a new entry"
    assert seen_row(store, page).status == "stored"
    assert server.hits[f"/gone/{start}"] == 1


@pytest.mark.slow
def test_a_page_that_keeps_failing_is_given_up_after_the_last_try(
    sqlite_store: Store, server: FixtureServer
) -> None:
    source = add(sqlite_store, server.url("/gen/retry-rss?n=1&start=50&fails=1000"))
    page = server.url("/recovers/50?fails=1000")
    run_scheduler(sqlite_store)
    for tries in range(2, refresh.MAX_PAGE_ATTEMPTS + 1):
        make_due(sqlite_store, source.id)
        run_scheduler(sqlite_store)
        assert seen_row(sqlite_store, page).attempts == tries
    final = seen_row(sqlite_store, page)
    assert (final.status, final.retry_at) == ("error", None)
    make_due(sqlite_store, source.id)
    assert run_scheduler(sqlite_store).pages == []
    detail = sources_service.show_source(sqlite_store, source.id)
    assert detail.pages.get("error") == 2


def test_reprocess_keeps_the_feed_entry_fallbacks(store: Store, server: FixtureServer) -> None:
    add(store, server.url(f"/gen/summary-rss?start={7 if store.dialect == 'sqlite' else 8}"))
    [page] = run_scheduler(store).pages
    assert page.status == "stored" and page.title == "Budget adopté", "the summary stands in for the shell"
    [redone] = ingest.reprocess(store, grouping=Grouping())
    assert redone.status == "updated" and redone.title == "Budget adopté"
    stored = articles_service.get_article(store, page.article_id)  # type: ignore[arg-type]  # stored above
    assert stored is not None and stored.article.published is None
    assert stored.article.body_paragraphs[0].startswith("Le conseil municipal")
