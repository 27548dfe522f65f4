"""The job code both runners execute. Each job catches and records its own failures."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from akhbar.services import drafts, images, refresh
from akhbar.services.fetching import Runtime
from akhbar.services.ingest import IngestResult
from akhbar.services.refresh import PageJob, RefreshResult
from akhbar.store import Store

log = logging.getLogger(__name__)


class Queue(Protocol):
    """Where jobs go: the in-process runner's queue or Procrastinate's tables."""

    async def defer_refresh(self, source_id: int) -> None: ...

    async def defer_page(self, job: PageJob) -> None: ...

    async def defer_image(self, article_id: int) -> None: ...


async def run_refresh(runtime: Runtime, queue: Queue, source_id: int) -> RefreshResult:
    """Refresh one source; its new pages become page jobs on ``queue``."""
    result = await refresh.refresh_source(runtime, source_id, queue.defer_page)
    log.info("job: refresh #%s: %s (%s new pages)", source_id, result.status, result.new_pages)
    return result


async def run_page(runtime: Runtime, job: PageJob, queue: Queue | None = None) -> IngestResult:
    """Fetch, extract and store one page; failures are recorded, never raised. The photo of an
    article stored or changed becomes an image job on ``queue`` (when the settings fetch images)."""
    try:
        result = await refresh.fetch_page(runtime, job)
    except Exception as exc:  # a defect must not kill the worker: log it and record it on the URL
        log.exception("job: page %s failed", job.url)
        return IngestResult(job.url, "error", reason=f"internal error: {type(exc).__name__}: {exc}")
    await defer_photo(runtime, queue, result)
    return result


async def defer_photo(runtime: Runtime, queue: Queue | None, result: IngestResult) -> None:
    """Queue the photo of a just stored article when it still has to be fetched."""
    if queue is None or not runtime.settings.images or result.article_id is None:
        return
    if result.status not in {"stored", "updated"}:
        return
    try:
        if await asyncio.to_thread(images.request_photo, runtime.store, result.article_id, queued=True):
            await queue.defer_image(result.article_id)
    except Exception:  # the article is stored; its photo can wait for its next change
        log.exception("job: cannot queue the photo of article #%s", result.article_id)


async def run_image(runtime: Runtime, article_id: int) -> images.ImageResult:
    """Fetch, check and keep an article's photo; failures are recorded, never raised."""
    try:
        return await images.fetch_for_article(runtime, article_id)
    except Exception as exc:  # a defect must not kill the worker
        log.exception("job: photo of article #%s failed", article_id)
        return images.ImageResult(article_id, "failed", reason=f"internal error: {type(exc).__name__}: {exc}")


async def schedule_due(store: Store, queue: Queue, *, limit: int = 1000, photos: bool = False) -> int:
    """Claim every due source (atomically) and defer its refresh; returns how many. With
    ``photos``, also defer the photos asked for (newsroom articles) or due for another try."""
    deferred = 0
    for source_id in refresh.due_source_ids(store, limit):
        if refresh.claim_source(store, source_id):
            await queue.defer_refresh(source_id)
            deferred += 1
    if photos:
        for article_id in await asyncio.to_thread(images.due_photos, store, limit=limit):
            await queue.defer_image(article_id)
    return deferred


async def publish_scheduled(runtime: Runtime) -> list[int]:
    """Publish the newsroom's articles whose scheduled time has come (each by one runner only)."""
    published = await asyncio.to_thread(drafts.publish_due, runtime.store, runtime.grouping)
    if published:
        log.info("job: published scheduled articles %s", published)
    return published
