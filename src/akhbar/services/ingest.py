"""Ingesting documents: raw first, then the article or the rejection, each step its own transaction.

A document whose bytes were already stored with an outcome changes nothing. If the process dies
between the raw commit and the outcome commit, the next ingest of the same input (or
``akhbar reprocess``) completes it: what was reported stored is never lost, and no article is ever
half written because each outcome is one transaction.

Each document goes in two steps: :func:`stage` stores it raw, extracts it and prepares its
duplicate signature and embedding; :func:`finish` stores the outcome in one transaction. Bulk
ingest (files, archives, ``reprocess``) stages the next ``AHEAD`` documents in threads while it
finishes the current one, so the embedding model (in its own process) and extraction keep busy;
outcomes are still stored in the inputs' order, so a later version of a page replaces an earlier.
"""

from __future__ import annotations

import contextlib
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, TypeVar

import sqlalchemy as sa

from akhbar import extract as extraction
from akhbar.errors import InputError
from akhbar.extract import editorial
from akhbar.models import Article, Document, Entry, Rejected
from akhbar.services import cleaning, stories
from akhbar.services import search as search_index
from akhbar.services.extractors import Extractor, in_thread
from akhbar.sources.files import PAGE_SUFFIXES, Unreadable, expand, left_out, read_document
from akhbar.store import Store, articles, documents, packing

Status = Literal["stored", "updated", "unchanged", "rejected", "error"]
_TAGS = re.compile(r"<[^>]+>")
AHEAD = 4  # documents staged ahead of the one being finished, in bulk ingest
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class IngestResult:
    """What happened to one input. ``error`` means nothing was stored for it; ``duplicate_of`` is the
    earlier article a stored or updated one copies."""

    location: str
    status: Status
    article_id: int | None = None
    title: str | None = None
    reason: str | None = None
    duplicate_of: int | None = None


Recorder = Callable[[sa.Connection, IngestResult], None]
"""What a caller writes about an input's outcome (a fetched page's row of seen URLs), given the
outcome, in the transaction that stores it: the outcome and the caller's record of it commit
together, with one commit instead of two."""


def _article_key(document: Document, article: Article) -> str:
    if document.content_type == editorial.CONTENT_TYPE:
        return document.location  # editorial:KEY, the same for every revision
    return article.url or _document_key(document)


def _document_key(document: Document) -> str:
    """The key of an article whose page gives no address: the document's URL, else its file."""
    return document.url or f"file:{document.location}"


@dataclass(frozen=True)
class Staged:
    """A document stored raw and extracted, with its signature and embedding: ready to finish."""

    raw_id: int
    document: Document
    outcome: Article | Rejected
    source_id: int | None
    prepared: stories.Prepared | None


def stage_outcome(
    raw_id: int,
    document: Document,
    outcome: Article | Rejected,
    source_id: int | None,
    grouping: stories.Grouping,
) -> Staged:
    """The outcome with what placing it needs (the slow part: the embedding), outside any transaction.

    Every article is stored through here, its fields cleaned first (no control characters or
    direction overrides, bounded lengths, http(s) addresses, language tags): whatever a page, a
    feed entry or an editor sent, readers and feed writers get text they can show.
    """
    if isinstance(outcome, Article):
        outcome = cleaning.cleaned(outcome)
    prepared = stories.prepare_safely(outcome, grouping) if isinstance(outcome, Article) else None
    return Staged(raw_id, document, outcome, source_id, prepared)


def record_outcome(
    store: Store,
    raw_id: int,
    document: Document,
    outcome: Article | Rejected,
    source_id: int | None,
    grouping: stories.Grouping,
) -> IngestResult:
    """Store an article (replacing a rejection) or a rejection (replacing an article), atomically."""
    return finish(store, stage_outcome(raw_id, document, outcome, source_id, grouping), grouping)


def finish(
    store: Store, ready: Staged, grouping: stories.Grouping, recorded: Recorder | None = None
) -> IngestResult:
    """Store the staged outcome in one transaction: the article, its place in stories, its index row
    (and what ``recorded`` writes of the result)."""
    raw_id, document, outcome = ready.raw_id, ready.document, ready.outcome
    with store.transaction() as connection:
        if isinstance(outcome, Rejected):
            articles.delete_for_raw(connection, raw_id)
            if document.content_type == editorial.CONTENT_TYPE:  # a withdrawn revision: off the portal
                articles.delete_by_key(connection, document.location)
            documents.upsert_rejection(connection, raw_id, document.location, outcome.reason)
            result = IngestResult(document.location, "rejected", reason=outcome.reason)
        else:
            result = _store_article(connection, ready, outcome, grouping)
        if recorded is not None:
            recorded(connection, result)
    return result


