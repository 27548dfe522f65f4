"""Most read, counted privately: the portal counts article reads itself, in memory, and adds them to
the database in batches (one transaction per ``flush_every`` seconds or ``flush_at`` reads), so a
read costs a dictionary update and the page cache stays untouched. Only article ids and hours are
stored: nothing about the reader, no cookie, no third party.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from datetime import UTC, datetime

from akhbar.models import ArticleSummary
from akhbar.store import Store
from akhbar.store import portal as queries
from akhbar.store import reads as rows

log = logging.getLogger(__name__)

WINDOW_HOURS = 48  # the most-read block sums the reads of the last two days
MOST_READ_EVERY = 60.0  # seconds a process keeps the most read before it sums them again (MostRead)
KEEP_HOURS = 24 * 30  # counts older than this are deleted when a batch is written
# Reads a process counts before it writes them, at most (else every ``flush_every`` seconds). What
# costs a serving process is how often it writes, not how much: written each 200 reads (6 times a
# second under load), random article pages cost 0.85-0.95 ms of CPU each with a 99th percentile of
# 36-43 ms, against 0.75 ms and 28-29 ms with no batch written (100k articles, one process, 32
# connections), and writing the 200 in one statement changed nothing. After each write every reading
# connection starts again with an empty page cache (SQLite's rule for a file another connection
# changed). A batch of 20,000 reads is about 2 MB of memory and 0.2 s of the database's work.
FLUSH_AT = 20_000


def hour_of(moment: datetime | None = None) -> int:
    """Hours since the Unix epoch (UTC) of ``moment`` (now by default)."""
    return int((moment or datetime.now(UTC)).timestamp() // 3600)


class ReadCounter:
    """Reads counted in memory and written in batches; thread-safe."""

    def __init__(self, store: Store, *, flush_every: float = 10.0, flush_at: int = FLUSH_AT) -> None:
        self.store = store
        self.flush_every = flush_every
        self.flush_at = flush_at
        self._pending: Counter[int] = Counter()
        self._counted = 0  # reads in ``_pending``
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self._due = False  # a flush was asked for and has not run yet

    def add(self, article_id: int) -> bool:
        """Count one read; True (once per batch) when a batch is due: the caller then calls :meth:`flush`."""
        with self._lock:
            self._pending[article_id] += 1
            self._counted += 1
            if self._due:
                return False
            full = self._counted >= self.flush_at
            self._due = full or time.monotonic() - self._last_flush >= self.flush_every
            return self._due

    def flush(self) -> int:
        """Write the pending reads in one transaction; the number of reads written."""
        with self._lock:
            pending, self._pending, counted, self._counted = self._pending, Counter(), self._counted, 0
            self._last_flush = time.monotonic()
            self._due = False
        if not pending:
            return 0
        hour = hour_of()
        try:
            with self.store.transaction() as connection:
                rows.add_reads(connection, hour, pending)
                rows.forget_before(connection, hour - KEEP_HOURS)
        except Exception:
            log.exception("reads: could not write %d reads; they are dropped", counted)
            return 0
        return counted


def most_read(store: Store, *, limit: int = 5, hours: int = WINDOW_HOURS) -> list[tuple[ArticleSummary, int]]:
    """The most read articles of the last ``hours`` hours with their reads, most first."""
    return _summarised(store, _counted(store, limit, hours))


def _counted(store: Store, limit: int, hours: int = WINDOW_HOURS) -> list[tuple[int, int]]:
    with store.reading() as connection:
        return rows.most_read(connection, hour_of() - hours, limit=limit)


def _summarised(store: Store, counted: list[tuple[int, int]]) -> list[tuple[ArticleSummary, int]]:
    """``counted`` (article id, reads) with each article as stored now: one withdrawn since is left out."""
    with store.reading() as connection:
        by_id = {a.id: a for a in queries.summaries_by_ids(connection, [i for i, _ in counted])}
    return [(by_id[i], n) for i, n in counted if i in by_id]


class MostRead:
    """:func:`most_read`, summed again at most every ``every`` seconds: the home page is rendered
    again each minute in each language, and each of those renders summed the last two days' hourly
    counts (74 ms for 248k of them, 372 ms before migration 0025). A list a minute old is what a
    most-read block shows anyway: reads are written in batches, and they never changed the pages'
    data version. Only the counts are kept: the articles are read again on each call, so one
    withdrawn or retitled in the meantime leaves the block or shows its new title on the next
    render. Thread-safe: two threads may both sum, to the same list."""

    def __init__(self, store: Store, *, every: float = MOST_READ_EVERY) -> None:
        self.store = store
        self.every = every
        self._kept: tuple[float, int, list[tuple[int, int]]] | None = None

    def top(self, limit: int) -> list[tuple[ArticleSummary, int]]:
        kept, now = self._kept, time.monotonic()
        if kept is not None and kept[1] == limit and now - kept[0] < self.every:
            return _summarised(self.store, kept[2])
        counted = _counted(self.store, limit)
        self._kept = (now, limit, counted)
        return _summarised(self.store, counted)
