"""A story's members as the grouping re-checks them, and moving one member to another story."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from akhbar.models import as_utc
from akhbar.store.tables import article_signatures, articles


@dataclass(frozen=True)
class MemberRow:
    """One article of a story with what scoring it again needs (its stored embedding)."""

    article_id: int
    title: str
    body_paragraphs: tuple[str, ...]
    language: str | None
    published: str | None
    created_at: datetime
    site_name: str | None
    url: str | None
    source_id: int | None
    embedding: bytes
    original: int | None  # the article whose text it copies (it followed it there, and moves with it)


_MEMBERS = (
    sa.select(
        articles.c.id,
        articles.c.title,
        articles.c.body_paragraphs,
        articles.c.language,
        articles.c.published,
        articles.c.created_at,
        articles.c.site_name,
        articles.c.url,
        articles.c.source_id,
        articles.c.duplicate_of,
        articles.c.duplicate_kind,
        article_signatures.c.embedding,
    )
    .join(article_signatures, article_signatures.c.article_id == articles.c.id)
    .where(article_signatures.c.embedding.is_not(None))
    .order_by(articles.c.id)
)


def members(connection: sa.Connection, story_id: int) -> list[MemberRow]:
    """The story's articles that have an embedding, oldest first."""
    return _rows(connection, _MEMBERS.where(articles.c.story_id == story_id))


def articles_by_id(connection: sa.Connection, article_ids: Sequence[int]) -> list[MemberRow]:
    """These articles (those with an embedding), oldest first."""
    if not article_ids:
        return []
    return _rows(connection, _MEMBERS.where(articles.c.id.in_(list(article_ids))))


def _rows(connection: sa.Connection, query: sa.Select[Any]) -> list[MemberRow]:
    return [
        MemberRow(
            r.id,
            r.title,
            tuple(r.body_paragraphs or ()),
            r.language,
            r.published,
            as_utc(r.created_at),
            r.site_name,
            r.url,
            r.source_id,
            bytes(r.embedding),
            r.duplicate_of if r.duplicate_kind in (None, "same") else None,
        )
        for r in connection.execute(query)
    ]


def move(connection: sa.Connection, article_ids: Sequence[int], story_id: int) -> None:
    """Put these articles (and their placements) in ``story_id``."""
    if not article_ids:
        return
    ids = list(article_ids)
    connection.execute(sa.update(articles).where(articles.c.id.in_(ids)).values(story_id=story_id))
    connection.execute(
        sa.update(article_signatures)
        .where(article_signatures.c.article_id.in_(ids))
        .values(story_id=story_id)
    )
