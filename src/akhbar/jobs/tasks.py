"""The job code both runners execute.

A job records its own failures (a bad page, a dead source) and returns; but when its *database*
work fails (the server restarted, the connection dropped) it raises :class:`DatabaseUnavailable`,
so the runner retries it later instead of counting it done while its page stays ``queued``.

Nothing is fetched twice needlessly: a page job whose page was already recorded (stored, rejected,
failed) by an earlier run of the same job, whose end the queue never heard of, returns at once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa

from akhbar.errors import HostBusy, RetryLater, StoreError
from akhbar.models import Entry
from akhbar.services import drafts, images, refresh
from akhbar.services.fetching import Runtime
from akhbar.services.ingest import IngestResult
from akhbar.services.refresh import PageJob, RefreshResult
from akhbar.store import Store, seen
from akhbar.text.urls import canonical_url

PATIENCE = 0.3  # seconds a job may wait for its host in a worker slot; longer, it goes back to the queue

log = logging.getLogger(__name__)


class DatabaseUnavailable(StoreError):
    """A job's database work failed; the job is to be run again, not counted done."""


class Queue(Protocol):
    """Where jobs go: the in-process runner's queue or Procrastinate's tables."""

    async def defer_refresh(self, source_id: int) -> None: ...

    async def defer_page(self, job: PageJob) -> None: ...

    async def defer_image(self, article_id: int) -> None: ...


class PendingQueue(Queue, Protocol):
    """A queue that outlives its workers and can say which page jobs it still holds."""

    async def pending_urls(self, source_id: int) -> set[str]:
        """Canonical URLs of the source's page jobs waiting or running (a dead worker's included)."""
        ...


async def run_refresh(
    runtime: Runtime, queue: Queue, source_id: int, patience: float | None = None, tries: int | None = None
) -> RefreshResult:
    """Refresh one source; its new pages become page jobs on ``queue``. With ``patience``, a feed
    whose host is not free within that many seconds raises :class:`HostBusy` (run it again later);
    with ``tries``, a feed request that failed transiently raises :class:`RetryLater`."""
    try:
        result = await refresh.refresh_source(
            runtime, source_id, queue.defer_page, patience=patience, tries=tries
        )
    except sa.exc.SQLAlchemyError as exc:
        raise DatabaseUnavailable(f"job: refresh #{source_id}: database: {exc}") from exc
    log.info("job: refresh #%s: %s (%s new pages)", source_id, result.status, result.new_pages)
    return result


def _already_done(store: Store, job: PageJob) -> bool:
    with store.reading() as connection:
        known = seen.find_seen(connection, canonical_url(job.url))
    return known is not None and known.status != "queued" and known.updated == job.updated


async def run_page(
    runtime: Runtime, job: PageJob, queue: Queue | None = None, patience: float | None = None
) -> IngestResult:
    """Fetch, extract and store one page; failures are recorded, database failures raised. The photo
    of an article stored or changed becomes an image job on ``queue`` (when the settings fetch images).
    With ``patience``, a host not free within that many seconds raises :class:`HostBusy`, nothing
    fetched or recorded (run the job again at its ``retry_at``)."""
    try:
        if job.source_id is not None and await runtime.store.read_soon(_already_done, runtime.store, job):
            log.info("job: page %s was already recorded by an earlier run", job.url)
            return IngestResult(job.url, "unchanged", reason="recorded by an earlier run of this job")
        result = await refresh.fetch_page(runtime, job, patience=patience)
    except sa.exc.SQLAlchemyError as exc:
        log.warning("job: page %s: database unavailable, to be run again: %s", job.url, exc)
        raise DatabaseUnavailable(f"job: page {job.url}: database: {exc}") from exc
    except (HostBusy, RetryLater):
        raise
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


async def run_image(runtime: Runtime, article_id: int, patience: float | None = None) -> images.ImageResult:
    """Fetch, check and keep an article's photo; failures are recorded, database failures raised.
    With ``patience``, a host not free within that many seconds raises :class:`HostBusy`."""
    try:
        return await images.fetch_for_article(runtime, article_id, patience=patience)
    except sa.exc.SQLAlchemyError as exc:
        raise DatabaseUnavailable(f"job: photo of article #{article_id}: database: {exc}") from exc
    except HostBusy:
        raise
    except Exception as exc:  # a defect must not kill the worker
        log.exception("job: photo of article #%s failed", article_id)
        return images.ImageResult(article_id, "failed", reason=f"internal error: {type(exc).__name__}: {exc}")


def _queued_pages(store: Store, source_id: int, limit: int) -> list[seen.SeenUrl]:
    with store.reading() as connection:
        return seen.queued(connection, source_id, limit)


async def requeue_lost_pages(
    runtime: Runtime, queue: PendingQueue, source_id: int, *, queued_before: datetime | None = None
) -> int:
    """Defer again the source's ``queued`` pages that no page job holds (lost between marking and
    deferring, e.g. when the database went away mid-refresh); returns how many. With
    ``queued_before``, only pages marked queued before then (a queue that is not the only one).

    The queue is asked first: a job that ends after that was pending, so it is not deferred twice.
    """
    limit = refresh.MAX_NEW_PAGES_PER_POLL
    try:
        if not await asyncio.to_thread(_queued_pages, runtime.store, source_id, 1):
            return 0  # the usual case: every page of the source is done
        pending = await queue.pending_urls(source_id)
        waiting = await asyncio.to_thread(_queued_pages, runtime.store, source_id, limit)
    except sa.exc.SQLAlchemyError as exc:
        raise DatabaseUnavailable(f"job: refresh #{source_id}: database: {exc}") from exc
    lost = [
        known
        for known in waiting
        if known.url not in pending and (queued_before is None or known.seen_at <= queued_before)
    ]
    for known in lost:
        await queue.defer_page(PageJob.for_entry(source_id, known.entry or Entry(known.url)))
    if lost:
        log.warning("job: refresh #%s: %s queued pages had no job; deferred again", source_id, len(lost))
    return len(lost)


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
