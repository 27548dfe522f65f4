"""``/api/v1/sources``: the sites articles are attributed to, with their article counts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from akhbar.services import portal
from akhbar.web import schemas
from akhbar.web.api import PREFIX, answer
from akhbar.web.dependencies import AppStore, Cache

router = APIRouter(prefix=PREFIX, tags=["v1"])


@router.get(
    "/sources",
    response_model=schemas.SiteList,
    summary="Sites articles are attributed to, with their article counts",
)
async def sources(request: Request, store: AppStore, cache: Cache) -> Response:
    def make() -> dict[str, Any]:
        return {"sources": [{"site_name": s, "articles": n} for s, n in portal.sites(store)]}

    return await answer(request, cache, schemas.SiteList, make)
