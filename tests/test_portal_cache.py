"""The response cache: one render per page and data version, new versions seen, ETags honoured."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

from starlette.requests import Request

from akhbar.store import Store
from akhbar.web.caching import Rendered, ResponseCache
from portal_fixtures import populate


def _request(if_none_match: str | None = None) -> Request:
    headers = [(b"if-none-match", if_none_match.encode())] if if_none_match else []
    return Request({"type": "http", "method": "GET", "path": "/x", "headers": headers, "query_string": b""})


def test_concurrent_requests_share_one_render(sqlite_store: Store) -> None:
    cache = ResponseCache(sqlite_store, ttl=60)
    calls: list[int] = []
    lock = threading.Lock()

    def render() -> Rendered:
        with lock:
            calls.append(1)
        time.sleep(0.2)
        return Rendered(b"<p>page</p>", "text/html")

    async def many() -> list[int]:
        responses = await asyncio.gather(*(cache.respond(_request(), "k", render) for _ in range(8)))
        return [r.status_code for r in responses]

    assert asyncio.run(many()) == [200] * 8
    assert len(calls) == 1
    again = asyncio.run(cache.respond(_request(), "k", render))
    assert len(calls) == 1 and again.body == b"<p>page</p>"


def test_a_new_data_version_renders_again_and_changes_the_etag(sqlite_store: Store) -> None:
    cache = ResponseCache(sqlite_store, ttl=0)
    bodies = iter([b"one", b"two"])

    def render() -> Rendered:
        return Rendered(next(bodies), "text/plain")

    first = asyncio.run(cache.respond(_request(), "k", render))
    assert asyncio.run(cache.respond(_request(first.headers["etag"]), "k", render)).status_code == 304
    weak = asyncio.run(cache.respond(_request("W/" + first.headers["etag"]), "k", render))
    assert weak.status_code == 304, "If-None-Match compares weakly"
    populate(sqlite_store)
    second = asyncio.run(cache.respond(_request(first.headers["etag"]), "k", render))
    assert second.status_code == 200 and second.body == b"two"
    assert second.headers["etag"] != first.headers["etag"]


def test_errors_are_not_cached(sqlite_store: Store) -> None:
    cache = ResponseCache(sqlite_store, ttl=60)
    statuses = iter([500, 200])

    def render() -> Rendered:
        return Rendered(b"x", "text/plain", next(statuses))

    assert asyncio.run(cache.respond(_request(), "k", render)).status_code == 500
    assert asyncio.run(cache.respond(_request(), "k", render)).status_code == 200


def test_pages_with_short_reads_render_on_the_event_loop_on_sqlite_only(store: Store) -> None:
    """On a SQLite file an inline page renders in the event loop's thread; a page with long reads
    (the default), and every page on PostgreSQL, in a worker thread."""
    cache = ResponseCache(store, ttl=60)
    threads: dict[str, int] = {}

    def render(name: str) -> Rendered:
        threads[name] = threading.get_ident()
        return Rendered(name.encode(), "text/plain")

    async def both() -> int:
        await cache.respond(_request(), "short", lambda: render("short"), inline=True)
        await cache.respond(_request(), "long", lambda: render("long"))
        return threading.get_ident()

    loop_thread = asyncio.run(both())
    assert threads["long"] != loop_thread
    assert (threads["short"] == loop_thread) == (store.dialect == "sqlite")


def test_renders_on_a_sqlite_file_run_at_most_render_slots_at_once(sqlite_store: Store) -> None:
    """Threads past the cores only take turns on the GIL: the other renders wait without a thread."""
    cache = ResponseCache(sqlite_store, ttl=60)
    assert cache.render_slots >= 2
    running, most = [0], [0]
    lock = threading.Lock()

    def render() -> Rendered:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return Rendered(b"<p>page</p>", "text/html")

    async def many(prefix: str) -> list[int]:
        keys = [f"{prefix}{n}" for n in range(4 * cache.render_slots)]
        responses = await asyncio.gather(*(cache.respond(_request(), key, render) for key in keys))
        return [r.status_code for r in responses]

    assert asyncio.run(many("a")) == [200] * 4 * cache.render_slots
    assert most[0] == cache.render_slots, most
    assert asyncio.run(many("b")) == [200] * 4 * cache.render_slots, "a second event loop gets its own slots"
    assert most[0] == cache.render_slots, most


def test_a_version_read_long_ago_is_read_again_before_answering(sqlite_store: Store) -> None:
    """Just past the ttl a request goes on with the version read last (read again meanwhile); a
    process that answered nothing for two ttls or more reads it first, so no page is older than that."""
    cache = ResponseCache(sqlite_store, ttl=1.0)
    old, _ = asyncio.run(cache.version())
    populate(sqlite_store)
    _, _, since = cache._version
    cache._version = (time.monotonic() - 1.5, old, since)
    assert asyncio.run(cache.version())[0] == old, "just past the ttl: the last version read"
    cache._version = (time.monotonic() - 2.5, old, since)
    new, _ = asyncio.run(cache.version())
    assert new != old, "two ttls later: read before answering"


def test_inline_renders_go_one_per_turn_of_the_loop_in_the_order_read(sqlite_store: Store) -> None:
    """A request read while inline renders are under way waits only for those read before it: the
    loop reads what arrived between two renders, and renders first in, first out."""
    cache = ResponseCache(sqlite_store, ttl=60)
    events: list[str] = []

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        reader, writer = socket.socketpair()
        reader.setblocking(False)
        late: list[asyncio.Task[object]] = []

        def arrived() -> None:  # what the server does when a request is read: its task starts
            reader.recv(16)
            events.append("read late")
            late.append(
                loop.create_task(cache.respond(_request(), "late", lambda: render("late"), inline=True))
            )

        def render(name: str) -> Rendered:
            events.append(name)
            if name == "0":
                writer.send(b"GET")  # a request arrives while the first render runs
            time.sleep(0.01)
            return Rendered(name.encode(), "text/plain")

        await cache.version()  # read once: requests then go on without waiting for it
        loop.add_reader(reader.fileno(), arrived)
        try:
            early = [
                cache.respond(_request(), str(n), lambda n=n: render(str(n)), inline=True) for n in range(4)
            ]
            await asyncio.gather(*early)
            while not late or not late[0].done():
                await asyncio.sleep(0.01)
        finally:
            loop.remove_reader(reader.fileno())
            reader.close()
            writer.close()

    asyncio.run(scenario())
    assert events[0] == "0" and events.index("read late") < events.index("2"), events
    assert [e for e in events if e != "read late"] == ["0", "1", "2", "3", "late"], "first in, first out"


def test_a_failed_or_cancelled_inline_render_gives_up_its_turn(sqlite_store: Store) -> None:
    cache = ResponseCache(sqlite_store, ttl=60)

    def broken() -> Rendered:
        raise RuntimeError("no page")

    async def scenario() -> list[object]:
        failing = asyncio.ensure_future(cache.respond(_request(), "broken", broken, inline=True))
        waiting = asyncio.ensure_future(
            cache.respond(_request(), "gone", lambda: Rendered(b"gone", "text/plain"), inline=True)
        )
        after = asyncio.ensure_future(
            cache.respond(_request(), "after", lambda: Rendered(b"after", "text/plain"), inline=True)
        )
        await asyncio.sleep(0)  # each has started: the first rendered (and failed), the others wait
        waiting.cancel()
        return await asyncio.wait_for(asyncio.gather(failing, waiting, after, return_exceptions=True), 5)

    failed, cancelled, served = asyncio.run(scenario())
    assert isinstance(failed, RuntimeError) and isinstance(cancelled, asyncio.CancelledError)
    assert served.body == b"after"  # type: ignore[attr-defined]
