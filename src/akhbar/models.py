"""Value objects shared by every layer: what was received, what was extracted, what was refused.

They are frozen dataclasses so a stage can never change what another stage handed it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any


def as_utc(value: datetime) -> datetime:
    """A datetime with a zone: naive values are taken as UTC (SQLite and ISO dates without offset)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


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
    duplicate_kind: str | None = None  # how it copies duplicate_of: same, contained_in, contains
    section: str | None = None  # politics, economy... (akhbar.extract.sections), from the URL or an editor

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
            "duplicate_kind": self.duplicate_kind,
            "section": self.section,
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


@dataclass(frozen=True)
class ArticleSummary:
    """What a list, a ticker or a feed needs of an article: no body, so lists stay cheap."""

    id: int
    title: str
    site_name: str | None
    published: str | None
    language: str | None
    url: str | None
    image_url: str | None
    story_id: int | None
    source_id: int | None
    updated_at: datetime
    section: str | None = None

    @property
    def story_key(self) -> str:
        """The story this article belongs to: its group when grouped, else a story of one (``a<id>``)."""
        return str(self.story_id) if self.story_id is not None else f"a{self.id}"


@dataclass(frozen=True)
class BreakingFlag:
    """An article or a story flagged as breaking news until a time."""

    id: int
    article_id: int | None
    story_id: int | None
    until: datetime
    origin: str
    note: str | None
    created_by: str | None
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "article_id": self.article_id,
            "story_id": self.story_id,
            "until": self.until.isoformat(),
            "origin": self.origin,
            "note": self.note,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class Entry:
    """One item a source lists (a feed entry or a sitemap URL): a page to fetch, with fallbacks.

    ``title``, ``published`` (ISO 8601) and ``summary`` come from the listing and stand in when the
    page itself lacks them; ``updated`` tells whether an already-known URL changed.
    """

    url: str
    title: str | None = None
    published: str | None = None
    updated: str | None = None
    summary: str | None = None
    language: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Entry:
        """An entry from its JSON form; unknown keys (a newer version's) are ignored."""
        known = {f.name for f in fields(cls)} - {"url"}
        optional = {k: (str(v) if v is not None else None) for k, v in value.items() if k in known}
        return cls(str(value["url"]), **optional)


@dataclass(frozen=True)
class Listing:
    """What a feed or sitemap lists. ``kind`` is ``feed``, ``sitemap`` or ``sitemap-index``.

    ``children`` are further sitemaps of an index; ``notes`` are problems that did not stop parsing
    (a wrong declared encoding, entries without a link), kept so the operator sees them.
    """

    kind: str
    title: str | None
    site_url: str | None
    language: str | None
    entries: tuple[Entry, ...]
    children: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """A followed source and its polling state. ``kind`` is ``feed``, ``sitemap`` or ``page``."""

    id: int
    url: str
    kind: str
    name: str | None
    language: str | None
    site_url: str | None
    created_at: datetime
    poll_interval: int
    next_poll_at: datetime | None = None
    last_fetched_at: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    failing_since: datetime | None = None
    healthy: bool = True
    etag: str | None = None
    last_modified: str | None = None

    def to_json(self) -> dict[str, Any]:
        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id,
            "url": self.url,
            "kind": self.kind,
            "name": self.name,
            "language": self.language,
            "site_url": self.site_url,
            "created_at": when(self.created_at),
            "poll_interval": self.poll_interval,
            "next_poll_at": when(self.next_poll_at),
            "last_fetched_at": when(self.last_fetched_at),
            "last_status": self.last_status,
            "last_error": self.last_error,
            "consecutive_failures": self.consecutive_failures,
            "failing_since": when(self.failing_since),
            "healthy": self.healthy,
        }


@dataclass(frozen=True)
class Story:
    """Articles about one event across sources and languages (grouped online as they arrive).

    ``titles`` maps a language to a representative title; ``velocity`` is the decaying rate of new
    independent sources (high while the story is breaking).
    """

    id: int
    titles: dict[str, str]
    first_article_id: int | None
    first_source: str | None
    first_seen: datetime
    last_seen: datetime
    article_count: int
    source_count: int
    language_count: int
    velocity: float
    sources: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "titles": dict(self.titles),
            "first_article_id": self.first_article_id,
            "first_source": self.first_source,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "article_count": self.article_count,
            "source_count": self.source_count,
            "language_count": self.language_count,
            "velocity": round(self.velocity, 3),
            "sources": list(self.sources),
        }
