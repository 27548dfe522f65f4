"""Totals of an ingest or reprocess run: stored, duplicates, updated, unchanged, rejected by reason,
errors and time, as the one line that closes the run."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from akhbar.cli.output import plural

if TYPE_CHECKING:
    from akhbar.services.ingest import IngestResult

_SKIPPED = "skipped: "


def kind(result: IngestResult) -> str:
    """What a result counts as: stored, duplicate, updated, unchanged, skipped, rejected or error."""
    if result.status in ("stored", "updated") and result.duplicate_of is not None:
        return "duplicate"
    if result.status == "unchanged" and (result.reason or "").startswith(_SKIPPED):
        return "skipped"
    return result.status


def reason_kind(reason: str | None) -> str:
    """A rejection's reason without its details: ``no article body`` for ``no article body: only 12
    words of prose (need 25)``."""
    return (reason or "no reason given").split(":", 1)[0].strip()


@dataclass
class Tally:
    """Counts results as they come; :meth:`line` says them."""

    started: float = field(default_factory=time.monotonic)
    kinds: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, result: IngestResult) -> None:
        found = kind(result)
        self.kinds[found] += 1
        if found == "rejected":
            self.reasons[reason_kind(result.reason)] += 1

    @property
    def errors(self) -> int:
        return self.kinds["error"]

    @property
    def count(self) -> int:
        return sum(self.kinds.values())

    def line(self, verb: str, noun: str) -> str:
        """``ingested 12 inputs in 3.1 s: 8 stored, 1 duplicate, 2 rejected (2 no article body), 1 error``."""
        seconds = time.monotonic() - self.started
        parts = [
            plural(self.kinds[name], name) if name == "duplicate" else f"{self.kinds[name]} {name}"
            for name in ("stored", "updated", "duplicate", "unchanged", "skipped")
            if self.kinds[name]
        ]
        if self.kinds["rejected"]:
            why = ", ".join(f"{n} {reason}" for reason, n in self.reasons.most_common())
            parts.append(f"{self.kinds['rejected']} rejected ({why})")
        if self.errors:
            parts.append(plural(self.errors, "error"))
        done = ", ".join(parts) or "nothing to do"
        return f"{verb} {plural(self.count, noun)} in {seconds:.1f} s: {done}"
