"""The connection counts that processes of one ``akhbar serve`` share (akhbar.web.balance): a slot
per process, claimed once, given back, and taken over from a process that is gone. The servers'
own use of them is tested on two real processes in test_serve_workers.py."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from akhbar.web import balance


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    path = balance.create()
    monkeypatch.setenv(balance.ENV, path)
    yield path
    Path(path).unlink(missing_ok=True)


def _hold(path: str, connections: int, ready: Any, done: Any) -> None:
    """A serving process's part: a slot, ``connections`` open, until ``done``."""
    shares = balance.Shares(path)
    for _ in range(connections):
        shares.opened()
    ready.set()
    done.wait(30)
    shares.close()


def test_each_process_sees_the_fewest_connections_another_live_one_holds(shared: str) -> None:
    mine = balance.Shares(shared)
    assert mine.fewest_elsewhere() is None, "alone: no other process"
    context = multiprocessing.get_context("spawn")
    others = []
    for held in (5, 2):
        ready, done = context.Event(), context.Event()
        process = context.Process(target=_hold, args=(shared, held, ready, done))
        process.start()
        assert ready.wait(60)
        others.append((process, done))
    for _ in range(3):
        mine.opened()
    mine.closed()
    assert mine.open == 2 and mine.fewest_elsewhere() == 2
    others[1][1].set()  # the one holding 2 stops: its slot is given back
    others[1][0].join(30)
    assert mine.fewest_elsewhere() == 5
    killed, _ = others[0]
    killed.kill()  # gone without giving its slot back: no longer counted
    killed.join(30)
    assert mine.fewest_elsewhere() is None
    mine.close()


def test_a_slot_is_taken_over_from_a_process_that_is_gone(shared: str) -> None:
    context = multiprocessing.get_context("spawn")
    ready, done = context.Event(), context.Event()
    process = context.Process(target=_hold, args=(shared, 4, ready, done))
    process.start()
    assert ready.wait(60)
    process.kill()
    process.join(30)
    taking = balance.Shares(shared)
    assert taking.slot == 0, "the first slot, the dead process's"
    assert taking.fewest_elsewhere() is None
    taking.close()


def test_a_server_of_one_process_shares_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(balance.ENV, raising=False)
    assert balance.joined() is None and balance.current() is None
    assert os.environ.get(balance.ENV) is None
