"""Progress bars for long commands: on standard error, only when it is a terminal, never with ``-q``.

One :func:`bars` display per command holds its tasks (files, an archive's bytes, sources, pages);
each shows done/total, the rate and the time left. Off a terminal nothing is drawn and the same
calls cost nothing, so commands call them unconditionally.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from akhbar.cli.app import quiet


class Bar(Protocol):
    """One line of the display."""

    def advance(self, steps: float = 1) -> None: ...

    def update(self, *, completed: float | None = None, total: float | None = None) -> None: ...


class Bars(Protocol):
    """A display that adds lines: ``unit`` names what is counted (``pages``), ``bytes`` for sizes."""

    def add(self, description: str, total: float | None, unit: str) -> Bar: ...


class _NoBar:
    def advance(self, steps: float = 1) -> None:
        pass

    def update(self, *, completed: float | None = None, total: float | None = None) -> None:
        pass


class _NoBars:
    def add(self, description: str, total: float | None, unit: str) -> Bar:
        return _NoBar()


def shown() -> bool:
    """Whether bars are drawn: standard error is a terminal and ``-q`` was not given."""
    return not quiet() and sys.stderr.isatty()


@contextmanager
def bars() -> Iterator[Bars]:
    """The command's progress display; it disappears when the work is done (the totals follow)."""
    if not shown():
        yield _NoBars()
        return
    from akhbar.cli import richbars  # rich is imported only when a bar is drawn

    with richbars.display(redirect_stdout=sys.stdout.isatty()) as display:
        yield display


def phases(display: Bars, description: str, total: int) -> Callable[[str], None]:
    """A bar over the ``total`` phases of a long run (a benchmark's loading and each measurement):
    each message advances it. Off a terminal the messages are notes on standard error instead."""
    if not shown():
        from akhbar.cli.output import note

        return note
    bar = display.add(description, total, "phases")
    return lambda _message: bar.advance()
