"""``/admin``: editors sign in, write and edit articles, and flag breaking news.

Every page needs a signed-in session (:mod:`akhbar.services.editorial`); every form sends back the
session's form token, and a POST from another origin is refused, so another site cannot act for a
signed-in editor. The session cookie is HttpOnly and SameSite=Strict, limited to ``/admin``.
Responses are never cached and may not be framed. What editors type is shown with ``dir="auto"``,
so Arabic reads right to left as it is typed. The newsroom speaks Arabic, French or English: the
``ui`` query parameter chooses (and is remembered in a cookie), else the browser's Accept-Language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import jinja2
from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from akhbar.config import Settings
from akhbar.errors import AkhbarError, InputError
from akhbar.services import articles, breaking, editorial, portal, sources
from akhbar.services.editorial import Draft
from akhbar.services.fetching import open_runtime
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.web import presenting
from akhbar.web.i18n import LANGUAGES, interface, negotiate

COOKIE = "akhbar_session"
UI_COOKIE = "akhbar_ui"
MAX_FORM_BYTES = 512 * 1024
LANGUAGE_CHOICES = (("ar", "العربية"), ("fr", "Français"), ("en", "English"))
DURATIONS = (("30m", "30 minutes"), ("1h", "1 hour"), ("2h", "2 hours"), ("6h", "6 hours"), ("1d", "1 day"))
ARTICLE_ID = PathParam(ge=1, le=portal.MAX_ID)
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' https: http:; frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",
}


def said(problem: InputError, gettext: Callable[[str], str]) -> list[str]:
    """What a refusal says, in the newsroom's language: one line per problem.

    An error made with :meth:`InputError.about` is translated from its template and then filled;
    a draft's problems (joined with "; ") are translated one by one.
    """
    if problem.template is not None:
        return [gettext(problem.template).format(**problem.values)]
    return [gettext(part) for part in str(problem).split("; ")]


class Admin:
    """Renders the newsroom's pages in the editor's language and finds the signed-in session."""

    def __init__(self, store: Store, env: jinja2.Environment) -> None:
        self.store = store
        self.env = env

    @staticmethod
    def language(request: Request) -> str:
        """The interface language: ``?ui=``, else the remembered choice, else Accept-Language."""
        chosen = request.query_params.get("ui")
        language = chosen if chosen in LANGUAGES else request.cookies.get(UI_COOKIE)
        if language in LANGUAGES:
            return str(language)
        return negotiate(request.headers.get("accept-language"))

    def page(self, request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        chosen = request.query_params.get("ui")
        language = self.language(request)
        ui = interface(language)
        html = self.env.get_template(name).render(
            lang=language,
            dir=ui.direction,
            _=ui.gettext,
            said=lambda problem: said(problem, ui.gettext),
            languages=LANGUAGE_CHOICES,
            durations=DURATIONS,
            here=request.url.path if request.method == "GET" else "/admin/",
            **context,
        )
        response = HTMLResponse(html, status_code=status_code, headers=_HEADERS)
        if chosen in LANGUAGES:
            response.set_cookie(
                UI_COOKIE, language, max_age=365 * 86400, path="/admin", httponly=True, samesite="lax"
            )
        return response

    def signed_in(self, request: Request) -> editorial.Session | None:
        return editorial.session(self.store, request.cookies.get(COOKIE))


def _same_origin(request: Request) -> bool:
    """A browser's POST names its origin; one from another site is refused (absent: a non-browser)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


