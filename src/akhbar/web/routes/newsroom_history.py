"""``/admin/articles/{id}/revisions``: an article's history, a diff between two revisions, a restore."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from akhbar.errors import InputError
from akhbar.services import drafts, revisions
from akhbar.web import newsroom
from akhbar.web.dependencies import AppStore, Editor, NewsroomPages, Signed
from akhbar.web.newsroom import RowId

router = APIRouter(prefix="/admin", include_in_schema=False)


def _number(text: str | None, default: int) -> int:
    try:
        return max(1, min(int(text or default), 2**31 - 1))
    except ValueError:
        return default


@router.get("/articles/{entry_id}/revisions")
def history(
    request: Request, store: AppStore, pages: NewsroomPages, session: Editor, entry_id: RowId
) -> Response:
    """Every revision, newest first, and (``?a=&b=``) what changed from ``a`` to ``b``."""
    found = drafts.latest(store, entry_id)
    if found is None:
        raise HTTPException(404, "No article written here has this number")
    entry, _ = found
    kept = revisions.history(store, entry_id)
    newer = _number(request.query_params.get("b"), entry.revision)
    older = _number(request.query_params.get("a"), max(1, newer - 1))
    try:
        changes = revisions.diff(store, entry_id, older, newer) if len(kept) > 1 else []
    except InputError as exc:
        return newsroom.refusal(request, 404, exc)
    return pages.page(
        request,
        "admin_revisions.html",
        session=session,
        entry=entry,
        revisions=kept,
        older=older,
        newer=newer,
        changes=changes,
        done=request.query_params.get("done"),
    )


@router.post("/articles/{entry_id}/revisions/{number}/restore")
def restore(request: Request, store: AppStore, form: Signed, entry_id: RowId, number: RowId) -> Response:
    """Make an older revision the newest again; publishing it shows it to readers."""
    try:
        revisions.restore(store, form.session.user, entry_id, number)
    except InputError as exc:
        return newsroom.refusal(request, 403 if "only" in (exc.template or "") else 400, exc)
    return RedirectResponse(f"/admin/articles/{entry_id}/edit?done=restored", status_code=303)
