"""What ``akhbar bench fleet`` checks after each run: politeness from the server's log; duplicate,
lost and twice-fetched pages from the database and the log."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

import sqlalchemy as sa

from akhbar.bench.fleetsite import Request
from akhbar.store import Store

__all__ = ["GAP_TOLERANCE", "lost_pages", "politeness", "refetched", "stored"]

GAP_TOLERANCE = 0.05  # seconds: a request's start at the server lags its booked turn by a little


def politeness(
    log: list[Request], delay: float, concurrency: int, tolerance: float = GAP_TOLERANCE
) -> tuple[int, int, float, list[str]]:
    """(violations, most in flight at one host, shortest gap between starts, first examples); a gap
    counts when shorter than ``delay`` by more than ``tolerance``."""
    by_host: dict[str, list[Request]] = defaultdict(list)
    for request in log:
        by_host[request.host].append(request)
    violations, most, shortest, examples = 0, 0, float("inf"), []
    for host, requests in by_host.items():
        requests.sort(key=lambda r: r.started)
        # a response's last bytes may reach the client (which then frees its slot) a moment
        # before the server logs its end: ends count a tolerance early
        ends = [(r.ended - tolerance, -1) for r in requests]
        events = sorted([(r.started, 1) for r in requests] + ends)
        in_flight = 0
        for _, step in events:
            in_flight += step
            most = max(most, in_flight)
            if in_flight > concurrency and step == 1:
                violations += 1
                examples.append(f"{host}: {in_flight} requests in flight (limit {concurrency})")
        for before, after in itertools.pairwise(requests):
            gap = after.started - before.started
            shortest = min(shortest, gap)
            if gap < delay - tolerance:
                violations += 1
                examples.append(
                    f"{host}: {after.path} started {gap:.3f} s after {before.path} (delay {delay:g} s)"
                )
    return violations, most, shortest, examples[:5]


def stored(url: str) -> tuple[int, int]:
    """(articles, page URLs stored as more than one article)."""
    store = Store(url)
    try:
        with store.reading() as connection:
            total = int(connection.execute(sa.text("SELECT count(*) FROM articles")).scalar() or 0)
            twice = connection.execute(
                sa.text("SELECT count(*) FROM (SELECT url FROM articles GROUP BY url HAVING count(*) > 1) d")
            ).scalar()
        return total, int(twice or 0)
    finally:
        store.close()


def lost_pages(url: str) -> int:
    """Pages marked queued (a refresh deferred a job for each) that no page job holds any more."""
    sql = """
        SELECT count(*) FROM seen_urls s WHERE s.status = 'queued' AND NOT EXISTS (
            SELECT 1 FROM procrastinate_jobs j WHERE j.task_name = 'akhbar.fetch_page'
               AND j.status IN ('todo', 'doing') AND j.args->'job'->>'url' = s.url)
    """
    store = Store(url)
    try:
        with store.reading() as connection:
            return int(connection.execute(sa.text(sql)).scalar() or 0)
    finally:
        store.close()


def refetched(log: list[Request]) -> int:
    answered = Counter((r.host, r.path) for r in log if "/p/" in r.path and r.status == 200)
    return sum(1 for count in answered.values() if count > 1)
