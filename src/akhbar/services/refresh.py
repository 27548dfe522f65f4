"""RefreshSource: the one use case the CLI, the embedded scheduler and the workers all call.

``refresh_source`` fetches a source's listing (conditionally), turns each new or changed entry
into a :class:`PageJob` handed to ``defer_page`` (a queue, or :func:`fetch_page` directly), and
records the outcome with adaptive polling. A page whose fetch failed transiently (timeout, 5xx,
429, cut short) is tried again at the source's later polls, after growing waits, up to
``MAX_PAGE_ATTEMPTS`` tries in all; the listing entry is kept with it, so the retry (and any later
``reprocess``) still has the entry's fallbacks. ``fetch_page`` fetches one page and ingests it through
:func:`akhbar.services.ingest.ingest_document` (raw first, then article or rejection). Nothing
here raises for a bad source or page: every failure is recorded with its reason.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from akhbar.errors import FetchError, HostBusy, InputError, RetryLater
from akhbar.fetch import FetchResult
from akhbar.models import Document, Entry, Listing, Source
from akhbar.services import images, polling
from akhbar.services.fetching import Runtime
from akhbar.services.ingest import IngestResult, Recorder, ingest_document
from akhbar.sources.feeds import parse_feed
from akhbar.sources.sitemaps import parse_sitemap
from akhbar.store import Store, seen
from akhbar.store import sources as store_sources
from akhbar.text.urls import canonical_url

log = logging.getLogger(__name__)
MAX_CHILD_SITEMAPS = 20
MAX_NEW_PAGES_PER_POLL = 1000  # a 50,000-URL sitemap is worked through over several polls
CLAIM_LEASE = timedelta(minutes=15)
STALE_QUEUED = timedelta(hours=6)  # a page job queued this long ago was lost (worker died): queue again
RETRY_WAITS = (
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)  # after the 1st, 2nd, 3rd failure
MAX_PAGE_ATTEMPTS = len(RETRY_WAITS) + 1


@dataclass(frozen=True)
class PageJob:
    """A page to fetch for a source, with the listing's fallbacks. Serialisable for job queues."""

    source_id: int | None
    url: str
    title: str | None = None
    published: str | None = None
    updated: str | None = None
    summary: str | None = None
    language: str | None = None
    tries: int = 0  # requests for the page that failed transiently, in earlier runs of its job

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> PageJob:
        return cls(**value)

    @classmethod
    def for_entry(cls, source_id: int | None, entry: Entry) -> PageJob:
        return cls(
            source_id, entry.url, entry.title, entry.published, entry.updated, entry.summary, entry.language
        )

    def entry(self) -> Entry:
        """The listing entry this page came from (its fallbacks)."""
        return Entry(self.url, self.title, self.published, self.updated, self.summary, self.language)


@dataclass(frozen=True)
class RefreshResult:
    source_id: int
    status: str  # ok, not-modified, error, missing
    new_pages: int = 0
    reason: str | None = None


DeferPage = Callable[[PageJob], Awaitable[None]]


def _now() -> datetime:
    return datetime.now(UTC)


def due_source_ids(store: Store, limit: int = 1000) -> list[int]:
    with store.reading() as connection:
        return store_sources.due_source_ids(connection, _now(), limit)


def claim_source(store: Store, source_id: int) -> bool:
    """Take a due source for one refresh (atomic; another scheduler or worker gets False)."""
    with store.transaction() as connection:
        return store_sources.claim_source(connection, source_id, _now(), CLAIM_LEASE)


async def _listing(runtime: Runtime, source: Source, result: FetchResult) -> Listing:
    if source.kind == "feed":
        return parse_feed(result.data, url=result.url, content_type=result.content_type)
    listing = parse_sitemap(result.data, url=result.url)
    if listing.kind != "sitemap-index":
        return listing
    entries: list[Entry] = []
    notes = list(listing.notes)
    for child in listing.children[:MAX_CHILD_SITEMAPS]:
        try:
            fetched = await runtime.fetcher.fetch(child)
            nested = parse_sitemap(fetched.data, url=fetched.url)
        except (FetchError, InputError) as exc:
            notes.append(f"{child}: {exc}")
            continue
        if nested.kind == "sitemap-index":  # the protocol forbids it; a loop (an index of itself) is one
            notes.append(f"{child}: a sitemap index inside a sitemap index, not followed")
        entries += nested.entries
    return replace(listing, entries=tuple(entries), notes=tuple(notes))


def _worth_fetching(known: seen.SeenUrl, entry: Entry) -> bool:
    """A known URL is fetched again when the listing dates a change, or when its job was lost."""
    if entry.updated is not None and entry.updated != known.updated:
        return True
    return known.status == "queued" and _now() - known.seen_at > STALE_QUEUED


