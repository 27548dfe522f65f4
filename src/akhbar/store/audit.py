"""The newsroom's audit log (``newsroom_audit``): who did what, to what, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from akhbar.models import as_utc
from akhbar.store.tables import newsroom_audit


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: str | None


def record(
    connection: sa.Connection,
    *,
    actor: str,
    action: str,
    target: str | None,
    now: datetime,
    detail: str | None = None,
) -> None:
    connection.execute(
        sa.insert(newsroom_audit).values(
            at=now, actor=actor, action=action, target=target, detail=(detail or None) and detail[:1000]
        )
    )


def events(
    connection: sa.Connection, *, actor: str | None = None, action: str | None = None, limit: int = 200
) -> list[Event]:
    """The latest events first; only one actor's or one action's when given."""
    query = sa.select(newsroom_audit)
    if actor:
        query = query.where(newsroom_audit.c.actor == actor)
    if action:
        query = query.where(newsroom_audit.c.action == action)
    rows = connection.execute(query.order_by(newsroom_audit.c.id.desc()).limit(limit))
    return [Event(r.id, as_utc(r.at), r.actor, r.action, r.target, r.detail) for r in rows]
