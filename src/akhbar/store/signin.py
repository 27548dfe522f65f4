"""Sign-in limits (tables ``sign_in_attempts`` and ``sign_in_failures``).

Each count is one statement that adds and returns the new value, so concurrent attempts never
overwrite each other's counts, whatever the number of threads or ``akhbar serve`` processes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from akhbar.models import as_utc
from akhbar.store.engine import upsert_into
from akhbar.store.tables import sign_in_attempts, sign_in_failures


def count_attempt(
    connection: sa.Connection, key: str, now: datetime, window: timedelta
) -> tuple[int, datetime]:
    """Count one attempt under ``key`` in its fixed window (a new one starts once ``window`` has
    passed): the attempts so far in the window, and when the window started."""
    current = sign_in_attempts.c
    expired = current.window_start <= now - window
    insert = upsert_into(connection, sign_in_attempts).values(key=key, window_start=now, attempts=1)
    statement = insert.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "attempts": sa.case((expired, 1), else_=current.attempts + 1),
            "window_start": sa.case((expired, now), else_=current.window_start),
        },
    ).returning(current.attempts, current.window_start)
    attempts, started = connection.execute(statement).one()
    return int(attempts), as_utc(started)


def forget_attempts(connection: sa.Connection, before: datetime) -> None:
    """Drop counts whose window started before ``before``."""
    connection.execute(sa.delete(sign_in_attempts).where(sign_in_attempts.c.window_start < before))


def locked_until(connection: sa.Connection, user_id: int, address: str, now: datetime) -> datetime | None:
    """The end of the account's lock for this address, while it runs."""
    found = connection.execute(
        sa.select(sign_in_failures.c.locked_until).where(
            sign_in_failures.c.user_id == user_id,
            sign_in_failures.c.address == address,
            sign_in_failures.c.locked_until > now,
        )
    ).scalar()
    return as_utc(found) if found is not None else None


def count_failure(
    connection: sa.Connection, user_id: int, address: str, now: datetime, *, limit: int, lock: timedelta
) -> tuple[int, datetime | None]:
    """Count one wrong password for the account from ``address``; the ``limit``-th in a row locks
    it for that address until ``now + lock``. Failures older than ``lock`` are forgotten. Returns
    the failures in a row and the lock's end."""
    current = sign_in_failures.c
    stale = current.last_failure_at <= now - lock
    failures = sa.case((stale, 1), else_=current.failures + 1)
    reaching = failures >= limit
    insert = upsert_into(connection, sign_in_failures).values(
        user_id=user_id,
        address=address,
        failures=1,
        locked_until=now + lock if limit <= 1 else None,
        last_failure_at=now,
    )
    statement = insert.on_conflict_do_update(
        index_elements=["user_id", "address"],
        set_={
            "failures": failures,
            "locked_until": sa.case((reaching, now + lock), else_=current.locked_until),
            "last_failure_at": now,
        },
    ).returning(current.failures, current.locked_until)
    failures, until = connection.execute(statement).one()
    return int(failures), as_utc(until) if until is not None else None


def clear_failures(connection: sa.Connection, user_id: int, address: str, now: datetime) -> bool:
    """A right password: the failures in a row from this address start again, unless a lock
    was set meanwhile (by a concurrent wrong attempt). False when locked: the sign-in is refused."""
    current = sign_in_failures.c
    if locked_until(connection, user_id, address, now) is not None:
        return False
    connection.execute(
        sa.delete(sign_in_failures).where(
            current.user_id == user_id,
            current.address == address,
            sa.or_(current.locked_until.is_(None), current.locked_until <= now),
        )
    )
    return True


def clear_account(connection: sa.Connection, user_id: int) -> None:
    """Every failure and lock of the account (a new password)."""
    connection.execute(sa.delete(sign_in_failures).where(sign_in_failures.c.user_id == user_id))
