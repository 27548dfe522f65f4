"""The newsroom's audit log, read: who did what, to what, when (written by the services that act)."""

from __future__ import annotations

from akhbar.store import Store
from akhbar.store import audit as rows
from akhbar.store.audit import Event

__all__ = ["Event", "events"]


def events(
    store: Store, *, actor: str | None = None, action: str | None = None, limit: int = 200
) -> list[Event]:
    """The latest events first, of one actor or one action when given."""
    with store.reading() as connection:
        return rows.events(connection, actor=actor or None, action=action or None, limit=limit)
