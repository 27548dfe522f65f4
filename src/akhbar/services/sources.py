"""Following sources: add (with discovery), list, show, remove, OPML import and export."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from akhbar.config import Settings
from akhbar.errors import FetchError, InputError, StoreError
from akhbar.models import Source
from akhbar.services.fetching import Runtime
from akhbar.sources.discover import Discovered, discover
from akhbar.sources.opml import OutlineSource, read_opml, write_opml
from akhbar.store import Store
from akhbar.store import sources as store_sources
from akhbar.store.seen import SeenUrl, recent_errors, status_counts
from akhbar.text.fields import MAX_NAME, clean_line, language_tag

log = logging.getLogger(__name__)
_KIND = {"feed": "feed", "sitemap": "sitemap", "page": "page"}


@dataclass(frozen=True)
class SourceDetail:
    """A source with what came of it: article and rejection counts, page outcomes, recent errors."""

    source: Source
    articles: int
    rejections: int
    pages: dict[str, int]
    recent_errors: list[SeenUrl]

    def to_json(self) -> dict[str, object]:
        return {
            **self.source.to_json(),
            "articles": self.articles,
            "rejections": self.rejections,
            "pages": self.pages,
            "recent_errors": [
                {"url": e.url, "status": e.status, "reason": e.reason} for e in self.recent_errors
            ],
        }


async def _discover(runtime: Runtime, url: str) -> tuple[str, str, Discovered]:
    """(source URL, kind, what was found) for ``url``, following an advertised feed once."""
    fetched = await runtime.fetcher.fetch(url)
    found = discover(fetched.url, fetched.data, fetched.content_type)
    if found.kind != "site":
        return fetched.url, _KIND[found.kind], found
    for feed_url in found.feeds:
        try:
            feed = await runtime.fetcher.fetch(feed_url)
            advertised = discover(feed.url, feed.data, feed.content_type)
        except (FetchError, InputError) as exc:
            log.info("sources: advertised feed %s unusable: %s", feed_url, exc)
            continue
        if advertised.kind in {"feed", "sitemap"}:
            title = advertised.title or found.title
            merged = Discovered(advertised.kind, advertised.listing, found.feeds, title, advertised.language)
            return feed.url, advertised.kind, merged
    return fetched.url, "page", found


async def add_source(
    runtime: Runtime, url: str, *, name: str | None = None, language: str | None = None
) -> Source:
    """Discover what ``url`` is and follow it; raises FetchError/InputError/StoreError with the reason."""
    if language is not None and language_tag(language) is None:
        raise InputError(f"sources: {language!r} is not a language code such as ar, fr or en")
    with runtime.store.reading() as connection:
        if store_sources.find_source(connection, url) is not None:
            raise StoreError(f"sources: {url} is already followed")
    source_url, kind, found = await _discover(runtime, url)
    site_url = found.listing.site_url if found.listing else None
    if source_url != url:
        site_url = site_url or url
    return _insert(
        runtime.store,
        runtime.settings,
        url=source_url,
        kind=kind,
        name=_name(name or found.title),
        language=language_tag(language) or language_tag(found.language),
        site_url=site_url,
    )


def _name(value: str | None) -> str | None:
    """A source's name as it may be shown: one line, bounded (feed titles are untrusted)."""
    return clean_line(value, MAX_NAME) or None if value else None


def _insert(store: Store, settings: Settings, **values: str | None) -> Source:
    with store.transaction() as connection:
        existing = store_sources.find_source(connection, str(values["url"]))
        if existing is not None:
            raise StoreError(f"sources: {values['url']} is already followed (#{existing.id})")
        source_id = store_sources.insert_source(
            connection, created_at=datetime.now(UTC), poll_interval=settings.poll_interval, **values
        )
        source = store_sources.get_source(connection, source_id)
    if source is None:
        raise StoreError(f"sources: the source #{source_id} just added cannot be read back")
    return source


def list_sources(store: Store) -> list[Source]:
    with store.reading() as connection:
        return store_sources.list_sources(connection)


def show_source(store: Store, source_id: int) -> SourceDetail:
    with store.reading() as connection:
        source = store_sources.get_source(connection, source_id)
        if source is None:
            raise InputError(f"sources: no source #{source_id}")
        counts = store_sources.counts(connection, source_id)
        pages = status_counts(connection, source_id)
        errors = recent_errors(connection, source_id)
    return SourceDetail(source, counts["articles"], counts["rejections"], pages, errors)


def remove_source(store: Store, source_id: int) -> None:
    """Stop following a source; its articles stay (their source becomes unknown)."""
    with store.transaction() as connection:
        if not store_sources.delete_source(connection, source_id):
            raise InputError(f"sources: no source #{source_id}")


@dataclass(frozen=True)
class ImportResult:
    url: str
    status: str  # added, exists, error
    source_id: int | None = None
    reason: str | None = None


def import_opml(store: Store, settings: Settings, data: bytes) -> list[ImportResult]:
    """Follow every feed of an OPML file (no fetching now: the first refresh checks each one)."""
    results = []
    for outline in read_opml(data):
        url = outline.url
        if not url.startswith(("http://", "https://")):
            results.append(ImportResult(url, "error", reason="not an http(s) URL"))
            continue
        try:
            source = _insert(
                store,
                settings,
                url=url,
                kind="feed",
                name=_name(outline.name),
                language=language_tag(outline.language),
                site_url=outline.site_url,
            )
        except StoreError as exc:
            results.append(ImportResult(url, "exists", reason=str(exc)))
            continue
        results.append(ImportResult(url, "added", source.id))
    return results


def export_opml(store: Store) -> str:
    outlines = [
        OutlineSource(source.url, source.name, source.language, source.site_url)
        for source in list_sources(store)
        if source.kind in {"feed", "sitemap"}
    ]
    return write_opml(outlines)