def _store_article(
    connection: sa.Connection, ready: Staged, outcome: Article, grouping: stories.Grouping
) -> IngestResult:
    """The article of ``ready`` stored in place of any earlier rejection, placed and indexed."""
    raw_id, document, source_id, prepared = ready.raw_id, ready.document, ready.source_id, ready.prepared
    documents.delete_rejection(connection, raw_id)
    # also for a page completed from its feed entry: a section, and no date it cannot have
    outcome = extraction.with_plausible_date(extraction.with_section(outcome))
    key = _article_key(document, outcome)
    article_id, created = articles.upsert_article(
        connection, key, raw_id, outcome, source_id, former_key=_document_key(document)
    )
    if prepared is not None:  # duplicates and stories (akhbar.services.stories)
        placed = stories.place(
            connection, article_id, outcome, prepared, grouping, source_id=source_id, created=created
        )
        outcome = replace(outcome, story_id=placed.story_id, duplicate_of=placed.duplicate_of)
    search_index.index_article(connection, article_id, outcome, source_id, new=created)
    return IngestResult(
        document.location,
        "stored" if created else "updated",
        article_id=article_id,
        title=outcome.title,
        duplicate_of=outcome.duplicate_of,
    )


def _summary_text(summary: str | None) -> str:
    return " ".join(_TAGS.sub(" ", summary or "").split())


def with_fallbacks(outcome: Article | Rejected, entry: Entry | None) -> Article | Rejected:
    """Fill what the page lacks from its listing entry; a rejected page with a real summary keeps it."""
    if entry is None:
        return outcome
    if isinstance(outcome, Article):
        return replace(
            outcome,
            title=outcome.title or entry.title or outcome.title,
            published=outcome.published or entry.published,
            language=outcome.language or entry.language,
            url=outcome.url or entry.url,
        )
    summary = _summary_text(entry.summary)
    if entry.title and len(summary) >= 80:
        return Article(entry.title, (summary,), entry.language, url=entry.url, published=entry.published)
    return outcome


def ingest_document(
    store: Store,
    document: Document,
    *,
    grouping: stories.Grouping,
    source_id: int | None = None,
    max_bytes: int = extraction.DEFAULT_MAX_BYTES,
    entry: Entry | None = None,
    extractor: Extractor = in_thread,
    recorded: Recorder | None = None,
) -> IngestResult:
    """Store the raw document, extract it (with ``extractor``: here, or in a worker process of an
    :class:`~akhbar.services.extractors.ExtractionPool`), store the outcome. Idempotent per content.

    ``entry`` is the listing entry the page came from: its title, date and summary fill what the
    page lacks, and it is kept with the raw document so ``reprocess`` applies it again.
    ``recorded`` writes the caller's record of the result, once, in the outcome's transaction (in
    a transaction of its own when there is nothing to store: the input unreadable or unchanged).
    """
    ready = stage(
        store,
        document,
        grouping=grouping,
        source_id=source_id,
        max_bytes=max_bytes,
        entry=entry,
        extractor=extractor,
    )
    if not isinstance(ready, IngestResult):
        return finish(store, ready, grouping, recorded)
    if recorded is not None:
        with store.transaction() as connection:
            recorded(connection, ready)
    return ready


def stage(
    store: Store,
    document: Document,
    *,
    grouping: stories.Grouping,
    source_id: int | None = None,
    max_bytes: int = extraction.DEFAULT_MAX_BYTES,
    entry: Entry | None = None,
    extractor: Extractor = in_thread,
) -> Staged | IngestResult:
    """Store the raw document and extract it: what :func:`finish` stores, or why there is nothing."""
    try:
        read = extraction.readable(document, max_bytes=max_bytes)
    except InputError as exc:
        return IngestResult(document.location, "error", reason=str(exc))
    # hashed and compressed before the transaction: other threads' writes wait while one is open
    key = documents.raw_key(document, entry)
    packed = packing.pack(document.data)
    with store.transaction() as connection:
        known = documents.known_raw(connection, key)
        if known is not None and known.has_outcome:
            return IngestResult(document.location, "unchanged")
        if known is None:  # another worker may store the same content at the same moment
            raw_id, inserted = documents.insert_raw_once(
                connection, document, source_id, entry, key=key, packed=packed
            )
        else:
            raw_id, inserted = known.id, False
        if not inserted and entry is not None:
            documents.set_entry(connection, raw_id, entry)
    outcome = with_fallbacks(extractor(document, max_bytes, read), entry)
    return stage_outcome(raw_id, document, outcome, source_id, grouping)


def ahead(store: Store, items: Iterable[T], work: Callable[[T], R], depth: int = AHEAD) -> Iterator[R]:
    """``work(item)`` for each item, up to ``depth`` items ahead in threads, yielded in order.

    ``items`` is read in this thread; if reading it fails, the items read before are yielded, then
    the error is raised. An in-memory SQLite database is one per thread, so there
    the work runs here, one item at a time.
    """
    if store.in_memory:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(depth, thread_name_prefix="ingest-ahead") as workers:
        pending: deque[Future[R]] = deque()
        failure: Exception | None = None
        try:
            for item in items:
                pending.append(workers.submit(work, item))
                if len(pending) > depth:
                    yield pending.popleft().result()
        except Exception as exc:  # the inputs broke off (or a work failed): what is staged comes first
            failure = exc
        while pending:
            yield pending.popleft().result()
        if failure is not None:
            raise failure


