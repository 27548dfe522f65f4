"""Outgoing feeds: latest, breaking, per language, section, source and story, as RSS, Atom and JSON Feed."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import APIRouter, HTTPException
from starlette.requests import Request
from starlette.responses import Response

from akhbar.models import ArticleSummary
from akhbar.services import breaking, drafts, images, portal
from akhbar.services.portal import SECTIONS
from akhbar.store import Store
from akhbar.web.caching import Rendered, ResponseCache
from akhbar.web.dependencies import AppStore, Cache
from akhbar.web.feedformats import FORMATS, WRITERS, Feed
from akhbar.web.i18n import LANGUAGES, interface
from akhbar.web.presenting import source_path, story_path

ENTRIES = 50
COLLAPSED = portal.Filters(collapse=True)  # a syndicated text once, as on the pages (story feeds list all)

Contents = tuple[str, str | None, str, list[ArticleSummary]]

router = APIRouter(prefix="/feeds", include_in_schema=False)


async def _serve(
    request: Request, store: Store, cache: ResponseCache, fmt: str, what: Callable[[], Contents]
) -> Response:
    """One feed in ``fmt``; ``what`` gives (title, language or None, home path, entries)."""
    if fmt not in FORMATS:
        raise HTTPException(404, "No such feed format (rss, atom or json)")

    def render() -> Rendered:
        title, language, home, items = what()
        base = str(request.base_url).rstrip("/")
        leads = portal.leads(store, items)
        leads.update(drafts.summaries(store, [item.id for item in items]))  # an editor's summary first
        feed = Feed(
            title=f"akhbar · {title}",
            description=title,
            language=language,
            self_url=base + quote(request.url.path, safe="/"),
            home_url=base + home,
            base_url=base,
            entries=tuple((item, leads.get(item.id, "")) for item in items),
            pictures=images.pictures(store, [item.id for item in items]),
        )
        return Rendered(WRITERS[fmt](feed), FORMATS[fmt])

    return await cache.respond(request, f"feed|{request.url.path}", render)


def _title(language: str, message: str) -> str:
    return interface(language).gettext(message)


@router.get("/latest.{fmt}")
async def latest(request: Request, store: AppStore, cache: Cache, fmt: str) -> Response:
    def what() -> Contents:
        return "Latest news", None, "/", portal.latest(store, COLLAPSED, limit=ENTRIES)

    return await _serve(request, store, cache, fmt, what)


@router.get("/breaking.{fmt}")
async def breaking_feed(request: Request, store: AppStore, cache: Cache, fmt: str) -> Response:
    def what() -> Contents:
        return "Breaking", None, "/", breaking.breaking_articles(store)

    return await _serve(request, store, cache, fmt, what)


@router.get("/languages/{lang}.{fmt}")
async def language_feed(request: Request, store: AppStore, cache: Cache, lang: str, fmt: str) -> Response:
    if lang not in LANGUAGES:
        raise HTTPException(404, "No such language")

    def what() -> Contents:
        items = portal.latest(store, portal.Filters(language=lang, collapse=True), limit=ENTRIES)
        return _title(lang, "Latest news"), lang, f"/{lang}/", items

    return await _serve(request, store, cache, fmt, what)


@router.get("/sections/{name}.{fmt}")
async def section_feed(request: Request, store: AppStore, cache: Cache, name: str, fmt: str) -> Response:
    def what() -> Contents:
        found = portal.section(store, name, limit=ENTRIES)
        if found is None:
            raise HTTPException(404, "No such section")
        return SECTIONS[name][0], None, f"/ar/section/{quote(name)}", list(found.items)

    return await _serve(request, store, cache, fmt, what)


@router.get("/sources/{site}.{fmt}")
async def source_feed(request: Request, store: AppStore, cache: Cache, site: str, fmt: str) -> Response:
    def what() -> Contents:
        items = portal.latest(store, portal.Filters(site_name=site, collapse=True), limit=ENTRIES)
        if not items:
            raise HTTPException(404, "No such source")
        languages = {item.language for item in items}
        language = languages.pop() if len(languages) == 1 else None
        return site, language, source_path(language or "ar", site), items

    return await _serve(request, store, cache, fmt, what)


@router.get("/stories/{key}.{fmt}")
async def story_feed(request: Request, store: AppStore, cache: Cache, key: str, fmt: str) -> Response:
    def what() -> Contents:
        story = portal.story(store, key)
        if story is None:
            raise HTTPException(404, "No such story")
        items = list(reversed(story.articles))[:ENTRIES]
        return story.latest.title, None, story_path("ar", key), items

    return await _serve(request, store, cache, fmt, what)
