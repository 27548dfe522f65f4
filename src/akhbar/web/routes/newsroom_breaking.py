"""``/admin/breaking``: the breaking-news desk.

Recent articles and stories (searchable) with a one-click flag and an expiry; the running flags
with who set them and when; stories the detector flagged, with their velocity, to confirm or
dismiss. Each action comes back to the desk saying what was done.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from akhbar.errors import InputError
from akhbar.services import breaking, desk
from akhbar.web import newsroom, presenting
from akhbar.web.dependencies import AppStore, Editor, NewsroomPages, Signed
from akhbar.web.newsroom import RowId

router = APIRouter(prefix="/admin", include_in_schema=False)


@router.get("/breaking")
def breaking_desk(request: Request, store: AppStore, pages: NewsroomPages, session: Editor) -> Response:
    query = (request.query_params.get("q") or "").strip()[:200]
    return pages.page(
        request,
        "admin_breaking.html",
        session=session,
        desk=desk.desk(store, query or None),
        query=query,
        done=request.query_params.get("done"),
        article_path=presenting.article_path,
        story_path=presenting.story_path,
    )


def _refused(request: Request, exc: InputError) -> Response:
    return newsroom.refusal(request, 403 if "only" in (exc.template or "") else 400, exc)


@router.post("/breaking")
def flag(request: Request, store: AppStore, pages: NewsroomPages, form: Signed) -> Response:
    """Flag an article (or its whole story) as breaking: for a while, or until a local time."""
    fields = form.fields
    try:
        try:
            article_id = int(fields.get("article_id", ""))
        except ValueError:
            raise InputError.about("give the number of an article") from None
        chosen = fields.get("until", "").strip()
        until = pages.parse_local(chosen) if chosen else breaking.parse_until(fields.get("duration", "2h"))
        desk.flag(
            store,
            form.session.user,
            article_id,
            until,
            story=fields.get("story") == "on",
            note=fields.get("note", "").strip()[:500] or None,
        )
    except InputError as exc:
        return _refused(request, exc)
    return RedirectResponse("/admin/breaking?done=flagged", status_code=303)


@router.post("/breaking/{flag_id}/{action}")
def change(request: Request, store: AppStore, form: Signed, flag_id: RowId, action: str) -> Response:
    """``remove`` a flag, or ``confirm`` / ``dismiss`` a detected one."""
    verdicts = {"confirm": "confirmed", "dismiss": "dismissed"}
    try:
        if action == "remove":
            desk.remove(store, form.session.user, flag_id)
        elif action in verdicts:
            desk.review(store, form.session.user, flag_id, verdicts[action])
        else:
            raise InputError.about("unknown action {action}", action=action[:40])
    except InputError as exc:
        return _refused(request, exc)
    done = {"remove": "removed", **verdicts}[action]
    return RedirectResponse(f"/admin/breaking?done={done}", status_code=303)