def _new_jobs(runtime: Runtime, source: Source, listing: Listing) -> list[PageJob]:
    """Entries whose canonical URL is unknown, or known with a different ``updated`` date."""
    jobs: list[PageJob] = []
    with runtime.store.transaction() as connection:
        for entry in listing.entries:
            if len(jobs) >= MAX_NEW_PAGES_PER_POLL:  # the rest stay unseen: taken at the next polls
                break
            url = canonical_url(entry.url)
            known = seen.find_seen(connection, url)
            if known is not None and not _worth_fetching(known, entry):
                continue
            job = PageJob.for_entry(source.id, replace(entry, language=entry.language or source.language))
            seen.mark_seen(
                connection,
                url,
                source_id=source.id,
                status="queued",
                updated=entry.updated,
                entry=job.entry(),
            )
            jobs.append(job)
    return jobs


def _due_retries(runtime: Runtime, source: Source, room: int) -> list[PageJob]:
    """The source's failed pages whose next try is due, marked queued again (tries kept)."""
    if room <= 0:
        return []
    jobs: list[PageJob] = []
    with runtime.store.transaction() as connection:
        for known in seen.due_retries(connection, source.id, _now(), room):
            entry = known.entry or Entry(known.url)
            seen.mark_seen(
                connection,
                known.url,
                source_id=source.id,
                status="queued",
                updated=known.updated,
                attempts=known.attempts,
            )
            jobs.append(PageJob.for_entry(source.id, entry))
    return jobs


async def refresh_source(
    runtime: Runtime,
    source_id: int,
    defer_page: DeferPage | None = None,
    *,
    patience: float | None = None,
    tries: int | None = None,
) -> RefreshResult:
    """Poll one source now; pages go to ``defer_page`` (default: fetched here, one by one).

    With ``patience``, a feed whose host is not free within that many seconds raises
    :class:`HostBusy` before anything is fetched or recorded (the caller tries again later); with
    ``tries`` (the requests that failed in earlier runs of this refresh), a transient failure with
    retries left raises :class:`~akhbar.errors.RetryLater`, nothing recorded."""
    with runtime.store.reading() as connection:
        source = store_sources.get_source(connection, source_id)
    if source is None:
        return RefreshResult(source_id, "missing", reason=f"source #{source_id} does not exist")
    if source.kind == "page":
        return await _refresh_page_source(runtime, source, patience)
    defer = defer_page or (lambda job: _discard(fetch_page(runtime, job)))
    try:
        result = await runtime.fetcher.fetch(
            source.url, etag=source.etag, last_modified=source.last_modified, patience=patience, tries=tries
        )
        listing = None if result.not_modified else await _listing(runtime, source, result)
    except (FetchError, InputError) as exc:
        return _failed(runtime, source, str(exc))
    except (HostBusy, RetryLater):
        raise
    except Exception as exc:  # a defect must not stop the scheduler; it is logged and recorded
        log.exception("refresh: source #%s failed", source.id)
        return _failed(runtime, source, f"internal error: {type(exc).__name__}: {exc}")
    jobs = [] if listing is None else _new_jobs(runtime, source, listing)
    new_pages = len(jobs)
    jobs += _due_retries(runtime, source, MAX_NEW_PAGES_PER_POLL - len(jobs))
    with runtime.store.transaction() as connection:
        polling.record_success(
            connection,
            source,
            _now(),
            runtime.settings,
            status="not-modified" if listing is None else "ok",
            new_entries=new_pages,
            notes="; ".join(listing.notes) or None if listing else None,
            etag=result.header("etag"),
            last_modified=result.header("last-modified"),
        )
    for job in jobs:
        await defer(job)
    return RefreshResult(source.id, "not-modified" if listing is None else "ok", new_pages=new_pages)


async def _discard(awaitable: Awaitable[object]) -> None:
    await awaitable


def _failed(runtime: Runtime, source: Source, reason: str) -> RefreshResult:
    log.warning("refresh: source #%s: %s", source.id, reason)
    with runtime.store.transaction() as connection:
        polling.record_failure(connection, source, _now(), runtime.settings, reason)
    return RefreshResult(source.id, "error", reason=reason)


async def _refresh_page_source(runtime: Runtime, source: Source, patience: float | None) -> RefreshResult:
    """A single-page source: fetch it conditionally and ingest it (unchanged bytes change nothing)."""
    try:
        result = await runtime.fetcher.fetch(
            source.url, etag=source.etag, last_modified=source.last_modified, patience=patience
        )
    except FetchError as exc:
        return _failed(runtime, source, str(exc))
    outcome = None if result.not_modified else await _ingest(runtime, PageJob(source.id, source.url), result)
    if outcome is not None and outcome.status == "error":
        return _failed(runtime, source, outcome.reason or "cannot ingest")
    changed = outcome is not None and outcome.status in {"stored", "updated"}
    with runtime.store.transaction() as connection:
        polling.record_success(
            connection,
            source,
            _now(),
            runtime.settings,
            status="not-modified" if outcome is None else "ok",
            new_entries=int(changed),
            notes=outcome.reason if outcome is not None and outcome.status == "rejected" else None,
            etag=result.header("etag"),
            last_modified=result.header("last-modified"),
        )
    return RefreshResult(source.id, "not-modified" if outcome is None else "ok", new_pages=int(changed))


