"""``/admin/`` and ``/admin/articles``: the newsroom's articles, written, edited and withdrawn by editors.

An editor changes their own articles; an admin changes anyone's (:func:`editorial.may_edit`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from akhbar.errors import InputError
from akhbar.services import breaking, editorial
from akhbar.services.editorial import Draft
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.web import newsroom, presenting
from akhbar.web.dependencies import AppStore, Editor, NewsroomPages, Signed, SignedForm, StoryGrouping
from akhbar.web.newsroom import Newsroom, RowId

router = APIRouter(prefix="/admin", include_in_schema=False)


def _home(
    request: Request,
    pages: Newsroom,
    store: Store,
    session: editorial.Session,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """The newsroom's home: the articles written here and the active breaking flags."""
    return pages.page(
        request,
        "admin_home.html",
        status_code,
        session=session,
        written=editorial.written(store),
        flags=breaking.list_flags(store, active_only=True),
        article_path=presenting.article_path,
        may_edit=lambda w: editorial.may_edit(session.user, w.saved_by),
        **context,
    )


@router.get("/")
def home(request: Request, store: AppStore, pages: NewsroomPages, session: Editor) -> Response:
    return _home(request, pages, store, session, saved=request.query_params.get("saved"))


@router.get("/articles/new")
def new_article(request: Request, pages: NewsroomPages, session: Editor) -> Response:
    """An empty form, in the editor's language and under the site's name, signed by the editor."""
    draft = Draft("", "", newsroom.language(request), pages.site_name, (session.user.display_name,))
    return pages.page(
        request, "admin_article.html", session=session, draft=draft, article_id=None, problem=None
    )


@router.get("/articles/{article_id}/edit")
def edit_article(
    request: Request, store: AppStore, pages: NewsroomPages, session: Editor, article_id: RowId
) -> Response:
    revision = editorial.saved(store, article_id)
    if revision is None:
        raise HTTPException(404, "No article written here has this number")
    if not editorial.may_edit(session.user, revision.saved_by):
        raise HTTPException(403, f"This article is {revision.saved_by}'s; only an admin may edit it")
    return pages.page(
        request,
        "admin_article.html",
        session=session,
        draft=revision.draft,
        article_id=article_id,
        problem=None,
    )


def _save(
    request: Request,
    store: Store,
    grouping: Grouping,
    pages: Newsroom,
    form: SignedForm,
    article_id: int | None,
) -> Response:
    """Write a new article or a new revision; a refused draft comes back with what is wrong."""
    draft = pages.draft(form.fields)
    try:
        saved_id = editorial.write(store, grouping, form.session.user, draft, article_id=article_id)
    except InputError as exc:
        return pages.page(
            request,
            "admin_article.html",
            400,
            session=form.session,
            draft=draft,
            article_id=article_id,
            problem=exc,
        )
    return RedirectResponse(f"/admin/?saved={saved_id}", status_code=303)


@router.post("/articles")
def create_article(
    request: Request, store: AppStore, grouping: StoryGrouping, pages: NewsroomPages, form: Signed
) -> Response:
    return _save(request, store, grouping, pages, form, None)


@router.post("/articles/{article_id}")
def update_article(
    request: Request,
    store: AppStore,
    grouping: StoryGrouping,
    pages: NewsroomPages,
    form: Signed,
    article_id: RowId,
) -> Response:
    return _save(request, store, grouping, pages, form, article_id)


@router.post("/articles/{article_id}/withdraw")
def withdraw_article(
    request: Request,
    store: AppStore,
    grouping: StoryGrouping,
    pages: NewsroomPages,
    form: Signed,
    article_id: RowId,
) -> Response:
    """Take an article off the portal (and its stories); a refusal is said on the newsroom's home."""
    try:
        editorial.withdraw(store, grouping, form.session.user, article_id)
    except InputError as exc:
        return _home(request, pages, store, form.session, 400, problem=exc)
    return RedirectResponse("/admin/", status_code=303)
