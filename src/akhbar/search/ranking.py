"""Blending text relevance with recency and title matches, then grouping matches of one story."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from akhbar.models import as_utc
from akhbar.search.index import Candidate

HALF_LIFE_DAYS = 7.0  # news decays: a week-old article weighs ... half as much on the recency share
RECENCY_SHARE = 0.4
TITLE_SHARE = 0.5


@dataclass(frozen=True)
class Ranked:
    """A matched article, its blended score, and the other matches of its story grouped under it."""

    article_id: int
    score: float
    story_id: int | None
    grouped: tuple[int, ...] = ()


@functools.lru_cache(maxsize=4096)
def _when(published: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(published)
    except ValueError:
        return None
    return as_utc(when)


def _age_days(published: str | None, now: datetime) -> float | None:
    when = _when(published) if published else None
    if when is None:
        return None
    return max(0.0, (now - when).total_seconds() / 86400)


def blended(c: Candidate, terms: frozenset[str], now: datetime) -> float:
    """relevance × (title boost) × (recency factor in [1 − share, 1]); unknown dates count as old."""
    title = set(c.title_terms.split())
    title_fraction = len(terms & title) / len(terms) if terms else 0.0
    age = _age_days(c.published, now)
    decay = 0.0 if age is None else math.pow(0.5, age / HALF_LIFE_DAYS)
    recency = (1 - RECENCY_SHARE) + RECENCY_SHARE * decay
    return c.relevance * (1 + TITLE_SHARE * title_fraction) * recency


def rank(candidates: Iterable[Candidate], terms: frozenset[str], now: datetime) -> list[Ranked]:
    """Best first; one entry per story, its other matches in ``grouped`` (best first too)."""
    unique = {c.article_id: c for c in candidates}.values()
    scored = sorted(
        ((blended(c, terms, now), c) for c in unique), key=lambda pair: (-pair[0], -pair[1].article_id)
    )
    entries: list[Ranked] = []
    by_story: dict[int, int] = {}
    for score, c in scored:
        if c.story_id is not None and c.story_id in by_story:
            at = by_story[c.story_id]
            first = entries[at]
            entries[at] = Ranked(
                first.article_id, first.score, first.story_id, (*first.grouped, c.article_id)
            )
            continue
        if c.story_id is not None:
            by_story[c.story_id] = len(entries)
        entries.append(Ranked(c.article_id, score, c.story_id))
    return entries
