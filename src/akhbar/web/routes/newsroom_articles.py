"""``/admin/`` and ``/admin/articles``: the newsroom's articles through their life cycle.

One form writes and edits an article; its buttons save a draft, schedule it (a local date and time
in the newsroom's time zone), publish it now, or publish a correction. The form's script
(``static/newsroom.js``) autosaves it and shows the sanitised text as it is typed; "Preview" shows
it in the portal's own article page. Who may do what is :mod:`akhbar.services.drafts`'.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from akhbar.errors import InputError
from akhbar.services import drafts, editorial, media
from akhbar.services.editorial import Draft
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.web import newsroom, presenting
from akhbar.web.dependencies import (
    AppStore,
    Editor,
    NewsroomPages,
    PortalPages,
    Signed,
    SignedForm,
    StoryGrouping,
)
from akhbar.web.newsroom import HEADERS, Newsroom, RowId
from akhbar.web.previewing import preview_page

router = APIRouter(prefix="/admin", include_in_schema=False)
STATES = ("draft", "scheduled", "published", "withdrawn")
ACTIONS = ("save", "publish", "schedule", "unschedule")


@router.get("/")
def home(request: Request, store: AppStore, pages: NewsroomPages, session: Editor) -> Response:
    """The newsroom's articles, most recently changed first; of one state, or matching a search."""
    state = request.query_params.get("state") or None
    query = (request.query_params.get("q") or "").strip()[:200] or None
    return pages.page(
        request,
        "admin_home.html",
        session=session,
        entries=drafts.entries(store, state=state if state in STATES else None, query=query),
        states=STATES,
        state=state,
        query=query or "",
        done=request.query_params.get("done"),
        article_path=presenting.article_path,
    )


