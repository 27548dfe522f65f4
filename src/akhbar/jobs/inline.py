"""The in-process runner: an asyncio queue and N worker coroutines, for the embedded mode.

``run_until_idle`` drains the queue (``akhbar refresh``, tests, benchmarks); ``run_forever``
also schedules due sources and publishes the newsroom's scheduled articles every ``tick`` seconds
until ``stop`` is set (``akhbar serve``).
Per-host politeness still goes through the database gate of the runtime's fetcher.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from akhbar.jobs.tasks import publish_scheduled, run_image, run_page, run_refresh, schedule_due
from akhbar.services.fetching import Runtime
from akhbar.services.images import ImageResult
from akhbar.services.ingest import IngestResult
from akhbar.services.refresh import PageJob, RefreshResult

log = logging.getLogger(__name__)


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
        self._queue: asyncio.Queue[tuple[str, int | PageJob]] = asyncio.Queue()

    async def defer_refresh(self, source_id: int) -> None:
        await self._queue.put(("refresh", source_id))

    async def defer_page(self, job: PageJob) -> None:
        await self._queue.put(("page", job))

    async def defer_image(self, article_id: int) -> None:
        await self._queue.put(("image", article_id))

    async def _run_one(self, kind: str, payload: int | PageJob) -> None:
        if isinstance(payload, PageJob):
            page = await run_page(self.runtime, payload, self)
            if self.keep_outcomes:
                self.outcomes.pages.append(page)
        elif kind == "image":
            image = await run_image(self.runtime, payload)
            if self.keep_outcomes:
                self.outcomes.images.append(image)
        else:
            result = await run_refresh(self.runtime, self, payload)
            if self.keep_outcomes:
                self.outcomes.refreshes.append(result)

    async def _work(self) -> None:
        while True:
            kind, payload = await self._queue.get()
            try:
                await self._run_one(kind, payload)
            except Exception:  # a defect in one job must not stop the others
                log.exception("jobs: %s %s failed", kind, payload)
            finally:
                self._queue.task_done()

    async def run_until_idle(self) -> Outcomes:
        """Run every queued job, and the jobs they queue, then return."""
        workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]
        try:
            await self._queue.join()
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
