"""What every benchmark prints the same way: a verdict line per target, memory of the whole process
tree, and the figures as JSON (``--json FILE``) so runs can be compared.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from akhbar.memory import smaps_rollup

SAMPLE_EVERY = 1.0  # seconds between two samples of the process tree's memory (each costs 2-3 ms a process)


@dataclass(frozen=True)
class Target:
    """One target of a benchmark: a measured value beside the goal it must reach."""

    name: str
    value: float
    goal: float
    unit: str = ""
    higher_is_better: bool = True
    # why this run cannot judge the target (measured under another condition than the goal's), or ""
    unjudged: str = ""

    @property
    def met(self) -> bool:
        if math.isnan(self.value):
            return False
        return self.value >= self.goal if self.higher_is_better else self.value < self.goal

    def line(self) -> str:
        sign = ">=" if self.higher_is_better else "<"
        outcome = f"not judged ({self.unjudged})" if self.unjudged else ("met" if self.met else "MISSED")
        return (
            f"  target {self.name}: {_figure(self.value)}{self.unit} "
            f"(goal {sign} {_figure(self.goal)}{self.unit}): {outcome}"
        )


def _figure(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 10 else f"{value:,.0f}"


def verdicts(targets: Iterable[Target]) -> list[str]:
    """One line per target, then whether all were met (those the run could not judge left out)."""
    found = list(targets)
    lines = [t.line() for t in found]
    missed = [t.name for t in found if not t.met and not t.unjudged]
    unjudged = sum(1 for t in found if t.unjudged)
    verdict = "all targets met" if not missed else "MISSED " + ", ".join(missed)
    if unjudged:
        verdict += f" ({unjudged} not judged in this run)"
    lines.append(f"  verdict: {verdict}")
    return lines


def write_json(path: Path, payload: Any) -> None:
    """The run's figures (dataclasses included) as one JSON document."""
    path.write_text(json.dumps(_plain(payload), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        plain = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Target):
            plain["met"] = value.met
        return plain
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _children() -> dict[int, list[int]]:
    """Each process's children, read from /proc."""
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        found.setdefault(parent, []).append(int(entry.name))
    return found


def processes_naming(*parts: str) -> list[int]:
    """The processes (but this one) whose command line holds every one of ``parts``, from /proc."""
    found = []
    for entry in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = entry.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        pid = int(entry.parent.name)
        if pid != os.getpid() and all(part in line for part in parts):
            found.append(pid)
    return found


def _memory_kb(pid: int) -> int:
    """The process's proportional set size (PSS: its own pages, and each page it shares with n
    processes counted as 1/n), else its resident size where the kernel has no smaps_rollup."""
    proportional = smaps_rollup(pid).get("Pss")
    if proportional is not None:
        return proportional
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int, children: dict[int, list[int]]) -> list[int]:
    """Process ``pid`` and all its descendants."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children.get(current, []))
    return found


#: What a process of an akhbar tree is, by a piece of its command line (the first that matches).
_ROLES = (
    ("multiprocessing.forkserver", "extraction fork server"),
    ("akhbar.stories.service", "embedding service"),
    ("multiprocessing.resource_tracker", "resource tracker"),
    ("multiprocessing.spawn", "spawned child"),
)


def process_role(pid: int, parent_role: str | None = None) -> str:
    """What process ``pid`` is in an akhbar tree, from its command line: a child of the extraction
    fork server is an extraction worker; an unknown process is named by its program."""
    if parent_role == "extraction fork server":
        return "extraction worker"
    try:
        line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "ended process"
    for part, role in _ROLES:
        if part in line:
            return role
    return Path(line.split(" ", 1)[0]).name or "process"


def tree_memory_mb(pid: int | None = None, children: dict[int, list[int]] | None = None) -> float:
    """Memory of process ``pid`` (this one by default) and all its descendants, in MB: the sum of
    their proportional set sizes, so that pages the processes share (forked extraction workers
    share their fork server's) count once, not once per process as resident sizes would. NaN where
    /proc is missing. ``children`` is a map :func:`_children` read earlier (reading it costs a
    look at every process on the machine)."""
    if not Path("/proc/self/status").exists():
        return float("nan")
    children = _children() if children is None else children
    return sum(_memory_kb(current) for current in _tree(pid or os.getpid(), children)) / 1024


def process_cpu_seconds(pid: int, *, waited: bool = False) -> float:
    """User plus system CPU time of process ``pid`` (Linux /proc), with ``waited`` that of the
    descendants it has waited for too (ended, so no longer in /proc); NaN where /proc is missing
    or the process ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        if waited:
            ticks += int(fields[13]) + int(fields[14])  # cutime, cstime (fields 16, 17)
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) spent so far by process ``pid`` and its descendants: the living ones,
    and those that ended and were waited for (an extraction worker replaced meanwhile: its fork
    server waits for it, and counting the living alone lost all its pages' CPU); NaN where /proc
    is missing."""
    if not Path("/proc/self/stat").exists():
        return float("nan")
    children, total, pending = _children(), 0.0, [pid]
    while pending:
        current = pending.pop()
        spent = process_cpu_seconds(current, waited=True)
        total += 0.0 if math.isnan(spent) else spent
        pending.extend(children.get(current, []))
    return total


class PeakTreeMemory:
    """The highest :func:`tree_memory_mb` seen while the block runs, sampled in a thread, with the trees
    of the processes ``also`` names (a service the measured process uses but did not start as a child,
    such as the machine's embedding service).

    The sampler reads which processes make up the trees every ``TREE_EVERY`` samples only (that
    read looks at every process on the machine: about 6 ms of CPU, taken from the measured process
    once a second otherwise), and their memory (proportional set sizes) at every sample.
    :meth:`cpu_seconds` is the sampler's own CPU, for benchmarks that count the CPU of their process.
    """

    TREE_EVERY = 2

    def __init__(self, pid: int | None = None, also: Sequence[int] = ()) -> None:
        self.pid = pid
        self.also = tuple(also)
        self.peak_mb = 0.0
        self.peak_parts: tuple[tuple[str, float], ...] = ()  # (role, MB) of each process at the peak
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._spent = 0.0  # the sampler's CPU seconds, once it has stopped

    def _note(self, children: dict[int, list[int]] | None = None) -> None:
        """Take a sample; at a new peak, keep what each process held (named by its role)."""
        children = _children() if children is None else children
        root = self.pid or os.getpid()
        found = {pid: _memory_kb(pid) for tree in (root, *self.also) for pid in _tree(tree, children)}
        total = sum(found.values()) / 1024
        if total <= self.peak_mb:
            return
        self.peak_mb = total
        parents = {child: parent for parent, kids in children.items() for child in kids}
        roles: dict[int, str] = {}
        for pid in found:  # a tree lists parents before their children
            roles[pid] = "this process" if pid == root else process_role(pid, roles.get(parents.get(pid, -1)))
        self.peak_parts = tuple((roles[pid], kb / 1024) for pid, kb in found.items())

    def parts_by_role(self) -> list[tuple[str, int, float]]:
        """(role, processes, MB) at the peak, most memory first."""
        grouped: dict[str, list[float]] = {}
        for role, mb in self.peak_parts:
            grouped.setdefault(role, []).append(mb)
        return sorted(((role, len(mbs), sum(mbs)) for role, mbs in grouped.items()), key=lambda g: -g[2])

    def cpu_seconds(self) -> float:
        """CPU time the sampling thread has used so far (0 before it starts)."""
        thread = self._thread
        if thread is None or thread.ident is None or not thread.is_alive():
            return self._spent
        try:
            return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
        except OSError:  # it ended meanwhile
            return self._spent

    def _sample(self) -> None:
        children: dict[int, list[int]] = {}
        samples = 0
        while not self._stop.is_set():
            if samples % self.TREE_EVERY == 0:
                children = _children()
            samples += 1
            self._note(children)
            self._stop.wait(SAMPLE_EVERY)
        self._spent = time.thread_time()

    @contextmanager
    def watching(self) -> Iterator[PeakTreeMemory]:
        self._thread = threading.Thread(target=self._sample, name="bench-memory", daemon=True)
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()
            self._note()
