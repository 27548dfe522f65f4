"""Editors' accounts and signed-in sessions (tables ``users`` and ``user_sessions``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from akhbar.models import as_utc
from akhbar.store.engine import inserted_id
from akhbar.store.tables import Timestamp, sign_in_failures, user_sessions, users

ROLES = ("contributor", "editor", "admin")

# Each account with the end of its latest sign-in lock (from any address; past ends included).
_LOCKED = (
    sa.select(sa.func.max(sign_in_failures.c.locked_until))
    .where(sign_in_failures.c.user_id == users.c.id)
    .scalar_subquery()
)
ACCOUNTS = sa.select(users, sa.type_coerce(_LOCKED, Timestamp).label("locked_until"))


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str | None
    role: str
    password_hash: str
    locked_until: datetime | None  # the end of a running sign-in lock of this account (any address)
    disabled_at: datetime | None
    created_at: datetime

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def to_json(self) -> dict[str, object]:
        """What ``akhbar users list --format json`` shows: never the password hash."""
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "disabled": self.disabled_at is not None,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
            "created_at": self.created_at.isoformat(),
        }


def _running(locked_until: datetime | None) -> datetime | None:
    if locked_until is None or as_utc(locked_until) <= datetime.now(UTC):
        return None
    return as_utc(locked_until)


def _user(row: sa.Row[tuple[object, ...]]) -> User:
    m = row._mapping
    return User(
        id=m["id"],
        email=m["email"],
        name=m["name"],
        role=m["role"],
        password_hash=m["password_hash"],
        locked_until=_running(m["locked_until"]),
        disabled_at=as_utc(m["disabled_at"]) if m["disabled_at"] else None,
        created_at=as_utc(m["created_at"]),
    )


def insert_user(
    connection: sa.Connection, *, email: str, name: str | None, role: str, password_hash: str, now: datetime
) -> int:
    result = connection.execute(
        sa.insert(users).values(
            email=email, name=name, role=role, password_hash=password_hash, created_at=now
        )
    )
    return inserted_id(result, users)


def by_email(connection: sa.Connection, email: str) -> User | None:
    row = connection.execute(ACCOUNTS.where(users.c.email == email)).first()
    return None if row is None else _user(row)


def by_id(connection: sa.Connection, user_id: int) -> User | None:
    row = connection.execute(ACCOUNTS.where(users.c.id == user_id)).first()
    return None if row is None else _user(row)


def list_users(connection: sa.Connection) -> list[User]:
    return [_user(row) for row in connection.execute(ACCOUNTS.order_by(users.c.id))]


def update_user(connection: sa.Connection, user_id: int, **values: object) -> None:
    connection.execute(sa.update(users).where(users.c.id == user_id).values(**values))


def insert_session(
    connection: sa.Connection,
    *,
    token_hash: str,
    user_id: int,
    csrf: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    connection.execute(
        sa.insert(user_sessions).values(
            token_hash=token_hash, user_id=user_id, csrf=csrf, created_at=now, expires_at=expires_at
        )
    )


def session_user(connection: sa.Connection, token_hash: str, now: datetime) -> tuple[User, str] | None:
    """The user of an unexpired session and the session's form token."""
    row = connection.execute(
        ACCOUNTS.add_columns(user_sessions.c.csrf)
        .join(user_sessions, user_sessions.c.user_id == users.c.id)
        .where(user_sessions.c.token_hash == token_hash, user_sessions.c.expires_at > now)
    ).first()
    return None if row is None else (_user(row), str(row._mapping["csrf"]))


def delete_session(connection: sa.Connection, token_hash: str) -> None:
    connection.execute(sa.delete(user_sessions).where(user_sessions.c.token_hash == token_hash))


def delete_sessions_of(connection: sa.Connection, user_id: int) -> None:
    connection.execute(sa.delete(user_sessions).where(user_sessions.c.user_id == user_id))


def delete_expired_sessions(connection: sa.Connection, now: datetime) -> int:
    return connection.execute(sa.delete(user_sessions).where(user_sessions.c.expires_at <= now)).rowcount
