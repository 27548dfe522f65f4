"""The in-process runner: an asyncio queue and N worker coroutines, for the embedded mode.

``run_until_idle`` drains the queue (``akhbar refresh``, tests, benchmarks); ``run_forever``
also schedules due sources and publishes the newsroom's scheduled articles every ``tick`` seconds
until ``stop`` is set (``akhbar serve``).

Per-host politeness goes through the database gate of the runtime's fetcher. A job whose host's turn
is more than :data:`~akhbar.jobs.tasks.PATIENCE` seconds off is handed back before anything is sent
(:class:`~akhbar.errors.HostBusy`) and queued again at that turn, as the PostgreSQL workers do: the
worker slot it would have slept in runs other hosts' jobs meanwhile. A page whose request failed
transiently comes back the same way for each retry (:class:`~akhbar.errors.RetryLater`), rather than
sleeping through the backoff in its slot.

The queue lives in this process only: pages a refresh marked ``queued`` whose jobs died with an
earlier process (``akhbar serve`` restarted) are deferred again after the source's next refresh,
as the PostgreSQL workers do, once they were marked :data:`LOST_AFTER` ago (a younger one may be
another process's, such as an ``akhbar refresh`` run beside ``serve``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from akhbar.errors import HostBusy, RetryLater
from akhbar.jobs.tasks import (
    PATIENCE,
    publish_scheduled,
    requeue_lost_pages,
    run_image,
    run_page,
    run_refresh,
    schedule_due,
)
from akhbar.services.fetching import Runtime
from akhbar.services.images import ImageResult
from akhbar.services.ingest import IngestResult
from akhbar.services.refresh import PageJob, RefreshResult
from akhbar.text.urls import canonical_url

log = logging.getLogger(__name__)

# Which queued job runs first: a page (it becomes an article), then a photo (it completes one), then
# a feed (it brings more pages); within a rank, in the order queued. Run in the order queued, a
# refresh of many feeds read every feed before it fetched a page, and the extraction workers idled
# meanwhile: on the ingest bench (10 feeds on loopback) the first article was stored 0.20 to 0.25 s
# after the feeds were scheduled, 0.09 to 0.19 s with pages first. Over the internet, where a feed
# takes a round trip or several, the wait before the first page grew with every feed followed.
RANKS = {"page": 0, "image": 1, "refresh": 2}
LOST_AFTER = timedelta(minutes=10)  # a page marked queued this long ago, with no job here, was lost


@dataclass
class Outcomes:
    """What the runner did, for callers that report (CLI, tests, benchmarks)."""

    refreshes: list[RefreshResult] = field(default_factory=list)
    pages: list[IngestResult] = field(default_factory=list)
    images: list[ImageResult] = field(default_factory=list)


class InlineRunner:
    """Runs refresh, page and image jobs in this process, ``concurrency`` at a time."""

    def __init__(self, runtime: Runtime, *, concurrency: int = 4, keep_outcomes: bool = True) -> None:
        self.runtime = runtime
        self.concurrency = concurrency
        self.keep_outcomes = keep_outcomes
        self.outcomes = Outcomes()
        # jobs by rank, then in the order they came (see :data:`RANKS`)
        self._queue: asyncio.PriorityQueue[tuple[int, int, str, int | PageJob]] = asyncio.PriorityQueue()
        self._queued = itertools.count()
        self._handed_back = 0  # jobs waiting for their host's turn, outside the queue
        self._returned = asyncio.Event()  # one of them came back to the queue
        self._turns: dict[str, float] = {}  # host -> the latest turn a job was handed back for
        self._refresh_tries: dict[int, int] = {}  # source id -> its feed's failed tries, when handed back
        # (source id, canonical URL) of the page jobs held: queued, running or handed back
        self._pages: Counter[tuple[int | None, str]] = Counter()
        self.hand_backs = 0  # how many times a job was handed back (for tests and reports)

    def _put(self, kind: str, payload: int | PageJob) -> None:
        self._queue.put_nowait((RANKS[kind], next(self._queued), kind, payload))

    async def defer_refresh(self, source_id: int) -> None:
        self._put("refresh", source_id)

    async def defer_page(self, job: PageJob) -> None:
        self._pages[job.source_id, canonical_url(job.url)] += 1
        self._put("page", job)

    async def pending_urls(self, source_id: int) -> set[str]:
        """Canonical URLs of the source's page jobs this runner holds (waiting, running, handed back)."""
        return {url for (source, url), held in self._pages.items() if source == source_id and held}

    def _page_done(self, job: PageJob) -> None:
        key = (job.source_id, canonical_url(job.url))
        self._pages[key] -= 1
        if self._pages[key] <= 0:
            del self._pages[key]

    async def defer_image(self, article_id: int) -> None:
        self._put("image", article_id)

    async def _run_one(self, kind: str, payload: int | PageJob) -> None:
        if isinstance(payload, PageJob):
            page = await run_page(self.runtime, payload, self, PATIENCE)
            if self.keep_outcomes:
                self.outcomes.pages.append(page)
        elif kind == "image":
            image = await run_image(self.runtime, payload, PATIENCE)
            if self.keep_outcomes:
                self.outcomes.images.append(image)
        else:
            tries = self._refresh_tries.pop(payload, 0)
            result = await run_refresh(self.runtime, self, payload, PATIENCE, tries)
            if self.keep_outcomes:
                self.outcomes.refreshes.append(result)
            await requeue_lost_pages(
                self.runtime, self, payload, queued_before=datetime.now(UTC) - LOST_AFTER
            )

    async def _work(self) -> None:
        while True:
            _, _, kind, payload = await self._queue.get()
            held = isinstance(payload, PageJob)  # ends here unless handed back
            try:
                await self._run_one(kind, payload)
            except HostBusy as busy:  # nothing was sent: the job comes back at the host's turn
                self._hand_back((kind, payload), self._turn(busy))
                held = False
            except RetryLater as later:  # a request failed: the job comes back for the retry
                if isinstance(payload, PageJob):
                    payload = replace(payload, tries=later.tries)
                else:
                    self._refresh_tries[payload] = later.tries
                self._hand_back((kind, payload), later.retry_at)
                held = False
            except Exception:  # a defect in one job must not stop the others
                log.exception("jobs: %s %s failed", kind, payload)
            finally:
                if held and isinstance(payload, PageJob):
                    self._page_done(payload)
                self._queue.task_done()

    def _turn(self, busy: HostBusy) -> float:
        """When a job handed back for ``busy.host`` comes back: its next turn, or one host delay
        after the job handed back before it, so that a feed's pages come back one a turn rather
        than all at once (and all but one handed back again)."""
        now = time.time()
        if len(self._turns) > 4096:  # forget hosts whose turns have passed
            self._turns = {host: at for host, at in self._turns.items() if at > now}
        latest = self._turns.get(busy.host)
        spaced = (
            latest + self.runtime.settings.fetch_host_delay if latest is not None and latest > now else 0.0
        )
        at = self._turns[busy.host] = max(busy.retry_at, spaced)
        return at

    def _hand_back(self, item: tuple[str, int | PageJob], retry_at: float) -> None:
        self._handed_back += 1
        self.hand_backs += 1

        def again() -> None:
            self._handed_back -= 1
            self._put(*item)
            self._returned.set()

        asyncio.get_running_loop().call_later(max(0.0, retry_at - time.time()), again)

    async def run_until_idle(self) -> Outcomes:
        """Run every queued job, and the jobs they queue, then return (jobs handed back for a busy
        host included: it waits for their turn)."""
        workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]
        try:
            while True:
                await self._queue.join()
                if not self._handed_back:
                    break
                self._returned.clear()  # no await since join(): none can have come back unseen
                await self._returned.wait()
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        return self.outcomes

    async def run_forever(self, stop: asyncio.Event, *, tick: float = 30.0) -> None:
        """Schedule due sources every ``tick`` seconds and run jobs until ``stop`` is set."""
        workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]
        try:
            while not stop.is_set():
                try:
                    await schedule_due(self.runtime.store, self, photos=self.runtime.settings.images)
                    await publish_scheduled(self.runtime)
                except Exception:  # the database may be briefly unavailable; try again next tick
                    log.exception("jobs: scheduling failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=tick)
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
