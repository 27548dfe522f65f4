"""``/admin/users``: admins add editors' accounts and disable or enable them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from akhbar.errors import InputError
from akhbar.services import editorial
from akhbar.store import Store
from akhbar.web.dependencies import AppStore, NewsroomPages, SignedForm, admin_form, admin_page
from akhbar.web.newsroom import Newsroom, RowId

ACCOUNTS = "manage accounts"
Admin = Annotated[editorial.Session, Depends(admin_page(ACCOUNTS))]
AdminForm = Annotated[SignedForm, Depends(admin_form(ACCOUNTS))]

router = APIRouter(prefix="/admin", include_in_schema=False)


def _accounts(
    request: Request,
    pages: Newsroom,
    store: Store,
    session: editorial.Session,
    status_code: int = 200,
    **context: Any,
) -> Response:
    return pages.page(
        request,
        "admin_users.html",
        status_code,
        session=session,
        users=editorial.list_users(store),
        roles=editorial.ROLES,
        **context,
    )


@router.get("/users")
def accounts(request: Request, store: AppStore, pages: NewsroomPages, session: Admin) -> Response:
    return _accounts(request, pages, store, session)


@router.post("/users")
def add_account(request: Request, store: AppStore, pages: NewsroomPages, form: AdminForm) -> Response:
    """Add an account; a refusal comes back on the accounts page, with the email typed."""
    fields = form.fields
    email = fields.get("email", "")
    try:
        editorial.add_user(
            store, email, fields.get("role", ""), fields.get("password", ""), name=fields.get("name") or None
        )
    except InputError as exc:
        return _accounts(request, pages, store, form.session, 400, problem=exc, email=email)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id}/{action}")
def switch_account(store: AppStore, form: AdminForm, action: str, user_id: RowId) -> Response:
    """Disable or enable another account (a disabled editor is signed out at once)."""
    if action not in ("disable", "enable"):
        raise HTTPException(403, f"Only an admin may {ACCOUNTS}")
    if user_id == form.session.user.id:
        raise HTTPException(400, "You cannot disable your own account")
    target = editorial.account(store, user_id)
    if target is None:
        raise HTTPException(404, "No such account")
    editorial.set_disabled(store, target.email, action == "disable")
    return RedirectResponse("/admin/users", status_code=303)
