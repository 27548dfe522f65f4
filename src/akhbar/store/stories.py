"""Stories, their candidate keys, and near-duplicate signatures (the grouping's shared state).

Everything the grouping needs between articles lives in these tables, so any number of worker
processes can place articles; nothing is cached in a process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from akhbar.models import Story, as_utc
from akhbar.store import prepared
from akhbar.store.engine import insert_ignoring, inserted_id
from akhbar.store.tables import article_signatures, articles, breaking, stories, story_keys

log = logging.getLogger(__name__)

MAX_CANDIDATES = 48  # a busy day of one topic holds more near stories than 24
# Merges followed from a story to the one it became part of; a longer chain (or a cycle, which no
# code writes) reads as no story rather than looping.
MAX_MERGE_HOPS = 32


@dataclass
class StoryRecord:
    """A story row with the grouping state (centroid bytes, entity counts, sources)."""

    id: int | None
    first_article_id: int | None
    first_source: str | None
    first_seen: datetime
    last_seen: datetime
    centroid: bytes
    article_count: int = 0
    titles: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    entities: dict[str, int] = field(default_factory=dict)
    languages: set[str] = field(default_factory=set)
    velocity: float = 0.0
    velocity_at: datetime | None = None

    def to_model(self) -> Story:
        if self.id is None:
            raise ValueError("stories: a story record has no id before it is stored")
        return Story(
            id=self.id,
            titles=dict(self.titles),
            first_article_id=self.first_article_id,
            first_source=self.first_source,
            first_seen=self.first_seen,
            last_seen=self.last_seen,
            article_count=self.article_count,
            source_count=len(self.sources),
            language_count=len(self.titles),
            velocity=self.velocity,
            sources=tuple(self.sources),
        )


def _values(record: StoryRecord) -> dict[str, Any]:
    return {
        "first_article_id": record.first_article_id,
        "first_source": record.first_source,
        "first_seen": record.first_seen,
        "last_seen": record.last_seen,
        "article_count": record.article_count,
        "source_count": len(record.sources),
        "language_count": len(record.titles),
        "titles": record.titles,
        "sources": record.sources,
        "entities": record.entities,
        "velocity": record.velocity,
        "velocity_at": record.velocity_at,
        "centroid": record.centroid,
    }


def _record(row: sa.Row[Any]) -> StoryRecord:
    m = row._mapping
    return StoryRecord(
        id=m["id"],
        first_article_id=m["first_article_id"],
        first_source=m["first_source"],
        first_seen=as_utc(m["first_seen"]),
        last_seen=as_utc(m["last_seen"]),
        centroid=bytes(m["centroid"]),
        article_count=m["article_count"],
        titles=dict(m["titles"]),
        sources=list(m["sources"]),
        entities=dict(m["entities"]),
        velocity=float(m["velocity"]),
        velocity_at=as_utc(m["velocity_at"]) if m["velocity_at"] else None,
    )


_INSERT = sa.insert(stories)
_UPDATE = sa.update(stories).where(stories.c.id == sa.bindparam("target_id"))


def insert_story(connection: sa.Connection, record: StoryRecord) -> int:
    record.id = inserted_id(connection.execute(_INSERT, _values(record)), stories)
    return record.id


def update_story(connection: sa.Connection, record: StoryRecord) -> None:
    connection.execute(_UPDATE, {**_values(record), "target_id": record.id})


def add_keys(connection: sa.Connection, story_id: int, keys: Iterable[int]) -> None:
    insert_ignoring(connection, story_keys, [{"key": k, "story_id": story_id} for k in set(keys)])


@dataclass(frozen=True)
class CandidateRow:
    """Only what scoring needs of a candidate story; the full record is loaded for the chosen one."""

    id: int
    centroid: bytes
    article_count: int
    first_seen: datetime
    last_seen: datetime
    entities: dict[str, int]
    languages: frozenset[str] = frozenset()  # of the story's versions (its titles)


_KEYS: sa.BindParameter[list[int]] = sa.bindparam("keys", expanding=True)
_RANKED = (
    sa.select(story_keys.c.story_id, sa.func.count().label("shared"))
    .where(story_keys.c.key.in_(_KEYS))
    .group_by(story_keys.c.story_id)
    .order_by(sa.func.count().desc(), story_keys.c.story_id.desc())
    .limit(sa.bindparam("limit"))
    .subquery()
)
_CENTROIDS = (
    sa.select(stories.c.id, stories.c.centroid)
    .join(_RANKED, _RANKED.c.story_id == stories.c.id)
    .where(stories.c.merged_into.is_(None))
    .order_by(_RANKED.c.shared.desc(), stories.c.id.desc())
)
_IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
_BY_IDS = sa.select(
    stories.c.id,
    stories.c.article_count,
    stories.c.first_seen,
    stories.c.last_seen,
    stories.c.entities,
    stories.c.titles,
).where(stories.c.id.in_(_IDS))


def candidate_centroids(
    connection: sa.Connection, keys: Sequence[int], limit: int = MAX_CANDIDATES
) -> list[tuple[int, bytes]]:
    """Live stories sharing the most keys with the article, with their centroids, most keys first
    (index lookups, never a scan of stories)."""
    rows = prepared.read(connection, _CENTROIDS, {"keys": list(keys), "limit": limit})
    return [(r.id, bytes(r.centroid)) for r in rows]


def candidates(connection: sa.Connection, near: Sequence[tuple[int, bytes]]) -> list[CandidateRow]:
    """What scoring needs of these stories (those whose centroid alone leaves them a chance), beside
    the centroids :func:`candidate_centroids` read already, in their order."""
    if not near:
        return []
    rows = prepared.read(connection, _BY_IDS, {"ids": [story_id for story_id, _ in near]})
    found = {r.id: r for r in rows}
    return [
        CandidateRow(
            r.id,
            centroid,
            r.article_count,
            as_utc(r.first_seen),
            as_utc(r.last_seen),
            r.entities,
            frozenset(r.titles or {}),
        )
        for story_id, centroid in near
        if (r := found.get(story_id)) is not None
    ]


_LATEST = (
    sa.select(
        articles.c.story_id,
        articles.c.id,
        articles.c.language,
        article_signatures.c.embedding,
        sa.func.row_number()
        .over(partition_by=articles.c.story_id, order_by=articles.c.id.desc())
        .label("latest"),
    )
    .join(article_signatures, article_signatures.c.article_id == articles.c.id)
    .where(articles.c.story_id.in_(_IDS), article_signatures.c.embedding.is_not(None))
    .subquery()
)
_MEMBERS = sa.select(_LATEST.c.story_id, _LATEST.c.id, _LATEST.c.language, _LATEST.c.embedding).where(
    _LATEST.c.latest <= sa.bindparam("limit")
)


@dataclass(frozen=True)
class Member:
    """One of a story's latest articles as candidate stories are compared through them."""

    article_id: int
    language: str | None
    embedding: bytes


