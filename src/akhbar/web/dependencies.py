"""What routes ask FastAPI for with ``Depends``: the app's store and renderers, the signed-in editor,
the admin role, and newsroom forms checked against cross-site requests.

The store, the response cache and the renderers are the app's (``request.app.state``, set by
:func:`akhbar.web.app.create_app`), never module globals, so two apps over two stores can run in one
process. The dependencies that only read or check are ``async``, so they cost no worker thread;
the session is read from the database in one. Newsroom security:

- a page needs a signed-in session (the ``akhbar_session`` cookie); without one :class:`SignInRequired`
  is raised, and the app answers with a redirect to the sign-in page;
- a form must come from this site (a browser's Origin or Referer names the host) as
  ``application/x-www-form-urlencoded`` and under 512 KiB, and, except the sign-in form, carry the
  session's form token (compared in constant time); a form sent without a session is refused (403);
- what only an admin may do is refused (403) to editors, saying what it was.

FastAPI solves these before it validates a route's path and query parameters, so a newsroom URL with
a malformed number is answered like any other (sign in first) until the editor is signed in.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import Depends, HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from akhbar.config import Settings
from akhbar.services import editorial
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.web.caching import ResponseCache
from akhbar.web.newsroom import SESSION_COOKIE, Newsroom
from akhbar.web.pages import Pages

COOKIE = SESSION_COOKIE
MAX_FORM_BYTES = 512 * 1024


async def app_store(request: Request) -> Store:
    """The store the app serves."""
    found: Store = request.app.state.store
    return found


async def response_cache(request: Request) -> ResponseCache:
    """The app's cache of rendered answers (pages, feeds, API), per data version."""
    found: ResponseCache = request.app.state.cache
    return found


async def portal_pages(request: Request) -> Pages:
    """The portal's page renderer."""
    found: Pages = request.app.state.pages
    return found


async def newsroom_pages(request: Request) -> Newsroom:
    """The newsroom's page renderer."""
    found: Newsroom = request.app.state.newsroom
    return found


async def fetch_settings(request: Request) -> Settings | None:
    """What the fetcher obeys when admins follow sources from the newsroom; None: they may not."""
    found: Settings | None = request.app.state.settings
    return found


async def story_grouping(request: Request) -> Grouping:
    """How the app places editors' articles in stories."""
    found: Grouping = request.app.state.grouping
    return found


AppStore = Annotated[Store, Depends(app_store)]
Cache = Annotated[ResponseCache, Depends(response_cache)]
PortalPages = Annotated[Pages, Depends(portal_pages)]
NewsroomPages = Annotated[Newsroom, Depends(newsroom_pages)]
FetchSettings = Annotated[Settings | None, Depends(fetch_settings)]
StoryGrouping = Annotated[Grouping, Depends(story_grouping)]


class SignInRequired(Exception):
    """A newsroom page was asked for without a valid session; answered by :func:`to_sign_in`."""


async def to_sign_in(request: Request, exc: SignInRequired) -> Response:
    """The redirect to the sign-in page, which comes back to the page asked for."""
    return RedirectResponse(f"/admin/login?next={quote(request.url.path, safe='/')}", status_code=303)


def current_session(request: Request, store: AppStore) -> editorial.Session | None:
    """The session of the request's cookie, or None (absent, unknown, expired, account disabled)."""
    return editorial.session(store, request.cookies.get(COOKIE))


CurrentSession = Annotated[editorial.Session | None, Depends(current_session)]


async def signed_in(session: CurrentSession) -> editorial.Session:
    """The signed-in editor's session; without one, :class:`SignInRequired` (a redirect to sign in)."""
    if session is None:
        raise SignInRequired
    return session


Editor = Annotated[editorial.Session, Depends(signed_in)]


def same_origin(request: Request) -> bool:
    """A browser's POST names its origin; one from another site is refused (absent: a non-browser)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


async def posted_form(request: Request) -> dict[str, str]:
    """The fields of a form sent from this site (the first value of each), or 403, 415, 413 or 400."""
    if not same_origin(request):
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


PostedForm = Annotated[dict[str, str], Depends(posted_form)]


@dataclass(frozen=True)
class SignedForm:
    """A form sent by a signed-in editor from one of the newsroom's pages."""

    session: editorial.Session
    fields: dict[str, str]


async def signed_form(fields: PostedForm, session: CurrentSession) -> SignedForm:
    """The form with its sender's session, if it carries that session's form token; else 403."""
    if session is None:
        raise HTTPException(403, "Sign in first")
    sent = fields.get("csrf", "").encode()
    if not sent or not hmac.compare_digest(sent, session.csrf.encode()):
        raise HTTPException(403, "The form has expired; reload the page and send it again")
    return SignedForm(session, fields)


Signed = Annotated[SignedForm, Depends(signed_form)]


def _refuse_unless_admin(session: editorial.Session, doing: str) -> None:
    if session.user.role != "admin":
        raise HTTPException(403, f"Only an admin may {doing}")


def admin_page(doing: str) -> Callable[[editorial.Session], Awaitable[editorial.Session]]:
    """A dependency: the signed-in editor if an admin, else 403 "Only an admin may ``doing``"."""

    async def admin(session: Editor) -> editorial.Session:
        _refuse_unless_admin(session, doing)
        return session

    return admin


def admin_form(doing: str) -> Callable[[SignedForm], Awaitable[SignedForm]]:
    """A dependency: a signed form sent by an admin, else 403 "Only an admin may ``doing``"."""

    async def admin(form: Signed) -> SignedForm:
        _refuse_unless_admin(form.session, doing)
        return form

    return admin
