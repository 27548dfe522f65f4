"""Speed measurements, each beside a baseline measured in the same process on the same inputs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Throughput:
    name: str
    pages: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else float("inf")


def measure(name: str, work: Callable[[str], object], texts: list[str], min_seconds: float) -> Throughput:
    """Run ``work`` over ``texts`` repeatedly for at least ``min_seconds`` of this process's CPU time.

    CPU time, not wall time: the figure is pages per second of one core, whatever else the machine
    is doing while the benchmark runs.
    """
    pages, started = 0, time.process_time()
    while True:
        for text in texts:
            work(text)
        pages += len(texts)
        elapsed = time.process_time() - started
        if elapsed >= min_seconds:
            return Throughput(name, pages, elapsed)
