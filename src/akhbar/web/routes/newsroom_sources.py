"""``/admin/sources``: the sources followed and the pages refused; admins follow and drop sources.

Following a source fetches it, so admins may do so only when the app was given the fetcher's
settings (``akhbar serve`` gives them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from akhbar.config import Settings
from akhbar.errors import AkhbarError
from akhbar.services import articles, editorial, sources
from akhbar.services.fetching import open_runtime
from akhbar.store import Store
from akhbar.web.dependencies import (
    AppStore,
    Editor,
    FetchSettings,
    NewsroomPages,
    SignedForm,
    StoryGrouping,
    admin_form,
)
from akhbar.web.newsroom import Newsroom, RowId

CHANGE = "change the sources"

router = APIRouter(prefix="/admin", include_in_schema=False)


@dataclass(frozen=True)
class Change:
    """An admin's signed form to change the sources, and the settings the fetcher obeys."""

    form: SignedForm
    settings: Settings


async def change(form: Annotated[SignedForm, Depends(admin_form(CHANGE))], settings: FetchSettings) -> Change:
    """A dependency: the form, when sent by an admin of an app that may fetch; else 403."""
    if settings is None:
        raise HTTPException(403, f"Only an admin may {CHANGE}")
    return Change(form, settings)


def _followed(
    request: Request,
    pages: Newsroom,
    store: Store,
    session: editorial.Session,
    may_fetch: bool,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """The sources followed, with their health, and the pages refused lately."""
    return pages.page(
        request,
        "admin_sources.html",
        status_code,
        session=session,
        sources=sources.list_sources(store),
        rejections=articles.list_rejections(store, limit=100),
        can_manage=may_fetch and session.user.role == "admin",
        **context,
    )


@router.get("/sources")
def followed(
    request: Request, store: AppStore, pages: NewsroomPages, session: Editor, settings: FetchSettings
) -> Response:
    return _followed(request, pages, store, session, settings is not None)


@router.post("/sources")
async def follow(
    request: Request,
    store: AppStore,
    grouping: StoryGrouping,
    pages: NewsroomPages,
    changing: Annotated[Change, Depends(change)],
) -> Response:
    """Discover what a URL is (a feed, a sitemap, a page) and follow it; a refusal says why."""
    fields = changing.form.fields
    url = fields.get("url", "").strip()
    try:
        async with open_runtime(store, changing.settings, grouping) as runtime:
            await sources.add_source(
                runtime,
                url,
                name=fields.get("name", "").strip() or None,
                language=fields.get("language") or None,
            )
    except AkhbarError as exc:
        return await run_in_threadpool(
            _followed, request, pages, store, changing.form.session, True, 400, error=str(exc), url=url
        )
    return RedirectResponse("/admin/sources", status_code=303)


@router.post("/sources/{source_id}/remove", dependencies=[Depends(change)])
def unfollow(store: AppStore, source_id: RowId) -> Response:
    sources.remove_source(store, source_id)
    return RedirectResponse("/admin/sources", status_code=303)
