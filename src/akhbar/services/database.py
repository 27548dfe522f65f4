"""Schema management and backups for the CLI."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from akhbar.errors import ConfigError, InputError, StoreError
from akhbar.store import Store, packing
from akhbar.store.engine import head_revision
from akhbar.store.tables import raw_documents


def upgrade(url: str) -> str:
    """Migrate the database at ``url`` to the newest schema; returns the revision reached."""
    Store.for_upgrade(url).dispose()
    return head_revision()


def backup(url: str, target: Path) -> int:
    """Copy the SQLite database at ``url`` to ``target`` with SQLite's online backup API (a
    consistent copy while akhbar goes on reading and writing); returns its size in bytes.

    PostgreSQL is backed up with its own tools (``pg_dump``): ConfigError says so.
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise ConfigError(
            "db backup: copies SQLite databases; back PostgreSQL up with pg_dump (docs/deploy.md)"
        )
    source_path = Path(parsed.database or "")
    if not parsed.database or parsed.database == ":memory:" or not source_path.is_file():
        raise InputError(f"db backup: no SQLite database at {source_path}")
    if target.exists():
        raise InputError(f"db backup: {target} exists; give a new file name")
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(source_path, timeout=30)  # read only, through WAL like akhbar itself
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            if copy.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise StoreError(f"db backup: the copy {partial} fails SQLite's integrity check")
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            copy.close()
    finally:
        source.close()
    partial.replace(target)
    return target.stat().st_size


def last_raw_id(store: Store) -> int:
    """The id of the newest raw document (0: none): how far :func:`compress_raw` goes."""
    with store.reading() as connection:
        return int(connection.execute(sa.select(sa.func.max(raw_documents.c.id))).scalar() or 0)


@dataclass(frozen=True)
class Compressed:
    """What ``akhbar db compress`` did: documents compressed, their bytes before and after."""

    documents: int
    before: int
    after: int


def compress_raw(
    store: Store, *, batch: int = 200, progress: Callable[[int], None] | None = None
) -> Compressed:
    """Compress the raw documents stored as they came (before revision 0026) that gain from it,
    ``batch`` at a time, while akhbar goes on: each batch is read, compressed outside any
    transaction, then written in one short transaction. ``progress`` gets the id reached (against
    :func:`last_raw_id`). Run again, it finds nothing left to do."""
    done = before = after = last = 0
    while found := _stored_as_they_came(store, last, batch):
        last = found[-1][0]
        packed = [(raw_id, len(data), packing.pack(data)) for raw_id, data in found]
        changed = [(raw_id, size, p) for raw_id, size, p in packed if p.compression is not None]
        if changed:
            with store.transaction() as connection:
                for raw_id, _, p in changed:
                    connection.execute(
                        sa.update(raw_documents)
                        .where(raw_documents.c.id == raw_id, raw_documents.c.compression.is_(None))
                        .values(data=p.data, compression=p.compression)
                    )
            done += len(changed)
            before += sum(size for _, size, _ in changed)
            after += sum(len(p.data) for _, _, p in changed)
        if progress is not None:
            progress(last)
    if progress is not None:
        progress(last_raw_id(store))  # the rows past the last found had nothing to compress
    return Compressed(done, before, after)


def _stored_as_they_came(store: Store, after: int, size: int) -> list[tuple[int, bytes]]:
    """The next ``size`` raw documents after id ``after`` stored uncompressed and large enough to
    gain from compression, with their bytes."""
    r = raw_documents.c
    statement = (
        sa.select(r.id, r.data)
        .where(r.id > after, r.compression.is_(None), sa.func.length(r.data) >= packing.SMALLEST)
        .order_by(r.id)
        .limit(size)
    )
    with store.reading() as connection:
        return [(int(row.id), bytes(row.data)) for row in connection.execute(statement)]


def vacuum(store: Store) -> None:
    """Give the space freed by compression back: SQLite rewrites the file without its free pages
    (it needs as much free disk as the database takes, and writers wait until it ends);
    PostgreSQL marks the space reusable (``VACUUM``, not ``VACUUM FULL``: nothing waits)."""
    if store.dialect == "sqlite":
        with store.engine.connect() as connection:
            connection.exec_driver_sql("VACUUM")
        return
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM raw_documents")
