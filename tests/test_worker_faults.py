"""Workers that survive faults: PostgreSQL restarted (``-m fast``, ``-m immediate``) or a worker
SIGKILLed while two ``akhbar worker`` processes fetch 240 pages from a server on 127.0.0.1.

Every page must end stored exactly once (one article per page, every seen URL ``stored``, no job
left running or failed), the surviving workers must still run, and pages are fetched again only
when a fault cut their job short. The cluster is this module's own: restarting it must not disturb
the other tests' databases.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from akhbar.jobs.distributed import POOL_WAIT, RECOVERY_BOUND, ProcrastinateQueue, build_app, ensure_schema
from akhbar.jobs.tasks import schedule_due
from akhbar.services import sources as sources_service
from akhbar.store import Store
from conftest import new_postgres_database
from test_sources_refresh import make_settings

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
FEEDS, PER_FEED = 4, 60
PAGES = FEEDS * PER_FEED
WORKERS, CONCURRENCY = 2, 4
PAGE_SECONDS = 0.15  # each page takes this long to serve, so faults land mid-run
WORDS = [
    "ville",
    "conseil",
    "budget",
    "habitants",
    "projet",
    "école",
    "route",
    "marché",
    "hiver",
    "printemps",
    "rivière",
    "pont",
    "musée",
    "théâtre",
    "quartier",
    "maire",
    "élus",
    "réunion",
    "travaux",
    "transport",
    "bus",
    "gare",
    "usine",
    "emploi",
    "salaire",
    "commerce",
    "agriculteurs",
    "récolte",
    "pluie",
    "tempête",
    "hôpital",
    "médecins",
    "patients",
    "étudiants",
    "université",
    "recherche",
    "festival",
    "musique",
    "artistes",
    "exposition",
    "stade",
    "équipe",
    "victoire",
    "saison",
    "club",
    "supporters",
    "jardin",
    "parc",
]


def article_html(number: int) -> bytes:
    rng = random.Random(number)
    paragraphs = []
    for _ in range(6):
        sentences = [" ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "." for _ in range(4)]
        paragraphs.append(f"<p>{' '.join(sentences)} Dossier numéro {number}.</p>")
    title = f"Nouvelles de la ville, numéro {number}"
    body = (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1>{''.join(paragraphs)}</article></body></html>"
    )
    return body.encode()


class PageServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"

    def handle_error(self, request: object, client_address: object) -> None:
        """A killed worker's connections break mid-answer: expected here, not worth a traceback."""


