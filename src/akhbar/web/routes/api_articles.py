"""``/api/v1/articles``: articles newest first with cursor pagination, and one article in full."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Path, Query
from starlette.requests import Request
from starlette.responses import Response

from akhbar.services import portal
from akhbar.services.languages import check_language
from akhbar.services.portal import MAX_ID, SECTIONS
from akhbar.web import schemas
from akhbar.web.api import ISO_TIME, LANGUAGE, PREFIX, SECTION, answer, real_moment
from akhbar.web.dependencies import AppStore, Cache
from akhbar.web.presenting import copies_json, summary_json

router = APIRouter(prefix=PREFIX, tags=["v1"])


@router.get(
    "/articles",
    response_model=schemas.ArticleList,
    responses=schemas.refusals(400, 422),
    summary="Articles, newest first, with cursor pagination",
)
async def articles(
    request: Request,
    store: AppStore,
    cache: Cache,
    language: str | None = Query(None, min_length=2, max_length=8, pattern=LANGUAGE),
    source: int | None = Query(None, ge=1, le=MAX_ID, description="source id (feeds and sites akhbar polls)"),
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
        language=check_language(language),  # "xx" is a 400 with the reason, not an empty list
        source_id=source,
        site_name=site,
        story_id=story,
        section=section,
        since=real_moment("since", since),
        collapse=copies == "collapse",
    )

    def make() -> dict[str, Any]:
        found, next_cursor = portal.page(store, filters, cursor=cursor, limit=limit)
        also = portal.also_in(store, found) if filters.collapse else {}
        return {"articles": [summary_json(a, also.get(a.id)) for a in found], "next_cursor": next_cursor}

    return await answer(request, cache, schemas.ArticleList, make)


@router.get(
    "/articles/{article_id}",
    response_model=schemas.Article,
    responses=schemas.refusals(404, 422),
    summary="One article (the extracted-article JSON)",
)
async def article(
    request: Request, store: AppStore, cache: Cache, article_id: int = Path(ge=1, le=MAX_ID)
) -> Response:
    def make() -> dict[str, Any]:
        detail = portal.article_detail(store, article_id)
        if detail is None:
            raise HTTPException(404, "No such article")
        return {**detail.stored.to_json(), "story": detail.story_key, "copies": copies_json(detail)}

    return await answer(request, cache, schemas.Article, make)
