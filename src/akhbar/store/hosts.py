"""Per-host politeness kept in the database, so it holds across every worker on every machine.

``reserve_slot`` books the next request slot for a host in one atomic UPDATE: the row's
``next_allowed`` moves to ``max(next_allowed, now) + delay`` and the caller gets the start of its
slot. Concurrent callers serialise on the row (PostgreSQL row lock, SQLite write lock).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from akhbar.store.tables import fetch_hosts


def _insert_missing(connection: sa.Connection, host: str, now: float) -> None:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(fetch_hosts).values(host=host, next_allowed=now).on_conflict_do_nothing()
    connection.execute(statement)


def reserve_slot(connection: sa.Connection, host: str, delay: float, now: float) -> float:
    """Book a request to ``host``; returns when (epoch seconds) it may start."""
    column = fetch_hosts.c.next_allowed
    bump = (
        sa.update(fetch_hosts)
        .where(fetch_hosts.c.host == host)
        .values(next_allowed=sa.case((column < now, now), else_=column) + delay)
        .returning(fetch_hosts.c.next_allowed)
    )
    booked = connection.execute(bump).scalar()
    if booked is None:
        _insert_missing(connection, host, now)
        booked = connection.execute(bump).scalar_one()
    return float(booked) - delay
