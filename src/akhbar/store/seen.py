"""Page URLs already taken from a listing (canonical URL, hashed for the unique index)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from akhbar.models import Entry, as_utc
from akhbar.store import prepared
from akhbar.store.engine import built_upsert
from akhbar.store.tables import seen_urls


@dataclass(frozen=True)
class SeenUrl:
    url: str
    source_id: int | None
    updated: str | None
    status: str
    reason: str | None
    seen_at: datetime
    attempts: int = 0
    retry_at: datetime | None = None
    entry: Entry | None = None


def _seen(row: Any) -> SeenUrl:
    """A seen URL from a row of ``seen_urls`` (SQLAlchemy's, or :func:`prepared.read`'s)."""
    return SeenUrl(
        row.url,
        row.source_id,
        row.updated,
        row.status,
        row.reason,
        as_utc(row.seen_at),
        row.attempts,
        as_utc(row.retry_at) if row.retry_at else None,
        Entry.from_json(row.entry) if row.entry else None,
    )


_FIND = sa.select(seen_urls).where(seen_urls.c.url_hash == sa.bindparam("seen_key"))  # read by the driver
# what a mark writes (``entry`` only when given: a mark without one keeps the stored entry)
_MARKED = ("url", "source_id", "status", "updated", "reason", "article_id", "seen_at", "attempts", "retry_at")


def _mark(insert: Any, columns: tuple[str, ...]) -> Any:
    """One statement inserting a URL's row or updating ``columns`` of the one there: a new URL costs
    no failed UPDATE, no savepoint, and two workers marking one URL at once cannot collide."""
    changed = {name: insert.excluded[name] for name in columns}
    return insert.on_conflict_do_update(index_elements=[seen_urls.c.url_hash], set_=changed)


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def find_seen(connection: sa.Connection, url: str) -> SeenUrl | None:
    row = prepared.first(connection, _FIND, {"seen_key": url_hash(url)})
    return None if row is None else _seen(row)


def mark_seen(
    connection: sa.Connection,
    url: str,
    *,
    source_id: int | None,
    status: str,
    updated: str | None = None,
    reason: str | None = None,
    article_id: int | None = None,
    attempts: int = 0,
    retry_at: datetime | None = None,
    entry: Entry | None = None,
) -> None:
    """Insert or update the URL's row (``entry`` None keeps the stored one)."""
    values: dict[str, object] = {
        "url": url,
        "source_id": source_id,
        "status": status,
        "updated": updated,
        "reason": reason,
        "article_id": article_id,
        "seen_at": datetime.now(UTC),
        "attempts": attempts,
        "retry_at": retry_at,
    }
    if entry is not None:
        values["entry"] = entry.to_json()
    columns = (*_MARKED, "entry") if entry is not None else _MARKED
    statement = built_upsert(connection, seen_urls, columns, lambda insert: _mark(insert, columns))
    prepared.write(connection, statement, {"url_hash": url_hash(url), **values})


def status_counts(connection: sa.Connection, source_id: int) -> dict[str, int]:
    query = (
        sa.select(seen_urls.c.status, sa.func.count())
        .where(seen_urls.c.source_id == source_id)
        .group_by(seen_urls.c.status)
    )
    return {str(status): int(count) for status, count in connection.execute(query)}


def recent_errors(connection: sa.Connection, source_id: int, limit: int = 10) -> list[SeenUrl]:
    query = (
        sa.select(seen_urls)
        .where(seen_urls.c.source_id == source_id, seen_urls.c.status.in_(["error", "retry", "rejected"]))
        .order_by(seen_urls.c.seen_at.desc())
        .limit(limit)
    )
    return [_seen(r) for r in connection.execute(query)]


def next_retry(connection: sa.Connection, source_id: int) -> datetime | None:
    """When the source's first page waiting for a retry is due (None: no page waits)."""
    found = connection.execute(
        sa.select(sa.func.min(seen_urls.c.retry_at)).where(
            seen_urls.c.source_id == source_id, seen_urls.c.status == "retry"
        )
    ).scalar()
    return as_utc(found) if found else None


def due_retries(connection: sa.Connection, source_id: int, now: datetime, limit: int) -> list[SeenUrl]:
    """The source's pages whose fetch failed transiently and whose next try is due, oldest first."""
    query = (
        sa.select(seen_urls)
        .where(seen_urls.c.source_id == source_id, seen_urls.c.retry_at <= now, seen_urls.c.status == "retry")
        .order_by(seen_urls.c.retry_at)
        .limit(limit)
    )
    return [_seen(r) for r in connection.execute(query)]


def queued(connection: sa.Connection, source_id: int, limit: int) -> list[SeenUrl]:
    """The source's pages marked queued (a page job was deferred for each), oldest first."""
    query = (
        sa.select(seen_urls)
        .where(seen_urls.c.source_id == source_id, seen_urls.c.status == "queued")
        .order_by(seen_urls.c.seen_at)
        .limit(limit)
    )
    return [_seen(r) for r in connection.execute(query)]
