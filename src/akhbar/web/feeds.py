"""Outgoing feeds: latest, breaking, per language, section, source and story, as RSS, Atom and JSON Feed."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from akhbar.models import ArticleSummary
from akhbar.services import breaking, portal
from akhbar.services.portal import SECTIONS
from akhbar.store import Store
from akhbar.web.caching import Rendered, ResponseCache
from akhbar.web.feedformats import FORMATS, WRITERS, Feed
from akhbar.web.i18n import LANGUAGES, interface
from akhbar.web.presenting import source_path, story_path

ENTRIES = 50
COLLAPSED = portal.Filters(collapse=True)  # a syndicated text once, as on the pages (story feeds list all)


Contents = Callable[[], tuple[str, str | None, str, list[ArticleSummary]]]


async def _serve(store: Store, cache: ResponseCache, request: Request, fmt: str, what: Contents) -> Response:
    """One feed in ``fmt``; ``what`` gives (title, language or None, home path, entries)."""
    if fmt not in FORMATS:
        raise HTTPException(404, "No such feed format (rss, atom or json)")

    def render() -> Rendered:
        title, language, home, items = what()
        base = str(request.base_url).rstrip("/")
        leads = portal.leads(store, items)
        feed = Feed(
            title=f"akhbar · {title}",
            description=title,
            language=language,
            self_url=base + quote(request.url.path, safe="/"),
            home_url=base + home,
            base_url=base,
            entries=tuple((item, leads.get(item.id, "")) for item in items),
        )
        return Rendered(WRITERS[fmt](feed), FORMATS[fmt])

    return await cache.respond(request, f"feed|{request.url.path}", render)


def router(store: Store, cache: ResponseCache) -> APIRouter:
    """The feeds' route table."""
    routes = APIRouter(prefix="/feeds", include_in_schema=False)

    async def serve(request: Request, fmt: str, what: Contents) -> Response:
        return await _serve(store, cache, request, fmt, what)

    def title(language: str, message: str) -> str:
        return interface(language).gettext(message)

    @routes.get("/latest.{fmt}")
    async def latest(request: Request, fmt: str) -> Response:
        return await serve(
            request, fmt, lambda: ("Latest news", None, "/", portal.latest(store, COLLAPSED, limit=ENTRIES))
        )

    @routes.get("/breaking.{fmt}")
    async def breaking_feed(request: Request, fmt: str) -> Response:
        return await serve(request, fmt, lambda: ("Breaking", None, "/", breaking.breaking_articles(store)))

    @routes.get("/languages/{lang}.{fmt}")
    async def language_feed(request: Request, lang: str, fmt: str) -> Response:
        if lang not in LANGUAGES:
            raise HTTPException(404, "No such language")

        def what() -> tuple[str, str | None, str, list[ArticleSummary]]:
            items = portal.latest(store, portal.Filters(language=lang, collapse=True), limit=ENTRIES)
            return title(lang, "Latest news"), lang, f"/{lang}/", items

        return await serve(request, fmt, what)

    @routes.get("/sections/{name}.{fmt}")
    async def section_feed(request: Request, name: str, fmt: str) -> Response:
        def what() -> tuple[str, str | None, str, list[ArticleSummary]]:
            found = portal.section(store, name, limit=ENTRIES)
            if found is None:
                raise HTTPException(404, "No such section")
            return SECTIONS[name][0], None, f"/ar/section/{quote(name)}", list(found.items)

        return await serve(request, fmt, what)

    @routes.get("/sources/{site}.{fmt}")
    async def source_feed(request: Request, site: str, fmt: str) -> Response:
        def what() -> tuple[str, str | None, str, list[ArticleSummary]]:
            items = portal.latest(store, portal.Filters(site_name=site, collapse=True), limit=ENTRIES)
            if not items:
                raise HTTPException(404, "No such source")
            languages = {item.language for item in items}
            language = languages.pop() if len(languages) == 1 else None
            return site, language, source_path(language or "ar", site), items

        return await serve(request, fmt, what)

    @routes.get("/stories/{key}.{fmt}")
    async def story_feed(request: Request, key: str, fmt: str) -> Response:
        def what() -> tuple[str, str | None, str, list[ArticleSummary]]:
            story = portal.story(store, key)
            if story is None:
                raise HTTPException(404, "No such story")
            items = list(reversed(story.articles))[:ENTRIES]
            return story.latest.title, None, story_path("ar", key), items

        return await serve(request, fmt, what)

    return routes
