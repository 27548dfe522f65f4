"""The parts of ``akhbar bench web`` about production: the home page while Prometheus scrapes
``/metrics`` (every :data:`SCRAPE_EVERY` seconds, fifteen times Prometheus's default rate), and the
pages again with ``akhbar serve --workers 2``.

The cost of scraping is read from the server's CPU time per home request, with and without the
scraper: the server is CPU-bound, so that is the share of throughput the scrapes take, and unlike
requests per second it does not swing with what else the machine runs. Runs with and without the
scraper alternate, after the other measurements, so both see the server in the same state (the
first home run, just after start-up, is not the baseline), in :data:`CYCLES` cycles whose median
gives the figure.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

import httpx

from akhbar.bench.report import Target

T = TypeVar("T")

SCRAPE_EVERY = 1.0
SCRAPED = "home /ar/, /metrics scraped"
BESIDE = "home /ar/, beside the scraped runs"  # not scraped, measured between the same other runs
PROCESSES = 2
CYCLES = 3  # cycles of runs without, with, with and without the scraper; the median cycle is kept


def while_scraping(base: str, measure: Callable[[], T]) -> tuple[T, int]:
    """Run ``measure`` while a scraper fetches ``/metrics`` every :data:`SCRAPE_EVERY` seconds;
    returns what it returned and how many scrapes succeeded."""
    stop, scrapes = threading.Event(), [0]

    def scrape() -> None:
        with httpx.Client(timeout=10) as client:
            while not stop.wait(SCRAPE_EVERY):
                if client.get(f"{base}/metrics").status_code == 200:
                    scrapes[0] += 1

    scraper = threading.Thread(target=scrape, name="scraper", daemon=True)
    scraper.start()
    try:
        return measure(), scrapes[0]
    finally:
        stop.set()
        scraper.join(timeout=15)


def processes_name(name: str) -> str:
    return f"{name} ({PROCESSES} processes)"


class _Measured(Protocol):
    @property
    def cpu_ms_per_request(self) -> float: ...


def scrape_cost(plain: _Measured, scraped: _Measured) -> Target:
    """The share of the home page's throughput the scrapes cost (goal: under 5%)."""
    cost = scraped.cpu_ms_per_request / plain.cpu_ms_per_request - 1
    return Target("home throughput lost to /metrics scrapes", cost, 0.05, higher_is_better=False)
