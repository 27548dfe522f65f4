"""Per-host politeness kept in the database, so it holds across every worker on every machine.

``reserve_slot`` books the next request slot for a host in one atomic UPDATE: the row's
``next_allowed`` moves to ``max(next_allowed, now) + spacing`` and the caller gets the start of its
slot. Concurrent callers serialise on the row (PostgreSQL row lock, SQLite write lock). A caller
that will not wait past a time books only a turn starting by then (the same UPDATE, conditional),
so a worker can hand a job back to the queue instead of sleeping in its slot.

``take_lease`` claims one of a host's ``limit`` request slots until ``expires_at`` (the lowest whose
lease has run out, in one UPDATE; the slots' rows are made at the host's first request), and
``drop_lease`` gives it back; a worker that dies holding a slot loses it when the lease expires.
"""

from __future__ import annotations

import sqlalchemy as sa

from akhbar.store import prepared
from akhbar.store.engine import insert_ignoring
from akhbar.store.tables import fetch_host_leases, fetch_hosts

# Built once: a page fetched runs them, their values given as parameters (no statement built per call)
_NEXT_TURN = sa.select(fetch_hosts.c.next_allowed).where(fetch_hosts.c.host == sa.bindparam("turn_host"))
_LEASES = fetch_host_leases.c
_CLAIM = (
    sa.update(fetch_host_leases)
    .where(
        _LEASES.host == sa.bindparam("lease_host"),
        _LEASES.slot == sa.bindparam("lease_slot"),
        _LEASES.expires_at <= sa.bindparam("lease_now"),
    )
    .values(expires_at=sa.bindparam("lease_until"), holder=sa.bindparam("lease_holder"))
)
_OTHER = fetch_host_leases.alias("other")
# the lowest free slot, taken if still free when the row is written (another worker's UPDATE of it
# may come first: the condition is checked again on the row, and this one then takes nothing)
_CLAIM_FREE = (
    sa.update(fetch_host_leases)
    .where(
        _LEASES.host == sa.bindparam("lease_host"),
        _LEASES.slot
        == sa.select(sa.func.min(_OTHER.c.slot))
        .where(
            _OTHER.c.host == sa.bindparam("lease_host"),
            _OTHER.c.slot < sa.bindparam("lease_limit"),
            _OTHER.c.expires_at <= sa.bindparam("lease_now"),
        )
        .scalar_subquery(),
        _LEASES.expires_at <= sa.bindparam("lease_now"),
    )
    .values(expires_at=sa.bindparam("lease_until"), holder=sa.bindparam("lease_holder"))
    .returning(_LEASES.slot)
)
_DROP = (
    sa.update(fetch_host_leases)
    .where(
        _LEASES.host == sa.bindparam("lease_host"),
        _LEASES.slot == sa.bindparam("lease_slot"),
        _LEASES.holder == sa.bindparam("lease_holder"),
    )
    .values(expires_at=0.0, holder=None)
)


def reserve_slot(
    connection: sa.Connection, host: str, spacing: float, now: float, latest: float | None = None
) -> float | None:
    """Book a request to ``host``, ``spacing`` seconds before the next one; returns when (epoch
    seconds) it may start. With ``latest``, only a turn starting by then is booked: None when the
    host's next turn is later (nothing booked; :func:`next_turn` says when)."""
    column = fetch_hosts.c.next_allowed
    bump = sa.update(fetch_hosts).where(fetch_hosts.c.host == host)
    if latest is not None:
        bump = bump.where(column <= latest)
    bump = bump.values(next_allowed=sa.case((column < now, now), else_=column) + spacing).returning(column)
    booked = connection.execute(bump).scalar()
    if booked is None:
        # No row, or a turn after ``latest``; or another worker's first booking of this host was
        # committed since the UPDATE looked (PostgreSQL, read committed): then book again after it.
        turn = next_turn(connection, host)
        if turn is not None and latest is not None and turn > latest:
            return None  # the host's next turn is after ``latest``
        if turn is None:
            insert_ignoring(connection, fetch_hosts, [{"host": host, "next_allowed": now}])
        booked = connection.execute(bump).scalar()
    return None if booked is None else float(booked) - spacing


def move_turn(connection: sa.Connection, host: str, slot: float, spacing: float, now: float) -> bool:
    """Move the turn booked at ``slot`` (with ``spacing`` before the next) to ``now``, if it is still
    the host's last booking: no request was booked after it, so starting later delays nobody and
    keeps every gap. False when another request was booked after it meanwhile."""
    column = fetch_hosts.c.next_allowed
    booked = slot + spacing  # as reserve_slot stored it, up to rounding: bookings lie 0.1 s apart or more
    moved = connection.execute(
        sa.update(fetch_hosts)
        .where(fetch_hosts.c.host == host, column > booked - 1e-6, column < booked + 1e-6)
        .values(next_allowed=now + spacing)
    )
    return moved.rowcount == 1


def next_turn(connection: sa.Connection, host: str) -> float | None:
    """When (epoch seconds) the next request to ``host`` may start; None for a host never booked."""
    row = prepared.first(connection, _NEXT_TURN, {"turn_host": host})
    return None if row is None else float(row.next_allowed)


def take_lease(
    connection: sa.Connection, host: str, limit: int, holder: str, now: float, expires_at: float
) -> int | None:
    """Claim a free request slot of ``host`` for ``holder``; its number, or None when all are taken."""
    claim = {"lease_host": host, "lease_now": now, "lease_until": expires_at, "lease_holder": holder}
    taken = connection.execute(_CLAIM_FREE, {**claim, "lease_limit": limit}).scalar()
    if taken is not None:
        return int(taken)
    # none free, or the slots not made yet (the host's first request, a higher limit), or another
    # worker took the one found first: each slot, made if missing, tried in turn
    rows = [{"host": host, "slot": slot, "expires_at": 0.0} for slot in range(limit)]
    insert_ignoring(connection, fetch_host_leases, rows)
    for slot in range(limit):
        if connection.execute(_CLAIM, {**claim, "lease_slot": slot}).rowcount:
            return slot
    return None


def drop_lease(connection: sa.Connection, host: str, slot: int, holder: str) -> None:
    """Give a slot back (only if ``holder`` still holds it: an expired lease may have moved on)."""
    connection.execute(_DROP, {"lease_host": host, "lease_slot": slot, "lease_holder": holder})
