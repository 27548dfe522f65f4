"""``/admin/audit``: who did what in the newsroom, latest first (editors and admins)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.requests import Request
from starlette.responses import Response

from akhbar.services import audit, drafts
from akhbar.web.dependencies import AppStore, Editor, NewsroomPages

router = APIRouter(prefix="/admin", include_in_schema=False)


@router.get("/audit")
def audit_log(request: Request, store: AppStore, pages: NewsroomPages, session: Editor) -> Response:
    if not drafts.may_publish(session.user):
        raise HTTPException(403, "Only an editor may read the audit log")
    actor = (request.query_params.get("actor") or "").strip()[:320]
    return pages.page(
        request, "admin_audit.html", session=session, events=audit.events(store, actor=actor), actor=actor
    )