async def _ingest(
    runtime: Runtime, job: PageJob, result: FetchResult, recorded: Recorder | None = None
) -> IngestResult:
    document = Document(
        location=result.url,
        data=result.data,
        content_type=result.content_type,
        url=result.url,
        headers=result.headers,
    )
    return await asyncio.to_thread(
        ingest_document,
        runtime.store,
        document,
        grouping=runtime.grouping,
        source_id=job.source_id,
        entry=job.entry(),
        extractor=runtime.extractor,
        recorded=recorded,
    )


def _retry(known: seen.SeenUrl | None, now: datetime) -> tuple[str, int, datetime | None]:
    """Status, tries so far and next try for a page whose fetch just failed transiently."""
    attempts = (known.attempts if known else 0) + 1
    if attempts >= MAX_PAGE_ATTEMPTS:
        return "error", attempts, None
    return "retry", attempts, now + RETRY_WAITS[attempts - 1]


async def fetch_page(runtime: Runtime, job: PageJob, *, patience: float | None = None) -> IngestResult:
    """Fetch one page and ingest it; the outcome is recorded against its canonical URL (in the
    transaction that stores it: the event loop never waits for the database's writer).

    A transient failure leaves the page to be tried again (see the module docstring). With
    ``patience`` (a job runner), a host not free within that many seconds raises
    :class:`HostBusy`, and a request that failed transiently with retries left raises
    :class:`~akhbar.errors.RetryLater` (the job runs again with its ``tries`` then), nothing
    recorded either way.
    """
    url = canonical_url(job.url)
    try:
        tries = job.tries if patience is not None else None
        result = await runtime.fetcher.fetch(job.url, patience=patience, tries=tries)
    except FetchError as exc:
        return _fetch_failed(runtime.store, job, url, exc)
    outcome = await _ingest(runtime, job, result, recorded=functools.partial(_mark_page, job, url))
    if outcome.status == "error":
        log.info("page: %s: %s", job.url, outcome.reason)
    return outcome


def _mark_page(
    job: PageJob,
    url: str,
    connection: sa.Connection,
    outcome: IngestResult,
    *,
    status: str | None = None,
    attempts: int = 0,
    retry_at: datetime | None = None,
) -> None:
    """Record the page's outcome on its canonical URL: ``status``, else ``stored`` for a page
    stored, updated or unchanged and the outcome's own status for any other."""
    if status is None:
        status = "stored" if outcome.status in {"stored", "updated", "unchanged"} else outcome.status
    seen.mark_seen(
        connection,
        url,
        source_id=job.source_id,
        status=status,
        updated=job.updated,
        reason=outcome.reason,
        article_id=outcome.article_id,
        attempts=attempts,
        retry_at=retry_at,
        entry=job.entry(),
    )


def _fetch_failed(store: Store, job: PageJob, url: str, failure: FetchError) -> IngestResult:
    """Record a page that could not be fetched, to be tried again later if the failure is transient."""
    outcome = IngestResult(job.url, "error", reason=str(failure))
    status, attempts, retry_at = "error", 0, None
    with store.transaction() as connection:
        if failure.transient:
            status, attempts, retry_at = _retry(seen.find_seen(connection, url), _now())
        _mark_page(job, url, connection, outcome, status=status, attempts=attempts, retry_at=retry_at)
        if retry_at is not None and job.source_id is not None:
            store_sources.poll_by(connection, job.source_id, retry_at)
    log.info("page: %s: %s%s", job.url, outcome.reason, f" (try {attempts}, again later)" if retry_at else "")
    return outcome


async def ingest_urls(runtime: Runtime, urls: list[str]) -> list[IngestResult]:
    """``akhbar ingest URL...``: fetch each page under every rule and ingest it (no source), then
    the photos of the articles stored (unless the settings say no)."""
    results = []
    for url in urls:
        try:
            result = await runtime.fetcher.fetch(url)
            results.append(await _ingest(runtime, PageJob(None, url), result))
        except FetchError as exc:
            results.append(IngestResult(url, "error", reason=str(exc)))
    if runtime.settings.images:  # the pages came from the network: so may their photos
        stored = [
            r.article_id for r in results if r.article_id is not None and r.status in {"stored", "updated"}
        ]
        await images.fetch_photos(runtime, stored)
    return results
