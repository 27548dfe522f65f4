"""Storage: SQLAlchemy Core on SQLite (default) or PostgreSQL, one interface for both.

:class:`Store` is the only object the services use; each entity's queries live in their own module
and take a connection, so a service can combine several in one transaction (``store.transaction()``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import ParamSpec, TypeVar

import sqlalchemy as sa

from akhbar.store import articles, documents
from akhbar.store.engine import HeldConnections, check_schema, create_engine, upgrade

__all__ = ["Store", "articles", "documents"]

P = ParamSpec("P")
T = TypeVar("T")


class Store:
    """A database opened for akhbar: the engine plus schema checks."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = url
        self.engine = create_engine(url)
        # SQLite has one writer at a time, and its driver begins a transaction only at the first
        # write, so what a transaction read before that could change under it (lost updates).
        # Threads of this process take turns on a lock for the whole transaction instead: reads
        # and writes are one unit, and the next thread starts as soon as the last commits rather
        # than when SQLite's busy handler wakes it (it sleeps 1, 2, 5, 10... ms between tries).
        self._writing = threading.RLock() if self.engine.dialect.name == "sqlite" else nullcontext()
        self._reading = HeldConnections(self.engine)
        try:
            check_schema(self.engine, create=create)
        except BaseException:
            self.engine.dispose()
            raise

    @classmethod
    def for_upgrade(cls, url: str) -> sa.Engine:
        """Migrate the database at ``url`` to the newest schema; returns the engine used."""
        engine = create_engine(url)
        try:
            upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def in_memory(self) -> bool:
        """An in-memory SQLite database: each thread that connects gets its own, empty one."""
        return self.dialect == "sqlite" and self.engine.url.database in (None, "", ":memory:")

    @property
    def local_reads(self) -> bool:
        """Whether a short read is this process's own quick work: a SQLite file (WAL: a reader never
        waits on a writer), not a round trip to a server. Such a read may be made on an event loop
        rather than handed to a worker thread and back, a hop that costs more than the read."""
        return self.dialect == "sqlite" and not self.in_memory

    async def read_soon(self, read: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``read(*args, **kwargs)``, a short read: made here where reads are local
        (:attr:`local_reads`), else in a worker thread (a round trip to the server)."""
        if self.local_reads:
            return read(*args, **kwargs)
        return await asyncio.to_thread(read, *args, **kwargs)

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._writing, self.engine.begin() as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        """A connection to read with. On SQLite, this thread's own, kept open; on PostgreSQL (where
        a connection is a server process) and for an in-memory database, one from the pool."""
        if self.dialect != "sqlite" or self.in_memory:
            with self.engine.connect() as connection:
                yield connection
            return
        with self._reading.reading() as connection:
            yield connection

    def separate_connection(self) -> sa.Connection:
        """A connection of the caller's own, outside the per-thread reading ones; the caller closes
        it, and closing the store closes it too."""
        return self._reading.separate()

    def close(self) -> None:
        self._reading.close()
        self.engine.dispose()
