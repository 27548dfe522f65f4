"""The rich implementation of :mod:`akhbar.cli.progress` (imported only when a bar is drawn)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID, TextColumn, TimeRemainingColumn
from rich.text import Text

from akhbar.cli.progress import Bar

_MIB = 2**20


class _Bar:
    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress, self._task = progress, task

    def advance(self, steps: float = 1) -> None:
        self._progress.advance(self._task, steps)

    def update(self, *, completed: float | None = None, total: float | None = None) -> None:
        self._progress.update(self._task, completed=completed, total=total)


class _Bars:
    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    def add(self, description: str, total: float | None, unit: str) -> Bar:
        return _Bar(self._progress, self._progress.add_task(description, total=total, unit=unit))


class DoneColumn(ProgressColumn):
    """``12/43`` (``3.1/20.0 MiB`` for bytes)."""

    def render(self, task: Task) -> Text:
        if task.fields.get("unit") == "bytes":
            text = f"{task.completed / _MIB:.1f}/{(task.total or 0) / _MIB:.1f} MiB"
        else:
            text = f"{int(task.completed)}/{'?' if task.total is None else int(task.total)}"
        return Text(text, style="progress.download")


class RateColumn(ProgressColumn):
    """``17.4 pages/s`` (``2.3 MiB/s`` for bytes)."""

    def render(self, task: Task) -> Text:
        unit = str(task.fields.get("unit", ""))
        speed = task.finished_speed or task.speed
        if speed is None:
            text = f"- {unit}/s"
        elif unit == "bytes":
            text = f"{speed / _MIB:.1f} MiB/s"
        else:
            text = f"{speed:.1f} {unit}/s"
        return Text(text, style="progress.data.speed")


@contextmanager
def display(*, redirect_stdout: bool) -> Iterator[_Bars]:
    """A transient display on standard error: description, bar, done/total, rate, time left."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DoneColumn(),
        RateColumn(),
        TimeRemainingColumn(),
        TextColumn("left"),
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=redirect_stdout,
    ) as progress:
        yield _Bars(progress)
