"""Blending text relevance with recency and title matches, then grouping matches of one story."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from akhbar.models import as_utc
from akhbar.search.index import Candidate

HALF_LIFE_DAYS = 7.0  # news decays: a week-old article weighs ... half as much on the recency share
RECENCY_SHARE = 0.4
TITLE_SHARE = 0.5


class Ranked(NamedTuple):
    """A matched article, its blended score, and the other matches of its story grouped under it."""

    article_id: int
    score: float
    story_id: int | None
    grouped: tuple[int, ...] = ()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _microseconds(when: datetime) -> int:
    """Microseconds since 1970 (exact: differences of these are what subtracting datetimes gives)."""
    return (when - _EPOCH) // _MICROSECOND


@functools.lru_cache(maxsize=65_536)
def _published_at(published: str) -> int | None:
    """:func:`_microseconds` of a published date (naive: UTC), None when it is not one."""
    try:
        when = datetime.fromisoformat(published)
    except ValueError:
        return None
    return _microseconds(as_utc(when))


def _age_days(published: str | None, now: int) -> float | None:
    """Days from ``published`` to ``now`` (:func:`_microseconds`), as ``timedelta.total_seconds()``
    divides them; never negative."""
    when = _published_at(published) if published else None
    if when is None:
        return None
    return max(0.0, (now - when) / 1_000_000 / 86400)


def blended(c: Candidate, terms: frozenset[str], now: datetime | int) -> float:
    """relevance × (title boost) × (recency factor in [1 − share, 1]); unknown dates count as old.
    ``now`` may be given as :func:`_microseconds` (what :func:`rank` does, once for all)."""
    title_fraction = len(terms.intersection(c.title_terms.split())) / len(terms) if terms else 0.0
    age = _age_days(c.published, now if isinstance(now, int) else _microseconds(now))
    decay = 0.0 if age is None else math.pow(0.5, age / HALF_LIFE_DAYS)
    recency = (1 - RECENCY_SHARE) + RECENCY_SHARE * decay
    return c.relevance * (1 + TITLE_SHARE * title_fraction) * recency


def rank(candidates: Iterable[Candidate], terms: frozenset[str], now: datetime) -> list[Ranked]:
    """Best first; one entry per story, its other matches in ``grouped`` (best first too)."""
    at = _microseconds(now)
    unique = {c.article_id: c for c in candidates}.values()
    scored = sorted(
        ((blended(c, terms, at), c) for c in unique), key=lambda pair: (-pair[0], -pair[1].article_id)
    )
    firsts: list[tuple[float, Candidate]] = []
    grouped: dict[int, list[int]] = {}  # story: its other matches
    for score, c in scored:
        story = c.story_id
        if story is None:
            firsts.append((score, c))
        elif story in grouped:
            grouped[story].append(c.article_id)
        else:
            grouped[story] = []
            firsts.append((score, c))
    return [
        Ranked(c.article_id, score, c.story_id, tuple(grouped[c.story_id]) if c.story_id is not None else ())
        for score, c in firsts
    ]
