"""The job code both runners execute. Each job catches and records its own failures."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from akhbar.services import drafts, refresh
from akhbar.services.fetching import Runtime
from akhbar.services.ingest import IngestResult
from akhbar.services.refresh import PageJob, RefreshResult
from akhbar.store import Store

log = logging.getLogger(__name__)


class Queue(Protocol):
    """Where jobs go: the in-process runner's queue or Procrastinate's tables."""

    async def defer_refresh(self, source_id: int) -> None: ...

    async def defer_page(self, job: PageJob) -> None: ...


async def run_refresh(runtime: Runtime, queue: Queue, source_id: int) -> RefreshResult:
    """Refresh one source; its new pages become page jobs on ``queue``."""
    result = await refresh.refresh_source(runtime, source_id, queue.defer_page)
    log.info("job: refresh #%s: %s (%s new pages)", source_id, result.status, result.new_pages)
    return result


async def run_page(runtime: Runtime, job: PageJob) -> IngestResult:
    """Fetch, extract and store one page; failures are recorded, never raised."""
    try:
        return await refresh.fetch_page(runtime, job)
    except Exception as exc:  # a defect must not kill the worker: log it and record it on the URL
        log.exception("job: page %s failed", job.url)
        return IngestResult(job.url, "error", reason=f"internal error: {type(exc).__name__}: {exc}")


async def schedule_due(store: Store, queue: Queue, *, limit: int = 1000) -> int:
    """Claim every due source (atomically) and defer its refresh; returns how many."""
    deferred = 0
    for source_id in refresh.due_source_ids(store, limit):
        if refresh.claim_source(store, source_id):
            await queue.defer_refresh(source_id)
            deferred += 1
    return deferred


async def publish_scheduled(runtime: Runtime) -> list[int]:
    """Publish the newsroom's articles whose scheduled time has come (each by one runner only)."""
    published = await asyncio.to_thread(drafts.publish_due, runtime.store, runtime.grouping)
    if published:
        log.info("job: published scheduled articles %s", published)
    return published
