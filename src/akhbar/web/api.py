"""The JSON API under /api/v1, documented by OpenAPI at /api/docs; responses cached per data version."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from starlette.responses import Response

from akhbar.services import breaking, portal
from akhbar.services.portal import MAX_ID, SECTIONS
from akhbar.store import Store
from akhbar.web.caching import Rendered, ResponseCache
from akhbar.web.presenting import flag_json, story_json, summary_json

ISO_TIME = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
JSON = "application/json"
SECTION = f"^({'|'.join(SECTIONS)})$"


Answer = Callable[[Request, Callable[[], Any]], Awaitable[Response]]


def router(store: Store, cache: ResponseCache) -> APIRouter:
    """The API's route table; every answer is JSON, cached per data version."""
    routes = APIRouter(prefix="/api/v1", tags=["v1"])

    async def answer(request: Request, make: Callable[[], Any]) -> Response:
        def render() -> Rendered:
            return Rendered(json.dumps(make(), ensure_ascii=False).encode(), JSON)

        return await cache.respond(request, f"api|{request.url.path}?{request.url.query}", render)

    _article_routes(routes, store, answer)
    _story_and_other_routes(routes, store, answer)
    return routes


def _article_routes(routes: APIRouter, store: Store, answer: Answer) -> None:
    @routes.get("/articles", summary="Articles, newest first, with cursor pagination")
    async def articles(
        request: Request,
        language: str | None = Query(None, min_length=2, max_length=8, pattern="^[a-z-]+$"),
        source: int | None = Query(
            None, ge=1, le=MAX_ID, description="source id (feeds and sites akhbar polls)"
        ),
        site: str | None = Query(None, min_length=1, max_length=200, description="site name, as attributed"),
        story: int | None = Query(None, ge=1, le=MAX_ID, description="story id"),
        section: str | None = Query(None, pattern=SECTION, description=f"section: {', '.join(SECTIONS)}"),
        since: str | None = Query(None, pattern=ISO_TIME, description="published at or after (ISO 8601)"),
        cursor: str | None = Query(None, max_length=500, description="next_cursor of the previous page"),
        limit: int = Query(50, ge=1, le=500),
        copies: str = Query(
            "collapse",
            pattern="^(collapse|include)$",
            description="collapse: a syndicated text once (its first listed copy, with also_in); "
            "include: every copy",
        ),
    ) -> Response:
        filters = portal.Filters(
            language=language,
            source_id=source,
            site_name=site,
            story_id=story,
            section=section,
            since=since,
            collapse=copies == "collapse",
        )

        def make() -> dict[str, Any]:
            found, next_cursor = portal.page(store, filters, cursor=cursor, limit=limit)
            also = portal.also_in(store, found) if filters.collapse else {}
            listed = [summary_json(a, also.get(a.id)) for a in found]
            return {"articles": listed, "next_cursor": next_cursor}

        return await answer(request, make)

    @routes.get("/articles/{article_id}", summary="One article (the extracted-article JSON)")
    async def article(request: Request, article_id: int = Path(ge=1, le=MAX_ID)) -> Response:
        def make() -> dict[str, Any]:
            detail = portal.article_detail(store, article_id)
            if detail is None:
                raise HTTPException(404, "No such article")
            return {**detail.stored.to_json(), "story": detail.story_key}

        return await answer(request, make)


def _story_and_other_routes(routes: APIRouter, store: Store, answer: Answer) -> None:
    @routes.get("/stories", summary="Grouped stories, most recently active first")
    async def stories(
        request: Request, limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0, le=10_000)
    ) -> Response:
        return await answer(
            request,
            lambda: {"stories": [story_json(s) for s in portal.stories(store, limit=limit, offset=offset)]},
        )

    @routes.get("/stories/{key}", summary="One story: its articles earliest first")
    async def story_one(request: Request, key: str) -> Response:
        def make() -> dict[str, Any]:
            found = portal.story(store, key)
            if found is None:
                raise HTTPException(404, "No such story")
            return story_json(found)

        return await answer(request, make)

    @routes.get("/sources", summary="Sites articles are attributed to, with their article counts")
    async def sources(request: Request) -> Response:
        return await answer(
            request,
            lambda: {"sources": [{"site_name": s, "articles": n} for s, n in portal.sites(store)]},
        )

    @routes.get("/breaking", summary="Active breaking-news flags and the articles they show")
    async def breaking_now(request: Request) -> Response:
        def make() -> dict[str, Any]:
            return {
                "flags": [flag_json(f) for f in breaking.list_flags(store, active_only=True)],
                "articles": [summary_json(a) for a in breaking.breaking_articles(store)],
            }

        return await answer(request, make)
