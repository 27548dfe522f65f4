"""``/admin/login`` and ``/admin/logout``: editors sign in and out of the newsroom.

The session cookie is HttpOnly and SameSite=Strict, limited to ``/admin`` (and Secure over HTTPS).
Sign-in attempts are counted per client address and per account (:mod:`akhbar.services.signin`);
past a limit, or when no password-hashing turn comes free in time, the answer is 429 with
``Retry-After`` and the sign-in page saying when to try again, in the newsroom's language.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from akhbar.services import editorial
from akhbar.web.dependencies import COOKIE, AppStore, NewsroomPages, PostedForm, signed_form
from akhbar.web.newsroom import Newsroom

router = APIRouter(prefix="/admin", include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path inside /admin (never another site) after signing in."""
    if target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target
    return "/admin/"


@router.get("/login")
def login_page(request: Request, pages: NewsroomPages, next: str | None = None) -> Response:
    return pages.page(request, "admin_login.html", next=safe_next(next), error=None)


@router.post("/login")
def login(request: Request, store: AppStore, pages: NewsroomPages, form: PostedForm) -> Response:
    """Open a session for the right email and password, and go where the editor was heading."""
    target = safe_next(form.get("next"))
    address = request.client.host if request.client else "unknown"
    try:
        user = editorial.authenticate(store, form.get("email", ""), form.get("password", ""), address=address)
    except editorial.TooManyAttempts as refused:
        return _too_many(request, pages, refused.retry_after, target, form.get("email", ""))
    if user is None:
        return pages.page(
            request, "admin_login.html", 401, next=target, error=True, email=form.get("email", "")
        )
    token, _ = editorial.open_session(store, user)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(editorial.SESSION.total_seconds()),
        path="/admin",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def _too_many(request: Request, pages: Newsroom, retry_after: int, target: str, email: str) -> Response:
    response = pages.page(
        request, "admin_login.html", 429, next=target, error=None, retry_after=retry_after, email=email
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


@router.post("/logout", dependencies=[Depends(signed_form)])
def logout(request: Request, store: AppStore) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        editorial.close_session(store, token)
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response
