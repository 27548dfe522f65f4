"""Breaking news: flag an article or its story until a time; list, remove, and what the bar shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from akhbar.errors import InputError
from akhbar.models import ArticleSummary, BreakingFlag, as_utc
from akhbar.store import Store
from akhbar.store import breaking as flags
from akhbar.store import portal as queries

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_until(text: str, *, now: datetime | None = None) -> datetime:
    """``2h``, ``30m``, ``1d``, ``90s`` from now, or an ISO 8601 time (UTC when no offset is given)."""
    now = now or datetime.now(UTC)
    match = _DURATION.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        if amount <= 0:
            raise InputError(f"breaking: duration must be positive: {text!r}")
        return now + timedelta(**{_UNITS[unit]: amount})
    try:
        until = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(f"breaking: --until wants 2h, 30m, 1d or an ISO time, not {text!r}") from exc
    until = as_utc(until)
    if until <= now:
        raise InputError(f"breaking: {text!r} is in the past")
    return until


def flag_article(
    store: Store,
    article_id: int,
    until: datetime,
    *,
    story: bool = False,
    note: str | None = None,
    created_by: str | None = None,
) -> BreakingFlag:
    """Flag an article (or, with ``story``, the story it belongs to) as breaking until ``until``."""
    with store.transaction() as connection:
        found = queries.summaries_by_ids(connection, [article_id])
        if not found:
            raise InputError(f"breaking: no article with id {article_id}")
        story_id = found[0].story_id if story else None
        flag_id = flags.add_flag(
            connection,
            article_id=article_id,
            story_id=story_id,
            until=until,
            note=note,
            created_by=created_by,
        )
        return next(f for f in flags.list_flags(connection) if f.id == flag_id)


def list_flags(store: Store, *, active_only: bool = False) -> list[BreakingFlag]:
    with store.reading() as connection:
        return flags.list_flags(connection, active_at=datetime.now(UTC) if active_only else None)


def remove_flag(store: Store, flag_id: int) -> bool:
    with store.transaction() as connection:
        return flags.remove_flag(connection, flag_id)


def breaking_articles(store: Store, *, now: datetime | None = None) -> list[ArticleSummary]:
    """The breaking bar: flagged articles (the newest of a flagged story), newest flag first."""
    now = now or datetime.now(UTC)
    with store.reading() as connection:
        active = flags.list_flags(connection, active_at=now)
        shown: list[ArticleSummary] = []
        seen: set[int] = set()
        for flag in active:
            if flag.story_id is not None:
                found = queries.summaries(connection, queries.Filters(story_id=flag.story_id), limit=1)
            else:
                found = queries.summaries_by_ids(connection, [flag.article_id] if flag.article_id else [])
            for item in found:
                if item.id not in seen:
                    seen.add(item.id)
                    shown.append(item)
        return shown