def finished(
    store: Store, ready: Iterable[Staged | IngestResult], grouping: stories.Grouping
) -> Iterator[IngestResult]:
    """Finish what was staged, in order; what could not be staged says why.

    Two copies of one content in a run were both staged before either was finished: the second is
    ``unchanged``, as it would be one after the other.
    """
    done: set[int] = set()
    for one in ready:
        if isinstance(one, IngestResult):
            yield one
        elif one.raw_id in done:
            yield IngestResult(one.document.location, "unchanged")
        else:
            done.add(one.raw_id)
            yield finish(store, one, grouping)


def ingest_paths(
    store: Store,
    paths: Iterable[str],
    *,
    grouping: stories.Grouping,
    max_bytes: int = extraction.DEFAULT_MAX_BYTES,
    extractor: Extractor = in_thread,
) -> Iterator[IngestResult]:
    """Ingest files and directories in order, staging the next ones ahead; one bad file never stops
    the others."""

    def read(item: Path | Unreadable) -> Staged | IngestResult:
        if isinstance(item, Unreadable):
            return IngestResult(item.location, "error", reason=item.reason)
        try:
            document = read_document(item, max_bytes=max_bytes)
        except InputError as exc:
            return IngestResult(str(item), "error", reason=str(exc))
        return stage(store, document, grouping=grouping, max_bytes=max_bytes, extractor=extractor)

    yield from finished(store, ahead(store, expand(list(paths)), read), grouping)


# Inputs this small are extracted in the ingesting thread rather than in worker processes: the
# workers' fork server warms the extraction libraries first (two to three seconds, dateparser's
# locales most of it), in which time one thread extracts dozens of pages. Measured on saved news
# pages: 32 of them in 2.6 s here against 5.0 s through the workers, 100 in 6.7-7.5 s against
# 7.4-8.6 s. Past these bounds the workers' second core wins (see ``akhbar.services.extractors``).
SMALL_INPUT_FILES = 64
SMALL_INPUT_BYTES = 8 << 20


@dataclass(frozen=True)
class Inputs:
    """What :func:`ingest_paths` will read from some paths: how many files and bytes, and the files
    of their directories it leaves out because their names are not those of pages (``PAGE_SUFFIXES``)."""

    files: int
    left_out: tuple[str, ...]
    suffixes: tuple[str, ...] = PAGE_SUFFIXES
    size: int = 0  # bytes of the files to read

    @property
    def small(self) -> bool:
        """Few enough files and bytes that extracting them here is done sooner than through worker
        processes, which first have to start."""
        return self.files <= SMALL_INPUT_FILES and self.size <= SMALL_INPUT_BYTES


def inputs(paths: Iterable[str]) -> Inputs:
    """Count the files of ``paths`` (directories walked) and their bytes before ingesting them, for
    a progress bar and the choice of where to extract them."""
    names = list(paths)
    files = size = 0
    for found in expand(names):
        files += 1
        if isinstance(found, Path):
            with contextlib.suppress(OSError):  # gone or unreadable: reading it says so
                size += found.stat().st_size
    return Inputs(files, tuple(str(path) for path in left_out(names)), size=size)


def count_raw(store: Store, source_id: int | None = None) -> int:
    """How many raw documents :func:`reprocess` would read (of one source, or all)."""
    with store.reading() as connection:
        return len(documents.raw_ids(connection, source_id))


def ingest_file(
    store: Store,
    path: Path,
    *,
    url: str,
    grouping: stories.Grouping,
    max_bytes: int = extraction.DEFAULT_MAX_BYTES,
) -> IngestResult:
    """Ingest one saved page at its public address ``url`` (``akhbar ingest FILE --url URL``).

    Raises InputError when ``url`` is not an absolute http(s) address or ``path`` is not a readable
    file.
    """
    if not path.is_file():
        raise InputError(f"{path}: not a file (--url names the address of one saved page)")
    document = read_document(path, max_bytes=max_bytes, url=url)
    return ingest_document(store, document, grouping=grouping, max_bytes=max_bytes)


def reprocess(
    store: Store,
    *,
    grouping: stories.Grouping,
    source_id: int | None = None,
    max_bytes: int = extraction.DEFAULT_MAX_BYTES,
    progress: Callable[[IngestResult], None] | None = None,
    extractor: Extractor = in_thread,
) -> list[IngestResult]:
    """Re-run extraction on every stored raw document and update the outcomes in place."""
    with store.reading() as connection:
        ids = documents.raw_ids(connection, source_id)

    def extract(raw_id: int) -> Staged | None:
        with store.reading() as connection:
            record = documents.get_raw(connection, raw_id)
        if record is None:  # deleted while we were working
            return None
        outcome = with_fallbacks(extractor(record.document, max_bytes, None), record.entry)
        return stage_outcome(record.id, record.document, outcome, record.source_id, grouping)

    results = []
    for ready in ahead(store, ids, extract):  # finished in the raw documents' order: revisions replay in turn
        if ready is None:
            continue
        result = finish(store, ready, grouping)
        results.append(result)
        if progress is not None:
            progress(result)
    return results
