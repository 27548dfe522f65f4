"""Breaking news: the active flags in the API, and the newsroom's forms that flag and unflag articles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from akhbar.services import breaking
from akhbar.web import schemas
from akhbar.web.api import PREFIX, answer
from akhbar.web.dependencies import AppStore, Cache, Signed, signed_form
from akhbar.web.newsroom import RowId
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


@router.post("/admin/breaking", include_in_schema=False)
def flag(store: AppStore, form: Signed) -> Response:
    """Flag an article (or its whole story) as breaking for a while."""
    fields = form.fields
    try:
        article_id = int(fields.get("article_id", ""))
        until = breaking.parse_until(fields.get("duration", "2h"))
    except ValueError:
        raise HTTPException(400, "Give the number of an article") from None
    breaking.flag_article(
        store,
        article_id,
        until,
        story=fields.get("story") == "on",
        note=fields.get("note", "").strip()[:500] or None,
        created_by=form.session.user.email,
    )
    return RedirectResponse("/admin/", status_code=303)


@router.post("/admin/breaking/{flag_id}/remove", include_in_schema=False, dependencies=[Depends(signed_form)])
def unflag(store: AppStore, flag_id: RowId) -> Response:
    breaking.remove_flag(store, flag_id)
    return RedirectResponse("/admin/", status_code=303)
