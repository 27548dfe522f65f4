"""Schema management and backups for the CLI."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from akhbar.errors import ConfigError, InputError, StoreError
from akhbar.store import Store
from akhbar.store.engine import head_revision


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
