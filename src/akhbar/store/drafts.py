"""The newsroom's articles (``newsroom_entries``) and every revision of them (``newsroom_revisions``).

A scheduled entry is published by whichever process claims it first: :func:`claim_due` is one
conditional UPDATE, so of any number of runners (the embedded one, Procrastinate workers) exactly
one gets each due entry. A claim that is never finished (its process died) expires after
:data:`CLAIM_LEASE` and the entry is claimed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from akhbar.models import as_utc
from akhbar.store import prepared
from akhbar.store.engine import inserted_id
from akhbar.store.tables import newsroom_entries, newsroom_revisions

STATES = ("draft", "scheduled", "published", "withdrawn")
CLAIM_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Entry:
    id: int
    key: str
    state: str
    title: str
    language: str | None
    slug: str | None
    revision: int
    article_id: int | None
    live_revision: int | None
    publish_at: datetime | None
    published_at: datetime | None
    corrected_at: datetime | None
    last_error: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Revision:
    entry_id: int
    number: int
    kind: str  # autosave, save, schedule, publish, correct, restore, withdraw
    author: str
    saved_at: datetime
    form: dict[str, Any]


def _time(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _entry(row: Any) -> Entry:
    """An entry from a row of ``newsroom_entries`` (SQLAlchemy's, or :func:`akhbar.store.prepared.read`'s)."""
    times = {
        name: _time(getattr(row, name))
        for name in ("publish_at", "published_at", "corrected_at", "created_at", "updated_at")
    }
    plain = {
        name: getattr(row, name)
        for name in (
            "id",
            "key",
            "state",
            "title",
            "language",
            "slug",
            "revision",
            "article_id",
            "live_revision",
        )
    }
    return Entry(**plain, **times, last_error=row.last_error, created_by=row.created_by)  # type: ignore[arg-type]  # created_at/updated_at are NOT NULL


def insert_entry(connection: sa.Connection, *, key: str, title: str, created_by: str, now: datetime) -> int:
    result = connection.execute(
        sa.insert(newsroom_entries).values(
            key=key,
            state="draft",
            title=title,
            revision=0,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
    )
    return inserted_id(result, newsroom_entries)


def get_entry(connection: sa.Connection, entry_id: int, *, lock: bool = False) -> Entry | None:
    query = sa.select(newsroom_entries).where(newsroom_entries.c.id == entry_id)
    row = connection.execute(query.with_for_update() if lock else query).first()
    return None if row is None else _entry(row)


_PUBLISHED_AS = sa.select(newsroom_entries).where(
    newsroom_entries.c.article_id == sa.bindparam("article_id"), newsroom_entries.c.state == "published"
)  # built once: every article page asks


def published_as(connection: sa.Connection, article_id: int) -> Entry | None:
    """The published entry whose portal article is ``article_id`` (a withdrawn one's id may be reused)."""
    row = prepared.first(connection, _PUBLISHED_AS, {"article_id": article_id})
    return None if row is None else _entry(row)


def list_entries(
    connection: sa.Connection, *, state: str | None = None, query: str | None = None, limit: int = 200
) -> list[Entry]:
    """Entries most recently changed first; of one state, or whose title contains ``query``."""
    select = sa.select(newsroom_entries)
    if state:
        select = select.where(newsroom_entries.c.state == state)
    if query:
        select = select.where(newsroom_entries.c.title.contains(query, autoescape=True))
    select = select.order_by(newsroom_entries.c.updated_at.desc(), newsroom_entries.c.id.desc()).limit(limit)
    return [_entry(row) for row in connection.execute(select)]


def update_entry(connection: sa.Connection, entry_id: int, **values: object) -> None:
    connection.execute(sa.update(newsroom_entries).where(newsroom_entries.c.id == entry_id).values(**values))


def add_revision(
    connection: sa.Connection, entry: Entry, *, kind: str, author: str, now: datetime, form: dict[str, Any]
) -> int:
    """Keep ``form`` as the entry's next revision; an autosave replaces the author's previous
    autosave when nothing was saved after it. Returns the revision's number."""
    latest = revision(connection, entry.id, entry.revision) if entry.revision else None
    if kind == "autosave" and latest is not None and latest.kind == "autosave" and latest.author == author:
        connection.execute(
            sa.update(newsroom_revisions)
            .where(newsroom_revisions.c.entry_id == entry.id, newsroom_revisions.c.number == latest.number)
            .values(saved_at=now, form=form)
        )
        number = latest.number
    else:
        number = entry.revision + 1
        connection.execute(
            sa.insert(newsroom_revisions).values(
                entry_id=entry.id, number=number, kind=kind, author=author, saved_at=now, form=form
            )
        )
    title = str(form.get("title") or "").strip()
    language = form.get("language")
    update_entry(
        connection,
        entry.id,
        revision=number,
        title=title,
        language=language if isinstance(language, str) else None,
        slug=form.get("slug") or None,
        updated_at=now,
    )
    return number


def _revision(row: sa.Row[Any]) -> Revision:
    m = row._mapping
    return Revision(
        m["entry_id"], m["number"], m["kind"], m["author"], as_utc(m["saved_at"]), dict(m["form"])
    )


def revision(connection: sa.Connection, entry_id: int, number: int) -> Revision | None:
    row = connection.execute(
        sa.select(newsroom_revisions).where(
            newsroom_revisions.c.entry_id == entry_id, newsroom_revisions.c.number == number
        )
    ).first()
    return None if row is None else _revision(row)


def latest_saved(connection: sa.Connection, entry_id: int) -> Revision | None:
    """The newest revision that is not an autosave (what publishing shows readers)."""
    row = connection.execute(
        sa.select(newsroom_revisions)
        .where(newsroom_revisions.c.entry_id == entry_id, newsroom_revisions.c.kind != "autosave")
        .order_by(newsroom_revisions.c.number.desc())
        .limit(1)
    ).first()
    return None if row is None else _revision(row)


def revisions(connection: sa.Connection, entry_id: int) -> list[Revision]:
    """Every revision of an entry, newest first."""
    rows = connection.execute(
        sa.select(newsroom_revisions)
        .where(newsroom_revisions.c.entry_id == entry_id)
        .order_by(newsroom_revisions.c.number.desc())
    )
    return [_revision(row) for row in rows]


def due_ids(connection: sa.Connection, now: datetime, *, limit: int = 100) -> list[int]:
    """Scheduled entries whose time has come and that no live claim holds, earliest first."""
    rows = connection.execute(
        sa.select(newsroom_entries.c.id)
        .where(_claimable(now))
        .order_by(newsroom_entries.c.publish_at, newsroom_entries.c.id)
        .limit(limit)
    )
    return [int(row[0]) for row in rows]


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        newsroom_entries.c.state == "scheduled",
        newsroom_entries.c.publish_at <= now,
        sa.or_(newsroom_entries.c.claimed_at.is_(None), newsroom_entries.c.claimed_at < now - CLAIM_LEASE),
    )


def claim_due(connection: sa.Connection, entry_id: int, now: datetime) -> bool:
    """Claim a due entry for publication: True for exactly one caller (one conditional UPDATE)."""
    result = connection.execute(
        sa.update(newsroom_entries)
        .where(newsroom_entries.c.id == entry_id, _claimable(now))
        .values(claimed_at=now)
    )
    return result.rowcount == 1


def live_forms(connection: sa.Connection, article_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The form readers see of each published portal article among ``article_ids`` written here."""
    if not article_ids:
        return {}
    rows = connection.execute(
        sa.select(newsroom_entries.c.article_id, newsroom_revisions.c.form)
        .join(
            newsroom_revisions,
            sa.and_(
                newsroom_revisions.c.entry_id == newsroom_entries.c.id,
                newsroom_revisions.c.number == newsroom_entries.c.live_revision,
            ),
        )
        .where(newsroom_entries.c.article_id.in_(article_ids), newsroom_entries.c.state == "published")
    )
    return {int(row.article_id): dict(row.form) for row in rows}
