"""The portal's HTML pages: home per language, article, story, source and search, cached per data version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import fastapi
import jinja2
from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import RedirectResponse, Response

from akhbar.models import ArticleSummary
from akhbar.services import breaking, portal
from akhbar.services.portal import SECTIONS, section_of
from akhbar.store import Store
from akhbar.web import presenting
from akhbar.web.caching import Rendered, ResponseCache
from akhbar.web.i18n import LANGUAGES, direction_of, format_published, interface, negotiate

TEMPLATES = Path(__file__).with_name("templates")
T = TypeVar("T")
ARTICLE_ID = fastapi.Path(ge=1, le=portal.MAX_ID)
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        dir_of=direction_of,
        languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        section_titles={"ar": "In Arabic", "fr": "In French", "en": "In English"},
        quote=lambda value: quote(value, safe=""),
        marked=presenting.marked,
        section_names={key: title for key, (title, _) in SECTIONS.items()},
        section_of=section_of,
    )
    return env


class Pages:
    """Renders pages for one store; every page shows the breaking bar when flags are active."""

    def __init__(self, store: Store, cache: ResponseCache) -> None:
        self.store = store
        self.cache = cache
        self.env = environment()
        self._breaking_now: tuple[str, list[ArticleSummary]] = ("", [])

    def _breaking(self) -> list[ArticleSummary]:
        """The breaking bar's items, read once per data version."""
        version, items = self._breaking_now
        if not version or version != self.cache.current:
            items = breaking.breaking_articles(self.store)
            self._breaking_now = (self.cache.current, items)
        return items

    def render(self, name: str, language: str, status_code: int = 200, **context: Any) -> Rendered:
        ui = interface(language)
        if "breaking" not in context:
            context["breaking"] = self._breaking()

        def when(item: ArticleSummary | presenting.ArticleView) -> str:
            return format_published(item.published, language, item.url)

        html = self.env.get_template(name).render(
            ui=ui,
            lang=language,
            dir=ui.direction,
            _=ui.gettext,
            ngettext=ui.ngettext,
            when=when,
            article_href=lambda i: presenting.article_path(language, i),
            story_href=lambda key: presenting.story_path(language, key),
            source_href=lambda site: presenting.source_path(language, site),
            **context,
        )
        headers = (("Content-Language", language),)
        return Rendered(html.encode(), "text/html; charset=utf-8", status_code, headers)

    def error(self, language: str, status: int, detail: str) -> Response:
        rendered = self.render("error.html", language, status, status=status, detail=detail, breaking=[])
        return Response(rendered.body, status, media_type=rendered.media_type)

    async def respond(
        self, request: Request, language: str, render: Callable[[], Rendered], *, negotiated: bool = False
    ) -> Response:
        key = f"{language}|{request.url.path}?{request.url.query}"
        return await self.cache.respond(request, key, render, vary="Accept-Language" if negotiated else None)


def _language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise HTTPException(404, "No such page")
    return lang


def _found(value: T | None, what: str) -> T:
    if value is None:
        raise HTTPException(404, f"No such {what}")
    return value


def router(pages: Pages) -> APIRouter:
    """The pages' route table: fixed paths first, then the per-language ones."""
    routes = APIRouter(include_in_schema=False)
    _home_and_article_routes(routes, pages)
    _listing_routes(routes, pages)
    return routes


def _home_and_article_routes(routes: APIRouter, pages: Pages) -> None:
    store = pages.store

    def home(language: str) -> Rendered:
        found = portal.home(store)
        return pages.render("home.html", language, home=found, also_in=found.also_in)

    def article(language: str, article_id: int) -> Rendered:
        detail = _found(portal.article_detail(store, article_id), "article")
        view = presenting.present(detail.stored)
        return pages.render("article.html", language, article=view, detail=detail)

    @routes.get("/")
    async def home_negotiated(request: Request) -> Response:
        language = negotiate(request.headers.get("accept-language"))
        return await pages.respond(request, language, lambda: home(language), negotiated=True)

    @routes.get("/search")
    async def search_negotiated(request: Request) -> Response:
        language = negotiate(request.headers.get("accept-language"))
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(
            f"/{language}/search{query}", status_code=307, headers={"Vary": "Accept-Language"}
        )

    @routes.get("/{lang}")
    async def home_without_slash(lang: str) -> Response:
        return RedirectResponse(f"/{_language(lang)}/", status_code=308)

    @routes.get("/{lang}/")
    async def home_page(request: Request, lang: str) -> Response:
        language = _language(lang)
        return await pages.respond(request, language, lambda: home(language))

    @routes.get("/articles/{article_id}")
    async def article_negotiated(request: Request, article_id: int = ARTICLE_ID) -> Response:
        language = negotiate(request.headers.get("accept-language"))
        return await pages.respond(request, language, lambda: article(language, article_id), negotiated=True)

    @routes.get("/{lang}/articles/{article_id}")
    async def article_page(request: Request, lang: str, article_id: int = ARTICLE_ID) -> Response:
        language = _language(lang)
        return await pages.respond(request, language, lambda: article(language, article_id))


def _listing_routes(routes: APIRouter, pages: Pages) -> None:
    store = pages.store

    @routes.get("/{lang}/stories/{key}")
    async def story_page(request: Request, lang: str, key: str) -> Response:
        language = _language(lang)

        def render() -> Rendered:
            story = _found(portal.story(store, key), "story")
            return pages.render("story.html", language, story=story)

        return await pages.respond(request, language, render)

    @routes.get("/{lang}/sources/{site}")
    async def source_page(request: Request, lang: str, site: str) -> Response:
        language = _language(lang)

        def render() -> Rendered:
            found = portal.listing(store, portal.Filters(site_name=site), limit=50)
            items = _found(found.items or None, "source")
            return pages.render("source.html", language, site=site, items=items, also_in=found.also_in)

        return await pages.respond(request, language, render)

    @routes.get("/{lang}/section/{name}")
    async def section_page(request: Request, lang: str, name: str, language: str | None = None) -> Response:
        ui_language = _language(lang)
        filter_language = language if language in LANGUAGES else None

        def render() -> Rendered:
            found = _found(portal.section(store, name, language=filter_language), "section")
            return pages.render(
                "section.html",
                ui_language,
                section=name,
                listing=found,
                also_in=found.also_in,
                filter_language=filter_language,
            )

        return await pages.respond(request, ui_language, render)

    @routes.get("/{lang}/sources/")
    async def sources_page(request: Request, lang: str) -> Response:
        language = _language(lang)
        return await pages.respond(
            request, language, lambda: pages.render("sources.html", language, sites=portal.sites(store))
        )

    @routes.get("/{lang}/search")
    async def search_page(
        request: Request, lang: str, q: str = Query("", max_length=200), language: str | None = None
    ) -> Response:
        ui_language = _language(lang)
        filter_language = language if language in LANGUAGES else None

        def render() -> Rendered:
            results = portal.search(store, q, language=filter_language)
            return pages.render(
                "search.html", ui_language, query=q, results=results, filter_language=filter_language
            )

        return await pages.respond(request, ui_language, render)
