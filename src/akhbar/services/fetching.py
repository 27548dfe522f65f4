"""What fetching use cases share: the store, a fetcher bound to the database host gate, the settings."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from akhbar.config import Settings
from akhbar.fetch import Fetcher, FetchPolicy
from akhbar.store import Store
from akhbar.store.hosts import reserve_slot

__all__ = ["DatabaseHostGate", "Runtime", "open_runtime"]


class DatabaseHostGate:
    """Per-host minimum delay booked in the database: holds across every process sharing it.

    Slots are epoch seconds from each machine's clock, so worker machines must keep time (NTP).
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def _reserve(self, host: str, delay: float) -> float:
        with self.store.transaction() as connection:
            return reserve_slot(connection, host, delay, time.time())

    async def wait_turn(self, host: str, min_delay: float) -> None:
        if min_delay <= 0:
            return
        slot = await asyncio.to_thread(self._reserve, host, min_delay)
        wait = slot - time.time()
        if wait > 0:
            await asyncio.sleep(wait)


@dataclass(frozen=True)
class Runtime:
    """Everything a refresh or a page fetch needs; one per process (or per worker)."""

    store: Store
    fetcher: Fetcher
    settings: Settings


@asynccontextmanager
async def open_runtime(
    store: Store, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[Runtime]:
    """A runtime whose fetcher obeys the settings and books host slots in ``store``."""
    policy = FetchPolicy.from_settings(settings)
    async with Fetcher(policy, gate=DatabaseHostGate(store), transport=transport) as fetcher:
        yield Runtime(store, fetcher, settings)