def latest_members(
    connection: sa.Connection, story_ids: Sequence[int], limit: int
) -> dict[int, list[Member]]:
    """Each story's latest ``limit`` articles that have an embedding, latest first."""
    if not story_ids:
        return {}
    found: dict[int, list[Member]] = {}
    for row in connection.execute(_MEMBERS, {"ids": list(story_ids), "limit": limit}):
        found.setdefault(row.story_id, []).append(Member(row.id, row.language, bytes(row.embedding)))
    return found


def member_embeddings(
    connection: sa.Connection, story_ids: Sequence[int], limit: int
) -> dict[int, list[bytes]]:
    """The embeddings of each story's latest ``limit`` articles (by the articles' story index)."""
    found = latest_members(connection, story_ids, limit)
    return {story_id: [member.embedding for member in members] for story_id, members in found.items()}


def get_story(connection: sa.Connection, story_id: int, *, lock: bool = False) -> StoryRecord | None:
    """The story, following merges to the story it became part of.

    With ``lock`` (to update it), the row stays locked until the transaction ends, so concurrent
    placements into one story on PostgreSQL take turns instead of overwriting each other's counts
    (SQLite has a single writer already; the clause is left out there).
    """
    for _ in range(MAX_MERGE_HOPS):
        query = sa.select(stories).where(stories.c.id == story_id)
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None:
            return None
        if row._mapping["merged_into"] is None:
            return _record(row)
        story_id = row._mapping["merged_into"]
    log.warning("store: story #%s is more than %s merges away, read as no story", story_id, MAX_MERGE_HOPS)
    return None


def list_stories(connection: sa.Connection, *, limit: int = 50, offset: int = 0) -> list[StoryRecord]:
    query = (
        sa.select(stories)
        .where(stories.c.merged_into.is_(None))
        .order_by(stories.c.last_seen.desc(), stories.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_record(row) for row in connection.execute(query)]


def merge_into(connection: sa.Connection, into: StoryRecord, other_id: int) -> None:
    """Move the other story's articles, keys and breaking flags to ``into`` and mark it merged."""
    if into.id is None:
        raise ValueError(f"stories: story #{other_id} cannot be merged into a story not yet stored")
    connection.execute(sa.update(breaking).where(breaking.c.story_id == other_id).values(story_id=into.id))
    connection.execute(sa.update(articles).where(articles.c.story_id == other_id).values(story_id=into.id))
    connection.execute(
        sa.update(article_signatures)
        .where(article_signatures.c.story_id == other_id)
        .values(story_id=into.id)
    )
    keys = connection.execute(sa.select(story_keys.c.key).where(story_keys.c.story_id == other_id)).scalars()
    add_keys(connection, into.id, list(keys))
    connection.execute(sa.delete(story_keys).where(story_keys.c.story_id == other_id))
    connection.execute(sa.update(stories).where(stories.c.id == other_id).values(merged_into=into.id))
    update_story(connection, into)


def story_article_rows(connection: sa.Connection, story_id: int) -> list[dict[str, Any]]:
    """The story's articles, oldest first: id, title, site, language, published, url, duplicate_of."""
    columns = [articles.c[name] for name in ("id", "title", "site_name", "language", "published", "url")]
    query = (
        sa.select(*columns, articles.c.duplicate_of, articles.c.created_at)
        .where(articles.c.story_id == story_id)
        .order_by(articles.c.created_at, articles.c.id)
    )
    rows = []
    for row in connection.execute(query):
        item = dict(row._mapping)
        item["created_at"] = as_utc(item["created_at"]).isoformat()
        rows.append(item)
    return rows