async def _form(request: Request) -> dict[str, str]:
    if not _same_origin(request):
        raise HTTPException(403, "This form was sent from another site")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise HTTPException(415, "Send the form as application/x-www-form-urlencoded")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, "The form is too large")
    try:
        parsed = parse_qs(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=50, strict_parsing=False
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise HTTPException(400, "The form could not be read") from exc
    return {name: values[0] for name, values in parsed.items()}


def _draft(form: dict[str, str], site_name: str) -> Draft:
    authors = tuple(a.strip() for a in form.get("authors", "").split(",") if a.strip())
    return Draft(
        title=form.get("title", "").strip(),
        body=form.get("body", "").replace("\r\n", "\n"),
        language=form.get("language", "").strip(),
        site_name=form.get("site_name", "").strip() or site_name,
        authors=authors,
        image_url=form.get("image_url", "").strip() or None,
        image_caption=form.get("image_caption", "").strip() or None,
        published=form.get("published", "").strip() or None,
        section=form.get("section", "").strip() or None,
    )


def _to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/admin/login?next={quote(request.url.path, safe='/')}", status_code=303)


def _admin_only(session: editorial.Session, doing: str) -> None:
    if session.user.role != "admin":
        raise HTTPException(403, f"Only an admin may {doing}")


def _safe_next(target: str | None) -> str:
    """Only a path inside /admin (never another site) after signing in."""
    if target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target
    return "/admin/"


def router(
    store: Store,
    env: jinja2.Environment,
    grouping: Grouping,
    *,
    site_name: str,
    settings: Settings | None = None,
) -> APIRouter:
    admin = Admin(store, env)
    routes = APIRouter(prefix="/admin", include_in_schema=False)

    async def checked(request: Request) -> tuple[editorial.Session, dict[str, str]]:
        """The session and the form of an authenticated POST, or 403."""
        form = await _form(request)
        found = await run_in_threadpool(admin.signed_in, request)
        if found is None:
            raise HTTPException(403, "Sign in first")
        if not form.get("csrf") or form["csrf"] != found.csrf:
            raise HTTPException(403, "The form has expired; reload the page and send it again")
        return found, form

    @routes.get("/login")
    async def login_page(request: Request, next: str | None = None) -> Response:
        return admin.page(request, "admin_login.html", next=_safe_next(next), error=None)

    @routes.post("/login")
    async def login(request: Request) -> Response:
        form = await _form(request)
        user = await run_in_threadpool(
            editorial.authenticate, store, form.get("email", ""), form.get("password", "")
        )
        target = _safe_next(form.get("next"))
        if user is None:
            return admin.page(
                request, "admin_login.html", 401, next=target, error=True, email=form.get("email", "")
            )
        token, _ = await run_in_threadpool(editorial.open_session, store, user)
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

    @routes.post("/logout")
    async def logout(request: Request) -> Response:
        await checked(request)
        token = request.cookies.get(COOKIE)
        if token:
            await run_in_threadpool(editorial.close_session, store, token)
        response = RedirectResponse("/admin/login", status_code=303)
        response.delete_cookie(COOKIE, path="/admin")
        return response

    @routes.get("/")
    async def home(request: Request) -> Response:
        found = await run_in_threadpool(admin.signed_in, request)
        if found is None:
            return _to_login(request)
        return await home_page(request, found, saved=request.query_params.get("saved"))

    async def home_page(
        request: Request, found: editorial.Session, status_code: int = 200, **context: Any
    ) -> Response:
        def read() -> tuple[list[editorial.Written], list[Any]]:
            return editorial.written(store), breaking.list_flags(store, active_only=True)

        written, flags = await run_in_threadpool(read)
        return admin.page(
            request,
            "admin_home.html",
            status_code,
            session=found,
            written=written,
            flags=flags,
            article_path=presenting.article_path,
            may_edit=lambda w: editorial.may_edit(found.user, w.saved_by),
            **context,
        )

    async def sources_page(
        request: Request, found: editorial.Session, status_code: int = 200, **context: Any
    ) -> Response:
        def read() -> tuple[list[Any], list[Any]]:
            return sources.list_sources(store), articles.list_rejections(store, limit=100)

        listed, rejected = await run_in_threadpool(read)
        return admin.page(
            request,
            "admin_sources.html",
            status_code,
            session=found,
            sources=listed,
            rejections=rejected,
            can_manage=settings is not None and found.user.role == "admin",
            **context,
        )

    @routes.get("/sources")
    async def followed(request: Request) -> Response:
        found = await run_in_threadpool(admin.signed_in, request)
        if found is None:
            return _to_login(request)
        return await sources_page(request, found)

    async def admin_form(request: Request) -> tuple[editorial.Session, dict[str, str], Settings]:
        found, form = await checked(request)
        if settings is None:
            raise HTTPException(403, "Only an admin may change the sources")
        _admin_only(found, "change the sources")
        return found, form, settings

    @routes.post("/sources")
    async def follow(request: Request) -> Response:
        found, form, fetching = await admin_form(request)
        url = form.get("url", "").strip()
        try:
            async with open_runtime(store, fetching, grouping) as runtime:
                await sources.add_source(
                    runtime,
                    url,
                    name=form.get("name", "").strip() or None,
                    language=form.get("language") or None,
                )
        except AkhbarError as exc:
            return await sources_page(request, found, 400, error=str(exc), url=url)
        return RedirectResponse("/admin/sources", status_code=303)

    @routes.post("/sources/{source_id}/remove")
    async def unfollow(request: Request, source_id: int = PathParam(ge=1, le=portal.MAX_ID)) -> Response:
        await admin_form(request)
        await run_in_threadpool(sources.remove_source, store, source_id)
        return RedirectResponse("/admin/sources", status_code=303)

    async def users_page(
        request: Request, found: editorial.Session, status_code: int = 200, **context: Any
    ) -> Response:
        _admin_only(found, "manage accounts")
        listed = await run_in_threadpool(editorial.list_users, store)
        return admin.page(
            request,
            "admin_users.html",
            status_code,
            session=found,
            users=listed,
            roles=editorial.ROLES,
            **context,
        )

    @routes.get("/users")
    async def accounts(request: Request) -> Response:
        found = await run_in_threadpool(admin.signed_in, request)
        if found is None:
            return _to_login(request)
        return await users_page(request, found)

    @routes.post("/users")
    async def add_account(request: Request) -> Response:
        found, form = await checked(request)
        _admin_only(found, "manage accounts")
        email = form.get("email", "")
        try:
            await run_in_threadpool(
                lambda: editorial.add_user(
                    store,
                    email,
                    form.get("role", ""),
                    form.get("password", ""),
                    name=form.get("name") or None,
                )
            )
        except InputError as exc:
            return await users_page(request, found, 400, problem=exc, email=email)
        return RedirectResponse("/admin/users", status_code=303)

    @routes.post("/users/{user_id}/{action}")
    async def switch_account(
        request: Request, action: str, user_id: int = PathParam(ge=1, le=portal.MAX_ID)
    ) -> Response:
        found, _ = await checked(request)
        _admin_only(found, "manage accounts")
        if action not in ("disable", "enable"):
            raise HTTPException(403, "Only an admin may manage accounts")
        if user_id == found.user.id:
            raise HTTPException(400, "You cannot disable your own account")
        target = await run_in_threadpool(editorial.account, store, user_id)
        if target is None:
            raise HTTPException(404, "No such account")
        await run_in_threadpool(editorial.set_disabled, store, target.email, action == "disable")
        return RedirectResponse("/admin/users", status_code=303)

    @routes.get("/articles/new")
    async def new_article(request: Request) -> Response:
        found = await run_in_threadpool(admin.signed_in, request)
        if found is None:
            return _to_login(request)
        draft = Draft("", "", admin.language(request), site_name, (found.user.display_name,))
        return admin.page(
            request, "admin_article.html", session=found, draft=draft, article_id=None, problem=None
        )

    @routes.get("/articles/{article_id}/edit")
    async def edit_article(request: Request, article_id: int = ARTICLE_ID) -> Response:
        found = await run_in_threadpool(admin.signed_in, request)
        if found is None:
            return _to_login(request)
        revision = await run_in_threadpool(editorial.saved, store, article_id)
        if revision is None:
            raise HTTPException(404, "No article written here has this number")
        if not editorial.may_edit(found.user, revision.saved_by):
            raise HTTPException(403, f"This article is {revision.saved_by}'s; only an admin may edit it")
        return admin.page(
            request,
            "admin_article.html",
            session=found,
            draft=revision.draft,
            article_id=article_id,
            problem=None,
        )

    async def save(request: Request, article_id: int | None) -> Response:
        found, form = await checked(request)
        draft = _draft(form, site_name)
        try:
            saved_id = await run_in_threadpool(
                editorial.write, store, grouping, found.user, draft, article_id=article_id
            )
        except InputError as exc:
            return admin.page(
                request,
                "admin_article.html",
                400,
                session=found,
                draft=draft,
                article_id=article_id,
                problem=exc,
            )
        return RedirectResponse(f"/admin/?saved={saved_id}", status_code=303)

    @routes.post("/articles")
    async def create_article(request: Request) -> Response:
        return await save(request, None)

    @routes.post("/articles/{article_id}")
    async def update_article(request: Request, article_id: int = ARTICLE_ID) -> Response:
        return await save(request, article_id)

    @routes.post("/articles/{article_id}/withdraw")
    async def withdraw_article(request: Request, article_id: int = ARTICLE_ID) -> Response:
        found, _ = await checked(request)
        try:
            await run_in_threadpool(editorial.withdraw, store, grouping, found.user, article_id)
        except InputError as exc:
            return await home_page(request, found, 400, problem=exc)
        return RedirectResponse("/admin/", status_code=303)

    @routes.post("/breaking")
    async def flag(request: Request) -> Response:
        found, form = await checked(request)
        try:
            article_id = int(form.get("article_id", ""))
            until = breaking.parse_until(form.get("duration", "2h"))
        except ValueError:
            raise HTTPException(400, "Give the number of an article") from None

        def add() -> None:
            breaking.flag_article(
                store,
                article_id,
                until,
                story=form.get("story") == "on",
                note=form.get("note", "").strip()[:500] or None,
                created_by=found.user.email,
            )

        await run_in_threadpool(add)
        return RedirectResponse("/admin/", status_code=303)

    @routes.post("/breaking/{flag_id}/remove")
    async def unflag(request: Request, flag_id: int = PathParam(ge=1, le=portal.MAX_ID)) -> Response:
        await checked(request)
        await run_in_threadpool(breaking.remove_flag, store, flag_id)
        return RedirectResponse("/admin/", status_code=303)

    return routes
