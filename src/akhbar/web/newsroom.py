"""The newsroom's pages under ``/admin``: rendered in the editor's language, never cached nor framed.

Editors sign in, write and edit articles, flag breaking news; admins also manage accounts and sources.
The routes are in :mod:`akhbar.web.routes` (``newsroom_*`` and ``breaking``); who may do what is
checked by :mod:`akhbar.web.dependencies`. What editors type is shown with ``dir="auto"``, so Arabic
reads right to left as it is typed. The newsroom speaks Arabic, French or English: the ``ui`` query
parameter chooses (and is remembered in a cookie), else the browser's Accept-Language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Path as PathParam
from starlette.requests import Request
from starlette.responses import HTMLResponse

from akhbar.config import DEFAULT_TIMEZONE
from akhbar.errors import InputError
from akhbar.models import as_utc
from akhbar.services import editorial, portal
from akhbar.services.editorial import Draft
from akhbar.web.i18n import LANGUAGES, interface, negotiate
from akhbar.web.pages import rendered

UI_COOKIE = "akhbar_ui"
LANGUAGE_CHOICES = (("ar", "العربية"), ("fr", "Français"), ("en", "English"))
DURATIONS = (("30m", "30 minutes"), ("1h", "1 hour"), ("2h", "2 hours"), ("6h", "6 hours"), ("1d", "1 day"))
RowId = Annotated[int, PathParam(ge=1, le=portal.MAX_ID)]
# With the headers every answer carries (akhbar.web.middleware: the Content-Security-Policy, no framing).
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}


def said(problem: InputError, gettext: Callable[[str], str]) -> list[str]:
    """What a refusal says, in the newsroom's language: one line per problem.

    An error made with :meth:`InputError.about` is translated from its template and then filled;
    a draft's problems (joined with "; ") are translated one by one.
    """
    if problem.template is not None:
        return [gettext(problem.template).format(**problem.values)]
    return [gettext(part) for part in str(problem).split("; ")]


def language(request: Request) -> str:
    """The interface language: ``?ui=``, else the remembered choice, else Accept-Language."""
    chosen = request.query_params.get("ui")
    found = chosen if chosen in LANGUAGES else request.cookies.get(UI_COOKIE)
    if found in LANGUAGES:
        return str(found)
    return negotiate(request.headers.get("accept-language"))


class Newsroom:
    """Renders the newsroom's pages in the editor's language, with headers that forbid caching and framing."""

    def __init__(self, env: jinja2.Environment, *, site_name: str, timezone: str = DEFAULT_TIMEZONE) -> None:
        self.env = env
        self.site_name = site_name
        self.timezone = timezone
        self.zone = ZoneInfo(timezone)

    def local(self, moment: datetime | None) -> str:
        """A time as the newsroom reads it: ``2026-12-05 10:30`` in its time zone (empty for None)."""
        return "" if moment is None else as_utc(moment).astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    @staticmethod
    def moment_of(published: str | None) -> datetime | None:
        """An article's ISO 8601 time with its offset, as a moment (None for a date alone or none)."""
        try:
            found = datetime.fromisoformat(published or "")
        except ValueError:
            return None
        return found if found.tzinfo is not None else None

    def local_input(self, moment: datetime | None) -> str:
        """A time as ``<input type=datetime-local>`` shows it, in the newsroom's time zone."""
        return "" if moment is None else as_utc(moment).astimezone(self.zone).strftime("%Y-%m-%dT%H:%M")

    def parse_local(self, text: str) -> datetime:
        """A ``datetime-local`` value, read in the newsroom's time zone, as UTC; else :class:`InputError`."""
        try:
            naive = datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M")
        except ValueError:
            raise InputError.about("choose the publication date and time") from None
        return naive.replace(tzinfo=self.zone).astimezone(UTC)

    def page(self, request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """The template ``name`` rendered for ``request``; remembers a language chosen with ``?ui=``."""
        chosen = request.query_params.get("ui")
        ui_language = language(request)
        ui = interface(ui_language)
        values = dict(
            lang=ui_language,
            dir=ui.direction,
            _=ui.gettext,
            ngettext=ui.ngettext,
            said=lambda problem: said(problem, ui.gettext),
            languages=LANGUAGE_CHOICES,
            durations=DURATIONS,
            local=self.local,
            local_input=self.local_input,
            moment_of=self.moment_of,
            timezone=self.timezone,
            here=request.url.path if request.method == "GET" else "/admin/",
            **context,
        )
        html = rendered(self.env.get_template(name), values)
        response = HTMLResponse(html, status_code=status_code, headers=HEADERS)
        if chosen in LANGUAGES:
            response.set_cookie(
                UI_COOKIE, ui_language, max_age=365 * 86400, path="/admin", httponly=True, samesite="lax"
            )
        return response

    def draft(self, form: dict[str, str]) -> Draft:
        """The article a form describes; published under the site's name unless the form names another."""
        chosen = (value for name, value in form.items() if name.startswith("account_author_"))
        typed = form.get("authors", "").split(",")
        authors = tuple(dict.fromkeys(a.strip() for a in (*chosen, *typed) if a.strip()))
        return Draft(
            title=form.get("title", "").strip(),
            body=form.get("body", "").replace("\r\n", "\n"),
            language=form.get("language", "").strip(),
            site_name=form.get("site_name", "").strip() or self.site_name,
            authors=authors,
            image_url=form.get("image_url", "").strip() or None,
            image_caption=form.get("image_caption", "").strip() or None,
            published=form.get("published", "").strip() or None,
            section=form.get("section", "").strip() or None,
            summary=" ".join(form.get("summary", "").split()) or None,
            tags=tuple(dict.fromkeys(t.strip() for t in form.get("tags", "").split(",") if t.strip())),
            slug=form.get("slug", "").strip() or None,
            markup=form.get("markup", "plain").strip() or "plain",
        )


SESSION_COOKIE = "akhbar_session"  # akhbar.web.dependencies.COOKIE


def refusal(request: Request, status: int, detail: str | InputError) -> HTMLResponse:
    """An error under ``/admin`` (403, 404, 400...) said in the newsroom's language and layout:
    an HTTP error's English detail (a catalog message) or a service's :class:`InputError`."""
    pages: Newsroom = request.app.state.newsroom
    session = editorial.session(request.app.state.store, request.cookies.get(SESSION_COOKIE))
    problem = detail if isinstance(detail, InputError) else InputError(detail)
    return pages.page(request, "admin_error.html", status, session=session, status=status, problem=problem)
