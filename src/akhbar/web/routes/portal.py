"""The portal's HTML pages: home per language, article, story, source, section and search pages.

Fixed paths come first, then the per-language ones (``/{lang}/...``); this router is included last,
so its ``/{lang}`` pattern takes no other router's path. ``/`` and ``/articles/{id}`` answer in the
browser's language (Accept-Language); every other page in the language of its path.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import replace
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlencode

import fastapi
from fastapi import APIRouter, HTTPException, Query
from markupsafe import Markup
from starlette.background import BackgroundTask
from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import Scope

from akhbar.models import ArticleSummary
from akhbar.services import drafts, frontpage, images, portal
from akhbar.services.portal import SECTIONS
from akhbar.services.reads import ReadCounter
from akhbar.store import Store
from akhbar.web import charts, presenting, seo
from akhbar.web.caching import ON_REPEAT, Rendered
from akhbar.web.dependencies import AppStore, PortalPages
from akhbar.web.i18n import LANGUAGES, format_published, interface, negotiate
from akhbar.web.pages import Pages

T = TypeVar("T")
ArticleId = Annotated[int, fastapi.Path(ge=1, le=portal.MAX_ID)]


class _Language(Convertor[str]):
    """A path segment naming one of the interface languages, and nothing else: the portal's
    ``/{lang:lang}/...`` routes then take no other site's path, so the route table tries them first."""

    regex = "|".join(sorted(LANGUAGES))

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("lang", _Language())
router = APIRouter(include_in_schema=False)


def _served(request: Request) -> tuple[Store, Pages]:
    """The app's store and page renderer, for the pages asked for most without a kept answer:
    read from the app's state as :data:`AppStore` and :data:`PortalPages` do, without FastAPI
    solving two dependencies for each request (about 3% of a random article page's time)."""
    state = request.app.state
    return state.store, state.pages


def _found(value: T | None, what: str) -> T:
    if value is None:
        raise HTTPException(404, f"No such {what}")
    return value


def _home(pages: Pages, store: Store, language: str, base: str) -> Rendered:
    found = frontpage.home(store, kept_reads=pages.most_read)
    head = seo.page_seo(base, language, "akhbar", f"/{language}/", default="/")
    return pages.render(
        "home.html", language, home=found, also_in=found.also_in, page_kind="home", scripted=True, seo=head
    )


def _article(pages: Pages, store: Store, language: str, article_id: int, base: str) -> Rendered:
    detail = _found(portal.article_detail(store, article_id), "article")
    view = presenting.present(detail.stored)
    section = view.section
    newest = (
        pages.remembered(("section", section), lambda: frontpage.section_newest(store, section))
        if section
        else None
    )
    related = frontpage.related(
        store, section=section, language=view.language, story_key=detail.story_key, newest=newest
    )
    first = _first_published(view, detail)
    kept = images.picture(store, article_id)
    head = seo.article_seo(base, language, detail.stored, kept)
    photo = kept if pages.kept_photos else pages.pictures(article_id)  # read once for both
    written = drafts.reader_view(store, article_id)  # the newsroom's rich text, correction time
    shown: dict[str, Any] = {
        "article": view,
        "detail": detail,
        "related": related,
        "first": first,
        "photo": photo,
        "coverage_shown": portal.COVERAGE_SHOWN,
    }
    if written is None:
        return pages.render("article.html", language, seo=head, **shown)
    updated = written.updated.isoformat(timespec="seconds") if written.updated else None
    if written.slug:  # the editor's words of the address, any script, percent-encoded as UTF-8
        head = replace(head, canonical=f"{head.canonical}/{quote(written.slug, safe='')}")
    if written.summary:
        head = replace(head, description=written.summary)
    return pages.render(
        "article.html",
        language,
        seo=head,
        **shown,
        rich=Markup(written.body_html),  # sanitised by nh3 (akhbar.extract.richtext)
        tags=written.tags,
        updated=updated,
        updated_label=format_published(updated, language),
    )


