"""``/api/v1/stories``: grouped stories, most recently active first, and one story with its articles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query
from starlette.requests import Request
from starlette.responses import Response

from akhbar.services import portal
from akhbar.web import schemas
from akhbar.web.api import PREFIX, answer
from akhbar.web.dependencies import AppStore, Cache
from akhbar.web.presenting import story_json

router = APIRouter(prefix=PREFIX, tags=["v1"])


@router.get(
    "/stories",
    response_model=schemas.StoryList,
    responses=schemas.refusals(422),
    summary="Grouped stories, most recently active first",
)
async def stories(
    request: Request,
    store: AppStore,
    cache: Cache,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=10_000),
) -> Response:
    def make() -> dict[str, Any]:
        return {"stories": [story_json(s) for s in portal.stories(store, limit=limit, offset=offset)]}

    return await answer(request, cache, schemas.StoryList, make)


@router.get(
    "/stories/{key}",
    response_model=schemas.Story,
    responses=schemas.refusals(404, 422),
    summary="One story: its articles earliest first",
)
async def story(request: Request, store: AppStore, cache: Cache, key: str) -> Response:
    def make() -> dict[str, Any]:
        found = portal.story(store, key)
        if found is None:
            raise HTTPException(404, "No such story")
        return story_json(found)

    return await answer(request, cache, schemas.Story, make)
