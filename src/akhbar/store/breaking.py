"""Breaking-news flags: an article or a story flagged until a time, by an editor or the detector."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from akhbar.models import BreakingFlag, as_utc
from akhbar.store.engine import inserted_id
from akhbar.store.tables import breaking


def add_flag(
    connection: sa.Connection,
    *,
    article_id: int | None,
    story_id: int | None,
    until: datetime,
    origin: str = "manual",
    note: str | None = None,
    created_by: str | None = None,
) -> int:
    """Insert a flag; returns its id."""
    result = connection.execute(
        sa.insert(breaking).values(
            article_id=article_id,
            story_id=story_id,
            until=until,
            origin=origin,
            note=note,
            created_by=created_by,
            created_at=datetime.now(UTC),
        )
    )
    return inserted_id(result, breaking)


def _flag(row: sa.Row[tuple[object, ...]]) -> BreakingFlag:
    m = row._mapping
    return BreakingFlag(
        id=m["id"],
        article_id=m["article_id"],
        story_id=m["story_id"],
        until=as_utc(m["until"]),
        origin=m["origin"],
        note=m["note"],
        created_by=m["created_by"],
        created_at=as_utc(m["created_at"]),
    )


def list_flags(connection: sa.Connection, *, active_at: datetime | None = None) -> list[BreakingFlag]:
    """Every flag, newest first; only those still running at ``active_at`` when given."""
    query = sa.select(breaking)
    if active_at is not None:
        query = query.where(breaking.c.until > active_at)
    query = query.order_by(breaking.c.created_at.desc(), breaking.c.id.desc())
    return [_flag(row) for row in connection.execute(query)]


def remove_flag(connection: sa.Connection, flag_id: int) -> bool:
    """Delete a flag; False when there was none with that id."""
    return connection.execute(sa.delete(breaking).where(breaking.c.id == flag_id)).rowcount > 0


def flags_version(connection: sa.Connection) -> tuple[int, int]:
    """(count, highest id): changes whenever a flag is added or removed."""
    row = connection.execute(sa.select(sa.func.count(), sa.func.max(breaking.c.id))).one()
    return int(row[0] or 0), int(row[1] or 0)