def _first_published(
    view: presenting.ArticleView, detail: portal.ArticleDetail
) -> presenting.ArticleView | ArticleSummary:
    """Who published the story (or this text) first: this article, a copy of it or other coverage."""
    same = [c.article for c in detail.copies if c.relation == "same"]
    candidates: list[presenting.ArticleView | ArticleSummary] = [view, *same, *detail.coverage]
    return min(candidates, key=lambda a: (not a.published, a.published or "", a.id))


def _counted(request: Request, pages: Pages, article_id: int, response: Response) -> Response:
    """Count a read of the article (not a prefetch, not an error); a due batch is written after
    the answer is sent, so the reader never waits for it and the page cache is not involved.
    The page given again by the front cache, without this route, counts a read each time too."""
    if response.status_code == 200:
        request.scope[ON_REPEAT] = functools.partial(_read_again, pages.reads, article_id)
    if response.status_code in (200, 304) and not _prefetch(request.headers) and pages.reads.add(article_id):
        response.background = BackgroundTask(pages.reads.flush)
    return response


def _prefetch(headers: Headers) -> bool:
    return "prefetch" in (headers.get("sec-purpose") or headers.get("purpose") or "")


def _read_again(reads: ReadCounter, article_id: int, scope: Scope) -> None:
    """A read of the article whose page the front cache gave again (not a prefetch); a due batch
    is written in a worker thread."""
    if not _prefetch(Headers(scope=scope)) and reads.add(article_id):
        asyncio.get_running_loop().run_in_executor(None, reads.flush)


@router.get("/")
async def home_negotiated(request: Request, store: AppStore, pages: PortalPages) -> Response:
    language = negotiate(request.headers.get("accept-language"))
    base = seo.base_url(request)
    return await pages.respond(
        request, language, lambda: _home(pages, store, language, base), negotiated=True
    )


@router.get("/search")
async def search_negotiated(request: Request) -> Response:
    language = negotiate(request.headers.get("accept-language"))
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(
        f"/{language}/search{query}", status_code=307, headers={"Vary": "Accept-Language"}
    )


@router.get("/{lang:lang}")
async def home_without_slash(lang: str) -> Response:
    return RedirectResponse(f"/{lang}/", status_code=308)


@router.get("/{lang:lang}/")
async def home_page(request: Request, store: AppStore, pages: PortalPages, lang: str) -> Response:
    language = lang
    base = seo.base_url(request)
    return await pages.respond(request, language, lambda: _home(pages, store, language, base))


@router.get("/articles/{article_id}")
async def article_negotiated(
    request: Request, store: AppStore, pages: PortalPages, article_id: ArticleId
) -> Response:
    language = negotiate(request.headers.get("accept-language"))
    base = seo.base_url(request)
    answer = await pages.respond(
        request,
        language,
        lambda: _article(pages, store, language, article_id, base),
        negotiated=True,
        inline=True,  # a handful of short reads by key
    )
    return _counted(request, pages, article_id, answer)


@router.get("/{lang:lang}/articles/{article_id}/{slug}")
async def article_with_slug(request: Request, lang: str, article_id: ArticleId, slug: str) -> Response:
    """An article's address with its editor's slug (any script, percent-encoded); the number decides."""
    return await article_page(request, lang, article_id)


@router.get("/{lang:lang}/articles/{article_id}")
async def article_page(request: Request, lang: str, article_id: ArticleId) -> Response:
    language = lang
    store, pages = _served(request)
    base = seo.base_url(request)
    answer = await pages.respond(
        request, language, lambda: _article(pages, store, language, article_id, base), inline=True
    )
    return _counted(request, pages, article_id, answer)


