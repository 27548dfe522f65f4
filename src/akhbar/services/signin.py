"""Signing in to the newsroom, against guessing and floods.

- **Hashing is bounded.** An argon2 hash takes 64 MiB and a core for a moment; at most
  ``HASHES_AT_ONCE`` run at once in a process. A request that waits longer than ``HASH_WAIT`` for
  its turn is answered "too many attempts, try again in a second" instead of holding a thread.
- **Attempts are rate-limited before any hash**: ``ADDRESS_LIMIT`` a minute from one client address
  and ``ACCOUNT_LIMIT`` a minute for one account name, counted in the database (so across every
  ``akhbar serve`` process) in fixed one-minute windows. Past a limit, :class:`TooManyAttempts`
  says when to come back (the newsroom answers 429 with ``Retry-After``).
- **Wrong passwords lock the account for the address that sent them.** The ``MAX_FAILURES``-th
  wrong password in a row from one address locks the account for that address for ``LOCK``;
  the editor signing in from anywhere else is not locked out by a stranger. Failures are counted
  with one statement that adds and returns the count, so parallel guesses cannot overwrite each
  other's counts; and a right password is refused while a lock for its address runs, even one set
  by a guess that finished a moment before.

A guesser with many addresses is held by the per-account limit: at most ``ACCOUNT_LIMIT`` guesses
a minute in all, while the editor's own address stays unlocked (the chosen trade-off: a hard lock
per account would let anyone lock any editor out with five requests).
"""

from __future__ import annotations

import logging
import math
import os
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from akhbar.errors import AkhbarError, InputError
from akhbar.store import Store
from akhbar.store import signin as limits
from akhbar.store import users as accounts
from akhbar.store.users import User

__all__ = ["TooManyAttempts", "authenticate", "hash_password", "normalise_email"]

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCK = timedelta(minutes=15)
WINDOW = timedelta(minutes=1)
ADDRESS_LIMIT = 10  # sign-in attempts a minute from one client address
ACCOUNT_LIMIT = 30  # sign-in attempts a minute for one account name, from all addresses
HASHES_AT_ONCE = max(1, min(4, os.cpu_count() or 1))  # 64 MiB each
HASH_WAIT = 5.0  # seconds a request waits for a hashing turn before it is told to come back
MAX_ADDRESS = 64  # characters of a client address kept (IPv6 with a zone fits)
MAX_NAME = 320  # characters of an account name counted (the longest email address)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_hasher = PasswordHasher()
_hashing = threading.BoundedSemaphore(HASHES_AT_ONCE)
_absent: list[str] = []  # a hash verified when the account does not exist, so both cost the same


class TooManyAttempts(AkhbarError):
    """Too many sign-in attempts from this address or for this account: try again later."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many sign-in attempts; try again in {retry_after} s")
        self.retry_after = retry_after


def normalise_email(email: str) -> str:
    """The account name an email address stands for (trimmed, lower case), or :class:`InputError`."""
    address = email.strip().lower()
    if not _EMAIL.fullmatch(address) or len(address) > MAX_NAME:
        raise InputError.about("users: {email!r} is not an email address", email=email)
    return address


@contextmanager
def _turn() -> Iterator[None]:
    """One of the process's ``HASHES_AT_ONCE`` hashing turns, or :class:`TooManyAttempts`."""
    if not _hashing.acquire(timeout=HASH_WAIT):
        raise TooManyAttempts(1)
    try:
        yield
    finally:
        _hashing.release()


def hash_password(password: str) -> str:
    with _turn():
        return _hasher.hash(password)


def _verify(hashed: str, password: str) -> bool:
    with _turn():
        try:
            return _hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False


def _needs_rehash(hashed: str) -> bool:
    return _hasher.check_needs_rehash(hashed)


def _count_attempt(store: Store, address: str, name: str, now: datetime) -> None:
    """Count the attempt for its address and its account name; past a limit, refuse it."""
    with store.transaction() as connection:
        limits.forget_attempts(connection, now - WINDOW)
        waits = []
        for key, limit in ((f"address:{address}", ADDRESS_LIMIT), (f"account:{name}", ACCOUNT_LIMIT)):
            attempts, started = limits.count_attempt(connection, key, now, WINDOW)
            if attempts > limit:
                waits.append((started + WINDOW - now).total_seconds())
    if waits:
        log.warning("users: sign-in attempts past the limit for %s from %s", name, address)
        raise TooManyAttempts(max(1, math.ceil(max(waits))))


def authenticate(
    store: Store, email: str, password: str, *, address: str = "unknown", now: datetime | None = None
) -> User | None:
    """The account, when the password is right, the account enabled and not locked for ``address``.

    Raises :class:`TooManyAttempts` past the rate limits (before any hash) or when no hashing
    turn comes free in time. The slow hash runs outside any transaction.
    """
    now = now or datetime.now(UTC)
    address = address[:MAX_ADDRESS]
    try:
        name = normalise_email(email)
    except InputError:
        name = ""
    _count_attempt(store, address, name or email.strip().lower()[:MAX_NAME], now)
    with store.reading() as connection:
        user = accounts.by_email(connection, name) if name else None
        locked = user is not None and limits.locked_until(connection, user.id, address, now) is not None
    if user is None:
        if not _absent:
            _absent.append(hash_password(secrets.token_hex(16)))
        _verify(_absent[0], password)
        return None
    if locked:
        return None
    if not _verify(user.password_hash, password):
        with store.transaction() as connection:
            failures, until = limits.count_failure(
                connection, user.id, address, now, limit=MAX_FAILURES, lock=LOCK
            )
        if until is not None and failures == MAX_FAILURES:
            log.warning(
                "users: %s locked for %s from %s after %d wrong passwords", name, LOCK, address, failures
            )
        return None
    if user.disabled_at is not None:
        return None
    rehashed = hash_password(password) if _needs_rehash(user.password_hash) else None
    with store.transaction() as connection:
        if not limits.clear_failures(connection, user.id, address, now):
            return None
        if rehashed is not None:
            accounts.update_user(connection, user.id, password_hash=rehashed)
    return user
