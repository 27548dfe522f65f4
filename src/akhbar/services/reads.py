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
KEEP_HOURS = 24 * 30  # counts older than this are deleted when a batch is written


def hour_of(moment: datetime | None = None) -> int:
    """Hours since the Unix epoch (UTC) of ``moment`` (now by default)."""
    return int((moment or datetime.now(UTC)).timestamp() // 3600)


class ReadCounter:
    """Reads counted in memory and written in batches; thread-safe."""

    def __init__(self, store: Store, *, flush_every: float = 10.0, flush_at: int = 200) -> None:
        self.store = store
        self.flush_every = flush_every
        self.flush_at = flush_at
        self._pending: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self._due = False  # a flush was asked for and has not run yet

    def add(self, article_id: int) -> bool:
        """Count one read; True (once per batch) when a batch is due: the caller then calls :meth:`flush`."""
        with self._lock:
            self._pending[article_id] += 1
            if self._due:
                return False
            full = sum(self._pending.values()) >= self.flush_at
            self._due = full or time.monotonic() - self._last_flush >= self.flush_every
            return self._due

    def flush(self) -> int:
        """Write the pending reads in one transaction; the number of reads written."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
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
            log.exception("reads: could not write %d reads; they are dropped", sum(pending.values()))
            return 0
        return sum(pending.values())


def most_read(store: Store, *, limit: int = 5, hours: int = WINDOW_HOURS) -> list[tuple[ArticleSummary, int]]:
    """The most read articles of the last ``hours`` hours with their reads, most first."""
    with store.reading() as connection:
        counted = rows.most_read(connection, hour_of() - hours, limit=limit)
        by_id = {a.id: a for a in queries.summaries_by_ids(connection, [i for i, _ in counted])}
    return [(by_id[i], n) for i, n in counted if i in by_id]