@router.get("/{lang:lang}/stories/{key}")
async def story_page(
    request: Request,
    lang: str,
    key: str,
    older: str | None = Query(None, max_length=500, description="a story's older coverage: its cursor"),
) -> Response:
    language = lang
    store, pages = _served(request)

    def render() -> Rendered:
        story = _found(portal.story(store, key), "story")
        listed, next_older = (
            portal.older_coverage(store, story, older) if older is not None else (None, story.older)
        )
        view = frontpage.story_view(store, story, listed)
        title = interface(language).gettext("Number of sources over time")
        chart = charts.sources_over_time(
            view.sources_over_time, zone=pages.zone, language=language, title=title
        )
        head = story.headline(language)
        return pages.render(
            "story.html",
            language,
            story=story,
            view=view,
            chart=chart,
            head=head,
            story_read=portal.STORY_READ,
            older_page=older is not None,
            next_older=next_older,
        )

    return await pages.respond(request, language, render, inline=True)  # its articles, read by story


@router.get("/{lang:lang}/sources/{site}")
async def source_page(
    request: Request, store: AppStore, pages: PortalPages, lang: str, site: str
) -> Response:
    language = lang

    def render() -> Rendered:
        found = portal.listing(store, portal.Filters(site_name=site), limit=50)
        items = _found(found.items or None, "source")
        return pages.render("source.html", language, site=site, items=items, also_in=found.also_in)

    return await pages.respond(request, language, render)


@router.get("/{lang:lang}/section/{name}")
async def section_page(
    request: Request, store: AppStore, pages: PortalPages, lang: str, name: str, language: str | None = None
) -> Response:
    ui_language = lang
    filter_language = language if language in LANGUAGES else None
    base = seo.base_url(request)

    def render() -> Rendered:
        found = _found(portal.section(store, name, language=filter_language), "section")
        head = seo.page_seo(base, ui_language, SECTIONS[name][0], f"/{ui_language}/section/{name}")
        return pages.render(
            "section.html",
            ui_language,
            section=name,
            current_section=name,
            listing=found,
            also_in=found.also_in,
            filter_language=filter_language,
            seo=head,
        )

    return await pages.respond(request, ui_language, render)


@router.get("/{lang:lang}/sources/")
async def sources_page(request: Request, store: AppStore, pages: PortalPages, lang: str) -> Response:
    language = lang

    def render() -> Rendered:
        return pages.render("sources.html", language, sites=portal.sites(store))

    return await pages.respond(request, language, render)


@router.get("/{lang:lang}/search")
async def search_page(
    request: Request,
    lang: str,
    q: str = Query("", max_length=200),
    language: str | None = None,
    page: int = Query(1, ge=1, le=portal.LAST_PAGE),
) -> Response:
    ui_language = lang
    filter_language = language if language in LANGUAGES else None
    store, pages = _served(request)

    def render() -> Rendered:
        found = portal.search_page(store, q, language=filter_language, number=page)
        links = {
            "previous": _search_href(ui_language, q, filter_language, page - 1) if page > 1 else None,
            "next": _search_href(ui_language, q, filter_language, page + 1) if found.more else None,
        }
        return pages.render(
            "search.html",
            ui_language,
            query=q,
            results=[presenting.result(item, ui_language) for item in found.results],
            first=(page - 1) * portal.PAGE_SIZE + 1,
            links=links,
            filter_language=filter_language,
        )

    return await pages.respond(request, ui_language, render)


def _search_href(ui_language: str, q: str, language: str | None, page: int) -> str:
    """The search page's address for another page of the same query and filters."""
    query: dict[str, str | int] = {"q": q}
    if language:
        query["language"] = language
    if page > 1:
        query["page"] = page
    return f"/{ui_language}/search?{urlencode(query)}"


# A request is matched against the routes in order, twice (FastAPI's router, then the included one):
# the pages asked for most without a kept answer come first, which took about 80 µs off an article
# page (of 1.8 ms). No two of these routes take one path (tests/test_portal.py checks), so their
# order decides nothing else.
_MOST_ASKED = (
    "/{lang:lang}/articles/{article_id}",
    "/{lang:lang}/stories/{key}",
    "/{lang:lang}/search",
    "/{lang:lang}/section/{name}",
)


def _asked_order(route: object) -> int:
    path = getattr(route, "path", "")
    return _MOST_ASKED.index(path) if path in _MOST_ASKED else len(_MOST_ASKED)


router.routes.sort(key=_asked_order)
