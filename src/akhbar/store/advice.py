"""The PostgreSQL server settings akhbar needs, for a server's memory and cores (``akhbar db advise``).

Defaults fit a small shared server: 128 MB of buffers, 4 MB per sort, JIT compiling every query
costed high. At a million articles search then reads its index and rows from the OS rather than
from PostgreSQL's cache, and JIT compilation alone added hundreds of milliseconds to the slowest
queries. The test cluster (tests/pgcluster.py) starts with the same settings for 1 GB.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

MB = 2**20
GB = 2**30


@dataclass(frozen=True)
class Advice:
    """One server setting: its advised value and why akhbar wants it."""

    name: str
    value: str
    why: str


def _size(amount: int) -> str:
    return f"{amount // GB}GB" if amount >= GB and amount % GB == 0 else f"{max(1, amount // MB)}MB"


def advised(memory: int, cores: int) -> list[Advice]:
    """The settings for a server with ``memory`` bytes of RAM and ``cores`` CPU cores, PostgreSQL
    being its main tenant (halve ``memory`` when the web and workers share the machine)."""
    return [
        Advice(
            "shared_buffers", _size(min(memory // 4, 8 * GB)), "search's indexes and newest rows in cache"
        ),
        Advice("effective_cache_size", _size(memory * 3 // 4), "the planner counts on the OS cache too"),
        Advice("work_mem", "32MB", "sorts of a query's window stay in memory; GIN bitmaps stay exact"),
        Advice("maintenance_work_mem", _size(min(memory // 16, GB)), "index builds (migrations, reindex)"),
        Advice("random_page_cost", "1.1", "SSD or cached data: index walks are not 4x a sequential read"),
        Advice("effective_io_concurrency", "200", "prefetch the table pages of a bitmap scan (SSD)"),
        Advice("jit", "off", "search queries are short: compiling them cost more than running them"),
        Advice(
            "max_parallel_workers_per_gather",
            "0" if cores <= 4 else "2",
            "on few cores, one query's helpers take the cores other requests need",
        ),
        Advice("max_wal_size", "4GB", "bulk ingest and reindexing checkpoint less often"),
        Advice(
            "max_connections", "200", "web threads + workers x worker_concurrency + each worker's listener"
        ),
    ]


def server_options(memory: int, cores: int) -> list[str]:
    """``-c name=value`` options for ``postgres``/``pg_ctl -o`` with the advised settings."""
    return [f"-c {a.name}={a.value}" for a in advised(memory, cores)]


def this_machine() -> tuple[int, int]:
    """(memory in bytes, cores) of the machine this runs on."""
    memory = 4 * GB
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    return memory, os.cpu_count() or 1


@dataclass(frozen=True)
class Check:
    """A setting or capability of the connected server, beside what akhbar advises."""

    name: str
    current: str
    advised: str
    ok: bool


def _in_bytes(value: str) -> int | None:
    units = {"kB": 2**10, "MB": MB, "GB": GB, "TB": 2**40}
    for unit, factor in units.items():
        if value.endswith(unit) and value[: -len(unit)].isdigit():
            return int(value[: -len(unit)]) * factor
    return None


def _agrees(current: str, advice: str) -> bool:
    have, want = _in_bytes(current), _in_bytes(advice)
    if have is not None and want is not None:
        return have >= want
    return current == advice


def check(connection: sa.Connection, memory: int, cores: int) -> list[Check]:
    """The connected PostgreSQL server's settings and search indexes against the advice."""
    found = []
    for advice in advised(memory, cores):
        current = str(connection.execute(sa.text(f"SHOW {advice.name}")).scalar())
        found.append(Check(advice.name, current, advice.value, _agrees(current, advice.value)))
    indexes = {
        str(r[0])
        for r in connection.execute(
            sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'search_documents'")
        )
    }
    rum = connection.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")).first()
    newest = "search_fts_newest" in indexes
    found.append(
        Check(
            "search window index (rum)",
            "present" if newest else "available, not built" if rum else "rum not installed",
            "present",
            newest,
        )
    )
    trigrams = "search_fts_title_trgm" in indexes
    found.append(Check("typo index (pg_trgm)", "present" if trigrams else "absent", "present", trigrams))
    return found
