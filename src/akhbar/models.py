"""Value objects shared by every layer: what was received, what was extracted, what was refused.

They are frozen dataclasses so a stage can never change what another stage handed it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def content_hash(data: bytes) -> str:
    """The SHA-256 of the raw bytes, hex; the identity of a raw document."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Document:
    """Raw input exactly as received: the bytes of a file or an HTTP body, before any decoding.

    ``location`` is where it came from: a URL, or a file path when it was read from disk.
    ``url`` is the page's public address when known (``None`` for a local file with no URL).
    """

    location: str
    data: bytes
    content_type: str | None = None
    url: str | None = None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def sha256(self) -> str:
        return content_hash(self.data)


@dataclass(frozen=True)
class Article:
    """An extracted article; field names follow the extracted-article JSON of DESIGN.md.

    ``published`` is ISO 8601: a date alone (``2024-10-18``) when the page gives no time.
    """

    title: str
    body_paragraphs: tuple[str, ...]
    language: str | None = None
    site_name: str | None = None
    url: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    image_url: str | None = None
    image_caption: str | None = None
    headlines: tuple[str, ...] = ()
    story_id: int | None = None
    duplicate_of: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The extracted-article JSON object of DESIGN.md."""
        return {
            "title": self.title,
            "site_name": self.site_name,
            "url": self.url,
            "published": self.published,
            "language": self.language,
            "authors": list(self.authors),
            "image_url": self.image_url,
            "image_caption": self.image_caption,
            "body_paragraphs": list(self.body_paragraphs),
            "headlines": list(self.headlines),
            "story_id": self.story_id,
            "duplicate_of": self.duplicate_of,
        }


@dataclass(frozen=True)
class Rejected:
    """An input that is not an article, with a human-readable reason. A value, never an exception."""

    location: str
    reason: str


@dataclass(frozen=True)
class StoredArticle:
    """An article as kept in the store: its id, the raw document it came from, and when."""

    id: int
    raw_id: int
    article: Article
    created_at: datetime
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, **self.article.to_json()}


@dataclass(frozen=True)
class StoredRejection:
    """A rejection as kept in the store."""

    id: int
    raw_id: int | None
    location: str
    reason: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "raw_id": self.raw_id,
            "location": self.location,
            "reason": self.reason,
            "created_at": self.created_at.isoformat(),
        }
