"""Sources and their polling state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from akhbar.errors import StoreError
from akhbar.models import Source, as_utc
from akhbar.store.engine import inserted_id
from akhbar.store.tables import articles, raw_documents, rejections, sources

_TIMES = ("created_at", "next_poll_at", "last_fetched_at", "failing_since")


def _source(row: sa.Row[Any]) -> Source:
    values = dict(row._mapping)
    for name in _TIMES:
        if values.get(name) is not None:
            values[name] = as_utc(values[name])
    return Source(**values)


def insert_source(connection: sa.Connection, **values: object) -> int:
    """Insert a source; raises StoreError when its URL is already followed."""
    try:
        with connection.begin_nested():
            result = connection.execute(sa.insert(sources).values(**values))
    except sa.exc.IntegrityError as exc:
        raise StoreError(f"store: source {values.get('url')} already exists") from exc
    return inserted_id(result, sources)


def get_source(connection: sa.Connection, source_id: int) -> Source | None:
    row = connection.execute(sa.select(sources).where(sources.c.id == source_id)).first()
    return _source(row) if row is not None else None


def find_source(connection: sa.Connection, url: str) -> Source | None:
    row = connection.execute(sa.select(sources).where(sources.c.url == url)).first()
    return _source(row) if row is not None else None


def list_sources(connection: sa.Connection) -> list[Source]:
    return [_source(row) for row in connection.execute(sa.select(sources).order_by(sources.c.id))]


def delete_source(connection: sa.Connection, source_id: int) -> bool:
    result = connection.execute(sa.delete(sources).where(sources.c.id == source_id))
    return bool(result.rowcount)


def update_source(connection: sa.Connection, source_id: int, **values: object) -> None:
    connection.execute(sa.update(sources).where(sources.c.id == source_id).values(**values))


def poll_by(connection: sa.Connection, source_id: int, when: datetime) -> None:
    """Bring the source's next poll forward to ``when`` (never back; not while it is failing)."""
    connection.execute(
        sa.update(sources)
        .where(
            sources.c.id == source_id,
            sources.c.consecutive_failures == 0,
            sa.or_(sources.c.next_poll_at.is_(None), sources.c.next_poll_at > when),
        )
        .values(next_poll_at=when)
    )


def due_source_ids(connection: sa.Connection, now: datetime, limit: int = 1000) -> list[int]:
    """Sources whose next poll time has come (never polled first), oldest first."""
    query = (
        sa.select(sources.c.id)
        .where(sa.or_(sources.c.next_poll_at.is_(None), sources.c.next_poll_at <= now))
        .order_by(sources.c.next_poll_at.is_not(None), sources.c.next_poll_at, sources.c.id)
        .limit(limit)
    )
    return [int(value) for value in connection.execute(query).scalars()]


def claim_source(connection: sa.Connection, source_id: int, now: datetime, lease: timedelta) -> bool:
    """Atomically take a due source for one refresh: pushes its next poll by ``lease``.

    Two schedulers or workers racing for one source: exactly one UPDATE matches.
    """
    due = sa.or_(sources.c.next_poll_at.is_(None), sources.c.next_poll_at <= now)
    result = connection.execute(
        sa.update(sources).where(sources.c.id == source_id, due).values(next_poll_at=now + lease)
    )
    return bool(result.rowcount)


def counts(connection: sa.Connection, source_id: int) -> dict[str, int]:
    """How many articles and rejections came from the source."""
    article_count = connection.execute(
        sa.select(sa.func.count()).select_from(articles).where(articles.c.source_id == source_id)
    ).scalar_one()
    rejection_count = connection.execute(
        sa.select(sa.func.count())
        .select_from(rejections.join(raw_documents, rejections.c.raw_id == raw_documents.c.id))
        .where(raw_documents.c.source_id == source_id)
    ).scalar_one()
    return {"articles": int(article_count), "rejections": int(rejection_count)}
