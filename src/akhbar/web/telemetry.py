"""Prometheus metrics of the web processes, and the database figures every scrape adds.

Requests are counted by method, route *template* (``/{lang}/article/{article_id}``, never the
concrete path, so the series stay few) and status, and timed in a histogram by route template.
With several ``akhbar serve`` processes, ``akhbar serve --workers N`` points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before the processes start: each one writes its
counters there and ``/metrics`` (answered by any of them) sums them all.

The rest is read from the database, so it is the same whichever process or worker did the work:
articles stored, sources and unhealthy sources, pages by outcome (stored, rejected, error, retry,
queued: the fetches' outcomes), jobs by state and the queue's depth. It is read at most once per
:data:`FIGURES_TTL` seconds per process, so scraping stays cheap.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from akhbar.services.status import Status, status


def route_template(scope: Mapping[str, Any]) -> str:
    """The template of the route that answered (``/{lang}/articles/{article_id}``, convertors left
    out), the label requests are counted by; ``<unmatched>`` when no route did."""
    route = scope.get("route")
    return getattr(route, "path_format", None) or getattr(route, "path", None) or "<unmatched>"


__all__ = ["CONTENT_TYPE_LATEST", "FIGURES_TTL", "LATENCY", "REQUESTS", "Exposition"]

FIGURES_TTL = 10.0
_MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"
_OWN = CollectorRegistry(auto_describe=True)  # one process: the request metrics live here
REQUESTS = Counter(
    "akhbar_http_requests", "HTTP requests answered", ("method", "route", "status"), registry=_OWN
)
LATENCY = Histogram(
    "akhbar_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ("route",),
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=_OWN,
)


class DatabaseFigures(Collector):
    """Gauges read from the database (see the module docstring), cached :data:`FIGURES_TTL` seconds."""

    def __init__(self, engine: sa.Engine, ttl: float = FIGURES_TTL) -> None:
        self.engine, self.ttl = engine, ttl
        self._read: tuple[float, Status] | None = None
        self._lock = threading.Lock()

    def figures(self) -> Status:
        with self._lock:
            if self._read is None or time.monotonic() - self._read[0] >= self.ttl:
                self._read = (time.monotonic(), status(self.engine))
            return self._read[1]

    def collect(self) -> Iterator[Metric]:
        found = self.figures()
        yield GaugeMetricFamily(
            "akhbar_up",
            "1 when the database answers with the current schema",
            value=int(found.readiness.ready),
        )
        yield GaugeMetricFamily("akhbar_articles", "Articles stored", value=found.articles)
        sources = GaugeMetricFamily("akhbar_sources", "Sources followed, by health", labels=("health",))
        sources.add_metric(("healthy",), found.sources - found.unhealthy_sources)
        sources.add_metric(("unhealthy",), found.unhealthy_sources)
        yield sources
        pages = GaugeMetricFamily(
            "akhbar_pages", "Pages taken from listings, by fetch outcome", labels=("status",)
        )
        for state, count in sorted(found.pages.items()):
            pages.add_metric((state,), count)
        yield pages
        jobs = GaugeMetricFamily("akhbar_jobs", "Jobs in the PostgreSQL queue, by state", labels=("state",))
        for state, count in sorted(found.jobs.items()):
            jobs.add_metric((state,), count)
        yield jobs
        yield GaugeMetricFamily(
            "akhbar_queue_depth", "Jobs (or pages) waiting to run", value=found.queue_depth
        )


class Exposition:
    """What ``/metrics`` answers for one app: this process's (or all processes') request metrics
    and the database figures."""

    def __init__(self, engine: sa.Engine) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        if os.environ.get(_MULTIPROCESS):
            MultiProcessCollector(self.registry)  # type: ignore[no-untyped-call]  # prometheus_client leaves it unannotated
        else:
            self.registry.register(_Own())
        self.registry.register(DatabaseFigures(engine))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _Own(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from _OWN.collect()
