"""Adaptive polling: when to poll a source next, after a success or a failure.

A poll that finds new entries halves the interval (down to ``poll_min_interval``); one that finds
nothing grows it by half (up to ``poll_max_interval``). A failure backs off exponentially with
jitter from the current interval; a source failing for longer than ``unhealthy_after`` is marked
unhealthy (still polled, at the longest interval, never deleted). A page waiting for a retry brings
the next poll forward to its retry time (at most every ``poll_min_interval``), so a source polled
every six hours still retries a page ten minutes after it failed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from akhbar.config import Settings
from akhbar.models import Source
from akhbar.store import seen
from akhbar.store import sources as store_sources


def next_interval(current: int, new_entries: int, settings: Settings) -> int:
    """The poll interval after a successful poll that found ``new_entries`` new pages."""
    proposed = current // 2 if new_entries > 0 else current + current // 2
    return max(settings.poll_min_interval, min(settings.poll_max_interval, proposed))


def failure_delay(source: Source, failures: int, settings: Settings) -> float:
    """Seconds until the next try after ``failures`` failures in a row (exponential, with jitter)."""
    base = min(float(settings.poll_max_interval), source.poll_interval * 2.0 ** min(failures - 1, 16))
    return min(float(settings.poll_max_interval), base * random.uniform(0.9, 1.1))


def record_success(
    connection: sa.Connection,
    source: Source,
    now: datetime,
    settings: Settings,
    *,
    status: str,
    new_entries: int,
    notes: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    interval = next_interval(source.poll_interval, new_entries, settings)
    next_poll = now + timedelta(seconds=interval)
    retry = seen.next_retry(connection, source.id)
    if retry is not None:  # a page's retry need not wait for a slow source's next poll
        next_poll = min(next_poll, max(retry, now + timedelta(seconds=settings.poll_min_interval)))
    values: dict[str, object] = {
        "last_fetched_at": now,
        "last_status": status,
        "last_error": notes,
        "consecutive_failures": 0,
        "failing_since": None,
        "healthy": True,
        "poll_interval": interval,
        "next_poll_at": next_poll,
    }
    if status != "not-modified":
        values.update(etag=etag, last_modified=last_modified)
    store_sources.update_source(connection, source.id, **values)


def record_failure(
    connection: sa.Connection, source: Source, now: datetime, settings: Settings, reason: str
) -> bool:
    """Record a failed poll; returns whether the source is still healthy."""
    failures = source.consecutive_failures + 1
    since = source.failing_since or now
    healthy = (now - since).total_seconds() < settings.unhealthy_after
    delay = failure_delay(source, failures, settings) if healthy else settings.poll_max_interval
    store_sources.update_source(
        connection,
        source.id,
        last_fetched_at=now,
        last_status="error",
        last_error=reason,
        consecutive_failures=failures,
        failing_since=since,
        healthy=healthy,
        next_poll_at=now + timedelta(seconds=delay),
    )
    return healthy