def _form(
    request: Request,
    pages: Newsroom,
    store: Store,
    session: editorial.Session,
    draft: Draft,
    entry: drafts.Entry | None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    accounts = [u for u in editorial.list_users(store) if u.disabled_at is None][:25]
    return pages.page(
        request,
        "admin_article.html",
        status_code,
        session=session,
        draft=draft,
        entry=entry,
        accounts=accounts,
        may_publish=drafts.may_publish(session.user),
        items=media.library(store, limit=12),
        done=request.query_params.get("done"),
        article_path=presenting.article_path,
        **context,
    )


@router.get("/articles/new")
def new_article(request: Request, store: AppStore, pages: NewsroomPages, session: Editor) -> Response:
    """An empty form, in the editor's language and under the site's name, signed by the editor."""
    draft = Draft(
        "", "", newsroom.language(request), pages.site_name, (session.user.display_name,), markup="markdown"
    )
    return _form(request, pages, store, session, draft, None)


def _found(store: Store, entry_id: int) -> tuple[drafts.Entry, Draft]:
    found = drafts.latest(store, entry_id)
    if found is None:
        raise HTTPException(404, "No article written here has this number")
    return found


@router.get("/articles/{entry_id}/edit")
def edit_article(
    request: Request, store: AppStore, pages: NewsroomPages, session: Editor, entry_id: RowId
) -> Response:
    entry, draft = _found(store, entry_id)
    return _form(request, pages, store, session, draft, entry)


class Refused(Exception):
    """The form was saved (``entry``, None when not) but what its button asked was refused."""

    def __init__(self, entry: drafts.Entry | None, problem: InputError) -> None:
        super().__init__(str(problem))
        self.entry = entry
        self.problem = problem


def _act(
    store: Store, grouping: Grouping, pages: Newsroom, form: SignedForm, entry_id: int | None
) -> tuple[drafts.Entry, str]:
    """Save the form as a revision, then do what its button says; returns the entry and what was done.

    A refusal before saving (a contributor publishing, a time missing) saves nothing; a refusal of
    the action (an incomplete article published) keeps the saved draft. Either is :class:`Refused`.
    """
    fields, user = form.fields, form.session.user
    action = fields.get("action", "publish")  # a form without buttons (older clients) publishes
    try:
        if action not in ACTIONS:
            raise InputError.about("unknown action {action}", action=action[:40])
        if action != "save" and not drafts.may_publish(user):
            raise InputError.about("only an editor may publish, schedule or withdraw articles")
        when = pages.parse_local(fields.get("publish_at", "")) if action == "schedule" else None
        entry = drafts.save(store, user, pages.draft(fields), entry_id=entry_id)
    except InputError as exc:
        raise Refused(None, exc) from None
    try:
        if action == "publish":
            first = entry.state != "published"
            return drafts.publish(store, grouping, user, entry.id), "published" if first else "corrected"
        if when is not None:
            return drafts.schedule(store, user, entry.id, when), "scheduled"
        if action == "unschedule":
            drafts.unschedule(store, user, entry.id)
    except InputError as exc:
        raise Refused(entry, exc) from None
    return entry, "saved"


def _save(
    request: Request,
    store: Store,
    grouping: Grouping,
    pages: Newsroom,
    form: SignedForm,
    entry_id: int | None,
) -> Response:
    """Do what the form asks; a refusal comes back in the form, with everything typed kept."""
    try:
        entry, done = _act(store, grouping, pages, form, entry_id)
    except Refused as refused:
        found = refused.entry
        if found is None and entry_id is not None:
            latest = drafts.latest(store, entry_id)
            found = latest[0] if latest else None
        return _form(
            request,
            pages,
            store,
            form.session,
            pages.draft(form.fields),
            found,
            400,
            problem=refused.problem,
            publish_at=form.fields.get("publish_at", ""),
        )
    published = f"&article={entry.article_id}" if done in ("published", "corrected") else ""
    return RedirectResponse(f"/admin/articles/{entry.id}/edit?done={done}{published}", status_code=303)


@router.post("/articles/autosave")
def autosave_new(store: AppStore, pages: NewsroomPages, form: Signed) -> Response:
    return _autosave(store, pages, form, None)


@router.post("/articles/preview")
def preview(
    request: Request, store: AppStore, pages: NewsroomPages, portal_pages: PortalPages, form: Signed
) -> Response:
    """The article as readers will see it, in the portal's own page (``?part=body``: its text only)."""
    draft = pages.draft(form.fields)
    if request.query_params.get("part") == "body":
        return HTMLResponse(drafts.body_html(draft), headers=HEADERS)
    return preview_page(portal_pages, draft, store)


@router.post("/articles")
def create_article(
    request: Request, store: AppStore, grouping: StoryGrouping, pages: NewsroomPages, form: Signed
) -> Response:
    return _save(request, store, grouping, pages, form, None)


@router.post("/articles/{entry_id}")
def update_article(
    request: Request,
    store: AppStore,
    grouping: StoryGrouping,
    pages: NewsroomPages,
    form: Signed,
    entry_id: RowId,
) -> Response:
    return _save(request, store, grouping, pages, form, entry_id)


@router.post("/articles/{entry_id}/autosave")
def autosave(store: AppStore, pages: NewsroomPages, form: Signed, entry_id: RowId) -> Response:
    return _autosave(store, pages, form, entry_id)


def _autosave(store: Store, pages: Newsroom, form: SignedForm, entry_id: int | None) -> Response:
    """Keep the form as the author's autosave: ``{"entry": id, "saved_at": local time}`` or the problem."""
    try:
        entry = drafts.save(
            store, form.session.user, pages.draft(form.fields), entry_id=entry_id, kind="autosave"
        )
    except InputError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400, headers=HEADERS)
    body = {"entry": entry.id, "saved_at": pages.local(entry.updated_at), "timezone": pages.timezone}
    return JSONResponse(body, headers=HEADERS)


@router.post("/articles/{entry_id}/withdraw")
def withdraw_article(
    request: Request, store: AppStore, grouping: StoryGrouping, form: Signed, entry_id: RowId
) -> Response:
    """Take an article off the portal (and its stories); a refusal is said in the newsroom's layout."""
    try:
        drafts.withdraw(store, grouping, form.session.user, entry_id)
    except InputError as exc:
        return newsroom.refusal(request, 403 if "only" in (exc.template or "") else 400, exc)
    return RedirectResponse(f"/admin/articles/{entry_id}/edit?done=withdrawn", status_code=303)
