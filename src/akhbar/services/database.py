"""Schema management for the CLI."""

from __future__ import annotations

from akhbar.store import Store
from akhbar.store.engine import head_revision


def upgrade(url: str) -> str:
    """Migrate the database at ``url`` to the newest schema; returns the revision reached."""
    Store.for_upgrade(url).dispose()
    return head_revision()
