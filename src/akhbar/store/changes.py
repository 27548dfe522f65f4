"""Whether anything was committed to a SQLite file since the last look, for next to nothing.

The portal's data version reads several counters (articles, photos, flags), and each web process
reads the version once a second. ``PRAGMA data_version`` answers in microseconds: on one
connection, its value changes exactly when another connection has committed to the file, and
only then are the counters read again. :class:`ChangeProbe` keeps such a connection of its own
(it never writes), so every commit of every process and thread shows.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import weakref
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from akhbar.store import Store

__all__ = ["ChangeProbe"]

log = logging.getLogger(__name__)


class ChangeProbe:
    """``changed()`` is True when a commit may have happened since its last call (always the first
    time, after a failure, and on databases other than a SQLite file, which it cannot watch)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.watching = store.dialect == "sqlite" and not store.in_memory
        self._lock = threading.Lock()
        self._connection: sa.Connection | None = None
        self._last: object = None

    def changed(self) -> bool:
        if not self.watching:
            return True
        with self._lock:
            try:
                if self._connection is None or self._connection.closed or self._connection.invalidated:
                    self._connection, self._last = self.store.separate_connection(), None
                    weakref.finalize(self, self._connection.close)  # a probe dropped unclosed
                value = self._connection.exec_driver_sql("PRAGMA data_version").scalar()
                self._connection.rollback()
            except sa.exc.DBAPIError:
                log.warning(
                    "store: the change probe failed; the next look opens a new connection", exc_info=True
                )
                self._drop()
                return True
            changed = value is None or value != self._last
            self._last = value
            return changed

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(sa.exc.DBAPIError):
                self._connection.close()
        self._connection, self._last = None, None

    def close(self) -> None:
        with self._lock:
            self._drop()
