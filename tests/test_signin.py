"""Signing in under attack: parallel guessing, floods, and strangers trying to lock editors out."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher

from akhbar.services import editorial, signin
from akhbar.store import Store

PASSWORD = "correct horse battery"
SARA = "sara@example.org"


def _guess(store: Store, address: str, password: str = "a wrong password") -> str:
    try:
        found = signin.authenticate(store, SARA, password, address=address)
    except signin.TooManyAttempts:
        return "limited"
    return "in" if found is not None else "refused"


def test_parallel_wrong_passwords_lock_the_account(store: Store) -> None:
    editorial.add_user(store, SARA, "editor", PASSWORD)
    with ThreadPoolExecutor(25) as guessers:
        outcomes = list(guessers.map(lambda _: _guess(store, "203.0.113.7"), range(50)))
    assert "in" not in outcomes and outcomes.count("refused") >= signin.MAX_FAILURES
    (sara,) = editorial.list_users(store)
    assert sara.locked_until is not None  # every failure was counted: none overwrote another
    later = datetime.now(UTC) + signin.WINDOW  # past the rate limit's window, still locked
    assert signin.authenticate(store, SARA, PASSWORD, address="203.0.113.7", now=later) is None


def test_a_stranger_locks_the_account_only_for_his_own_address(store: Store) -> None:
    editorial.add_user(store, SARA, "editor", PASSWORD)
    for _ in range(signin.MAX_FAILURES):
        assert _guess(store, "198.51.100.9") == "refused"
    assert _guess(store, "198.51.100.9", PASSWORD) == "refused"  # locked there
    assert _guess(store, "192.0.2.10", PASSWORD) == "in"  # the editor, from her own address
    now = datetime.now(UTC) + signin.LOCK + timedelta(seconds=1)
    assert signin.authenticate(store, SARA, PASSWORD, address="198.51.100.9", now=now) is not None


def test_old_failures_are_forgotten(store: Store) -> None:
    editorial.add_user(store, SARA, "editor", PASSWORD)
    start = datetime.now(UTC)
    for n in range(signin.MAX_FAILURES - 1):
        when = start + timedelta(seconds=n)
        assert signin.authenticate(store, SARA, "a wrong password", address="a", now=when) is None
    much_later = start + signin.LOCK + timedelta(minutes=1)
    assert signin.authenticate(store, SARA, "a wrong password", address="a", now=much_later) is None
    assert signin.authenticate(store, SARA, PASSWORD, address="a", now=much_later) is not None


def test_attempts_past_the_limits_are_refused_before_hashing(store: Store) -> None:
    editorial.add_user(store, SARA, "editor", PASSWORD)
    now = datetime.now(UTC)
    for n in range(signin.ADDRESS_LIMIT):
        signin.authenticate(store, f"nobody{n}@example.org", PASSWORD, address="203.0.113.1", now=now)
    with pytest.raises(signin.TooManyAttempts) as refused:
        signin.authenticate(store, SARA, PASSWORD, address="203.0.113.1", now=now)
    assert 0 < refused.value.retry_after <= signin.WINDOW.total_seconds()
    # the account name is limited too, from every address together
    for n in range(signin.ACCOUNT_LIMIT):
        signin.authenticate(store, "omar@example.org", "x" * 12, address=f"10.0.{n}.1", now=now)
    with pytest.raises(signin.TooManyAttempts):
        signin.authenticate(store, "OMAR@example.org", "x" * 12, address="10.9.9.9", now=now)
    later = now + signin.WINDOW
    assert signin.authenticate(store, SARA, PASSWORD, address="203.0.113.1", now=later) is not None


def test_hashes_at_once_are_bounded(sqlite_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    running, most = 0, 0
    lock = threading.Lock()

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            try:
                return super().verify(hash, password)
            finally:
                with lock:
                    running -= 1

    monkeypatch.setattr(signin, "_hasher", Counting())
    editorial.add_user(sqlite_store, SARA, "editor", PASSWORD)
    with ThreadPoolExecutor(16) as clients:
        outcomes = list(clients.map(lambda n: _guess(sqlite_store, f"192.0.2.{n}"), range(16)))
    assert set(outcomes) <= {"refused", "limited"}
    assert 1 <= most <= signin.HASHES_AT_ONCE
