"""Breaking news in the API: the active flags and the articles they show (the newsroom's desk is
:mod:`akhbar.web.routes.newsroom_breaking`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from akhbar.services import breaking
from akhbar.web import schemas
from akhbar.web.api import PREFIX, answer
from akhbar.web.dependencies import AppStore, Cache
from akhbar.web.presenting import flag_json, summary_json

router = APIRouter()


@router.get(
    f"{PREFIX}/breaking",
    tags=["v1"],
    response_model=schemas.Breaking,
    summary="Active breaking-news flags and the articles they show",
)
async def breaking_now(request: Request, store: AppStore, cache: Cache) -> Response:
    def make() -> dict[str, Any]:
        return {
            "flags": [flag_json(f) for f in breaking.list_flags(store, active_only=True)],
            "articles": [summary_json(a) for a in breaking.breaking_articles(store)],
        }

    return await answer(request, cache, schemas.Breaking, make)
