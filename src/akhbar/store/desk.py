"""The breaking-news desk's side of the ``breaking`` table: editors' reviews of detected flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from akhbar.models import as_utc
from akhbar.store.tables import breaking


@dataclass(frozen=True)
class Review:
    review: str  # confirmed or dismissed
    by: str
    at: datetime


def reviews(connection: sa.Connection, flag_ids: list[int]) -> dict[int, Review]:
    """The review of each reviewed flag among ``flag_ids``."""
    if not flag_ids:
        return {}
    rows = connection.execute(
        sa.select(breaking.c.id, breaking.c.review, breaking.c.reviewed_by, breaking.c.reviewed_at).where(
            breaking.c.id.in_(flag_ids), breaking.c.review.is_not(None)
        )
    )
    return {int(r.id): Review(str(r.review), str(r.reviewed_by), as_utc(r.reviewed_at)) for r in rows}


def review(
    connection: sa.Connection, flag_id: int, verdict: str, by: str, now: datetime, *, end: bool
) -> bool:
    """Record an editor's verdict on a flag (and end it now when ``end``); False when there is no flag."""
    values: dict[str, object] = {"review": verdict, "reviewed_by": by, "reviewed_at": now}
    if end:
        values["until"] = now
    done = connection.execute(sa.update(breaking).where(breaking.c.id == flag_id).values(**values))
    return done.rowcount > 0


def dismissed(connection: sa.Connection, story_id: int) -> bool:
    """Whether an editor dismissed a detected flag of this story (it is not detected again)."""
    found = connection.execute(
        sa.select(breaking.c.id)
        .where(
            breaking.c.story_id == story_id, breaking.c.origin == "detected", breaking.c.review == "dismissed"
        )
        .limit(1)
    ).first()
    return found is not None