class _Handler(BaseHTTPRequestHandler):
    server: PageServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.hits[path] += 1
        if path.startswith("/feed/"):
            feed = int(path.rsplit("/", 1)[1])
            items = "".join(
                f"<item><title>N {n}</title><link>{self.server.url(f'/p/{n}')}</link></item>"
                for n in range(feed * 1000, feed * 1000 + PER_FEED)
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>F{feed}</title>{items}</channel></rss>'
            self._send(body.encode(), "application/rss+xml")
        elif path.startswith("/p/"):
            time.sleep(PAGE_SECONDS)
            self._send(article_html(int(path.rsplit("/", 1)[1])), "text/html; charset=utf-8")
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def _send(self, body: bytes, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    import pgcluster

    try:
        started = pgcluster.start()
    except (RuntimeError, OSError) as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    restart(started, "fast")  # durable commits from here on
    yield started
    started.stop()


@pytest.fixture
def pages() -> Iterator[PageServer]:
    server = PageServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _options(cluster: Any) -> str:
    return (
        f"-c listen_addresses=127.0.0.1 -c port={cluster.port} -c unix_socket_directories={cluster.directory} "
        "-c fsync=off -c synchronous_commit=on -c max_connections=200"
    )


def restart(cluster: Any, mode: str, action: str = "restart") -> None:
    """Restart the server as an operator would; commits are durable (``synchronous_commit=on``, as in
    production: the test cluster's default ``off`` loses the last acknowledged commits on ``-m immediate``)."""
    options = _options(cluster)
    data, log = str(cluster.directory / "data"), str(cluster.directory / "log")
    cluster._run("pg_ctl", "-D", data, "-m", mode, "-o", options, "-l", log, "-w", "-t", "60", action)


def new_database(cluster: Any) -> Store:
    return Store(new_postgres_database(cluster))


def start_worker(store: Store, tmp: Path, number: int, reconnect: str = "60") -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "AKHBAR_CONFIG": "/nonexistent",
        "AKHBAR_DATA_DIR": str(tmp),
        "AKHBAR_DATABASE_URL": store.url,
        "AKHBAR_FETCH_ALLOW_NETWORKS": "127.0.0.0/8",
        "AKHBAR_FETCH_HOST_DELAY": "0",
        "AKHBAR_FETCH_HOST_CONCURRENCY": "32",
        "AKHBAR_FETCH_RETRIES": "1",
        "AKHBAR_FETCH_BACKOFF": "0.1",
        "AKHBAR_STORIES": "off",
        "AKHBAR_WORKER_CONCURRENCY": str(CONCURRENCY),
        "AKHBAR_WORKER_RECONNECT_TIMEOUT": reconnect,
    }
    with (tmp / f"worker{number}.log").open("ab") as log:  # the child keeps its own copy open
        return subprocess.Popen(
            [sys.executable, "-m", "akhbar", "-v", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
        )


def count(store: Store, query: str) -> int:
    for _ in range(50):  # the server may be restarting
        try:
            with store.reading() as connection:
                return int(connection.execute(sa.text(query)).scalar_one())
        except sa.exc.OperationalError:
            time.sleep(0.2)
    raise AssertionError(f"database unreachable for {query}")


def stored(store: Store) -> int:
    return count(store, "SELECT count(*) FROM seen_urls WHERE status = 'stored'")


def wait_for(store: Store, pages_stored: int, timeout: float) -> float:
    started = time.monotonic()
    while stored(store) < pages_stored:
        assert time.monotonic() - started < timeout, f"{stored(store)} of {pages_stored} pages stored"
        time.sleep(0.3)
    return time.monotonic() - started


def begin(store: Store, pages: PageServer) -> None:
    outlines = "".join(f'<outline text="f" xmlUrl="{pages.url(f"/feed/{k}")}"/>' for k in range(FEEDS))
    settings = make_settings(store.url)
    results = sources_service.import_opml(store, settings, f"<opml><body>{outlines}</body></opml>".encode())
    assert [r.status for r in results] == ["added"] * FEEDS
    ensure_schema(store.engine)
    app = build_app(store.url)

    async def defer() -> None:
        async with app.open_async():
            assert await schedule_due(store, ProcrastinateQueue(app)) == FEEDS

    asyncio.run(defer())


def check_every_page_stored_once(store: Store, pages: PageServer, cut_short: int) -> None:
    assert count(store, "SELECT count(*) FROM articles") == PAGES
    assert count(store, "SELECT count(DISTINCT url) FROM articles") == PAGES
    assert count(store, "SELECT count(*) FROM seen_urls WHERE status <> 'stored'") == 0
    # the job that stored the last page is marked done a moment after: give the workers 30 s to
    # finish theirs, then no job may be left running or failed
    unfinished = "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('doing', 'failed')"
    unfinished += " AND task_name <> 'akhbar.retry_stalled'"
    deadline = time.monotonic() + 30
    while count(store, unfinished) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert count(store, unfinished) == 0
    fetched = sum(hits for path, hits in pages.hits.items() if path.startswith("/p/"))
    assert len([p for p in pages.hits if p.startswith("/p/")]) == PAGES
    assert fetched - PAGES <= cut_short, (
        f"{fetched - PAGES} pages fetched again, at most {cut_short} were cut short"
    )


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_workers_carry_on_after_postgresql_restarts(
    cluster: Any, pages: PageServer, tmp_path: Path, mode: str
) -> None:
    store = new_database(cluster)
    workers = []
    try:
        begin(store, pages)
        workers = [start_worker(store, tmp_path, n) for n in range(WORKERS)]
        wait_for(store, 40, timeout=120)
        restart(cluster, mode)
        print("restarted at", stored(store), "pages stored")
        wait_for(store, 120, timeout=120)
        restart(cluster, mode)
        print("restarted at", stored(store), "pages stored")
        print(f"finished in {wait_for(store, PAGES, timeout=180):.1f} s")
        assert [w.poll() for w in workers] == [None] * WORKERS, "a worker stopped"
        check_every_page_stored_once(store, pages, cut_short=2 * WORKERS * CONCURRENCY)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        codes = [worker.wait(timeout=90) for worker in workers]
        store.close()
    assert codes == [0] * WORKERS, "SIGTERM stops a worker cleanly"


def test_a_killed_workers_jobs_are_picked_up_again(cluster: Any, pages: PageServer, tmp_path: Path) -> None:
    store = new_database(cluster)
    workers = []
    try:
        begin(store, pages)
        workers = [start_worker(store, tmp_path, n) for n in range(WORKERS)]
        wait_for(store, 60, timeout=120)
        workers[0].kill()
        workers[0].wait()
        killed_at = time.monotonic()
        running = "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing' AND worker_id IS NULL"
        orphans = (
            "SELECT count(*) FROM procrastinate_jobs j JOIN procrastinate_workers w ON w.id = j.worker_id"
        )
        wait_for(store, PAGES, timeout=180)
        recovered = time.monotonic() - killed_at
        print(f"every page stored {recovered:.1f} s after the kill")
        assert count(store, running) == 0
        assert workers[1].poll() is None
        check_every_page_stored_once(store, pages, cut_short=CONCURRENCY + 1)
        assert (
            count(store, orphans + " WHERE j.status = 'doing' AND w.last_heartbeat < now() - interval '30 s'")
            == 0
        )
        assert recovered < RECOVERY_BOUND + 60, f"the killed worker's jobs took {recovered:.0f} s"
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=90)
        store.close()


def test_a_worker_exits_with_an_error_when_the_database_stays_away(cluster: Any, tmp_path: Path) -> None:
    """Past ``worker_reconnect_timeout`` the worker gives up with status 1, for its supervisor."""
    store = new_database(cluster)
    ensure_schema(store.engine)
    worker = start_worker(store, tmp_path, 0, reconnect="3")
    try:
        started = time.monotonic()
        while count(store, "SELECT count(*) FROM procrastinate_workers") == 0:
            assert worker.poll() is None and time.monotonic() - started < 120, "the worker never started"
            time.sleep(0.3)
        store.close()
        restart(cluster, "fast", "stop")
        stopped = time.monotonic()
        try:
            code = worker.wait(timeout=120)
            noticed = time.monotonic() - stopped
        finally:
            restart(cluster, "fast", "start")
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert code == 1
    # the queue's pool waits POOL_WAIT for a connection, not psycopg_pool's 30 s, then 3 s of retries
    assert noticed < POOL_WAIT + 3 + 12, f"the worker took {noticed:.0f} s to give up"
    assert "stayed unreachable" in (tmp_path / "worker0.log").read_text(encoding="utf-8", errors="replace")
