"""What fetching use cases share: the store, a fetcher bound to the database host gate, the settings."""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from akhbar.config import Settings
from akhbar.errors import HostBusy
from akhbar.fetch import Fetcher, FetchPolicy
from akhbar.fetch.client import SLOT_RETRY
from akhbar.services.extractors import Extractor, in_thread, make_extractor
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.store.hosts import drop_lease, move_turn, next_turn, reserve_slot, take_lease

__all__ = ["DatabaseHostGate", "Runtime", "open_runtime"]


LEASE_POLL = (0.05, 1.0)  # first and longest wait between two tries for a busy host's slot
TURN_LEAD = 0.1  # seconds ahead a request books its turn at a host, and how late it may still go


class DatabaseHostGate:
    """Per-host minimum delay and request slots booked in the database: they hold across every
    process sharing it.

    A caller with ``patience`` (a job runner that can reschedule the job) waits at most that long
    for a host's turn or slot; past that nothing is booked and :class:`HostBusy` says when to
    come back, so the worker's slot goes to another job meanwhile.

    Times are epoch seconds from each machine's clock, so worker machines must keep time (NTP).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.holder = secrets.token_hex(8)  # this gate's name on the slots it holds

    def _take(self, host: str, limit: int, lease: float) -> int | None:
        with self.store.transaction() as connection:
            now = time.time()
            return take_lease(connection, host, limit, self.holder, now, now + lease)

    def _next_turn(self, host: str) -> float | None:
        with self.store.reading() as connection:
            return next_turn(connection, host)

    def _drop(self, host: str, slot: int) -> None:
        with self.store.transaction() as connection:
            drop_lease(connection, host, slot, self.holder)

    @asynccontextmanager
    async def occupy(
        self, host: str, limit: int, lease: float, patience: float | None = None
    ) -> AsyncIterator[None]:
        """Hold one of ``host``'s ``limit`` slots, waiting (with growing pauses) while all are taken;
        with ``patience``, raise :class:`HostBusy` once they stayed taken that long, or at once when
        the host's next turn is further off than that (one read instead of a lease taken and given
        back for nothing)."""
        pause, gave_up = LEASE_POLL[0], None if patience is None else time.time() + patience
        if gave_up is not None:
            turn = await self.store.read_soon(self._next_turn, host)
            if turn is not None and turn - TURN_LEAD > gave_up:
                raise HostBusy(host, turn - TURN_LEAD)
        while (slot := await asyncio.to_thread(self._take, host, limit, lease)) is None:
            if gave_up is not None and time.time() + pause > gave_up:
                raise HostBusy(host, time.time() + SLOT_RETRY * random.uniform(0.8, 1.2))
            await asyncio.sleep(pause * random.uniform(0.8, 1.2))
            pause = min(LEASE_POLL[1], pause * 2)
        try:
            yield
        finally:
            await asyncio.shield(asyncio.to_thread(self._drop, host, slot))

    def _reserve(self, host: str, delay: float, patience: float | None) -> float:
        with self.store.transaction() as connection:
            now = time.time() + TURN_LEAD
            latest = None if patience is None else now + patience
            slot = reserve_slot(connection, host, delay + TURN_LEAD, now, latest)
            if slot is None:  # the next turn is further off than the caller waits: nothing booked
                raise HostBusy(host, (next_turn(connection, host) or now) - TURN_LEAD)
            return slot

    def _move(self, host: str, slot: float, delay: float) -> float | None:
        """The turn booked at ``slot``, moved to now (:func:`move_turn`); None if booked after."""
        with self.store.transaction() as connection:
            now = time.time()
            return now if move_turn(connection, host, slot, delay + TURN_LEAD, now) else None

    async def wait_turn(self, host: str, min_delay: float, patience: float | None = None) -> float | None:
        """Wait until a request to ``host`` may start: ``min_delay`` after the one booked before it.

        A turn is booked a little ahead (``TURN_LEAD``) so that the request leaves when its turn
        comes rather than after the booking's own round trip to the database; it may leave up to
        ``TURN_LEAD`` late, so turns are booked ``min_delay + TURN_LEAD`` apart. A turn whose
        wake-up came later than that (a busy event loop or database) is moved to the moment the
        request can leave when nobody booked the host after it (that delays no one), else a new
        turn is booked: a loop that kept waking late would otherwise miss every turn it booked and
        never send. Either way the host never sees two starts closer than ``min_delay`` (``akhbar
        bench fleet`` checks the gaps from the server's side). With ``patience``, a turn further
        off than that is not booked: :class:`HostBusy` says when it comes. Returns the
        time by which the request must have left (the fetcher writes it only until then: a
        connection slow to open misses it too).
        """
        if min_delay <= 0:
            return None
        while True:
            slot = await asyncio.to_thread(self._reserve, host, min_delay, patience)
            wait = slot - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if time.time() - slot <= TURN_LEAD:
                return slot + TURN_LEAD
            moved = await asyncio.to_thread(self._move, host, slot, min_delay)
            if moved is not None:
                return moved + TURN_LEAD


@dataclass(frozen=True)
class Runtime:
    """Everything a refresh or a page fetch needs; one per process (or per worker). ``extractor``
    extracts the fetched pages (see :mod:`akhbar.services.extractors`)."""

    store: Store
    fetcher: Fetcher
    settings: Settings
    grouping: Grouping
    extractor: Extractor = in_thread


@asynccontextmanager
async def open_runtime(
    store: Store,
    settings: Settings,
    grouping: Grouping,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    extractor: Extractor | None = None,
) -> AsyncIterator[Runtime]:
    """A runtime whose fetcher obeys the settings and books host slots in ``store``, placing
    articles with ``grouping`` (its owner closes it), extracting pages with ``extractor`` (its
    owner closes it), else in the worker processes the settings ask for (``extract_processes``;
    ended with the runtime)."""
    policy = FetchPolicy.from_settings(settings)
    close = None
    if extractor is None:
        extractor, close = make_extractor(settings.extract_processes, settings.extract_timeout)
    try:
        async with Fetcher(policy, gate=DatabaseHostGate(store), transport=transport) as fetcher:
            yield Runtime(store, fetcher, settings, grouping, extractor)
    finally:
        if close is not None:
            await asyncio.to_thread(close)
