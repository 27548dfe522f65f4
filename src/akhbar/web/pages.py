"""The portal's page renderer: Jinja2 templates in the reader's language, cached per data version.

The routes are in :mod:`akhbar.web.routes.portal`; the newsroom renders with the same environment.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.requests import Request
from starlette.responses import Response

from akhbar.models import ArticleSummary
from akhbar.services import breaking
from akhbar.services.portal import SECTIONS, section_of
from akhbar.store import Store
from akhbar.web import presenting
from akhbar.web.caching import Rendered, ResponseCache
from akhbar.web.i18n import LANGUAGES, direction_of, format_published, interface

TEMPLATES = Path(__file__).with_name("templates")
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        dir_of=direction_of,
        languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        section_titles={"ar": "In Arabic", "fr": "In French", "en": "In English"},
        quote=lambda value: quote(value, safe=""),
        marked=presenting.marked,
        section_names={key: title for key, (title, _) in SECTIONS.items()},
        section_of=section_of,
    )
    return env


class Pages:
    """Renders pages for one store; every page shows the breaking bar when flags are active."""

    def __init__(self, store: Store, cache: ResponseCache) -> None:
        self.store = store
        self.cache = cache
        self.env = environment()
        self._breaking_now: tuple[str, list[ArticleSummary]] = ("", [])

    def _breaking(self) -> list[ArticleSummary]:
        """The breaking bar's items, read once per data version."""
        version, items = self._breaking_now
        if not version or version != self.cache.current:
            items = breaking.breaking_articles(self.store)
            self._breaking_now = (self.cache.current, items)
        return items

    def render(self, name: str, language: str, status_code: int = 200, **context: Any) -> Rendered:
        ui = interface(language)
        if "breaking" not in context:
            context["breaking"] = self._breaking()

        def when(item: ArticleSummary | presenting.ArticleView) -> str:
            return format_published(item.published, language, item.url)

        html = self.env.get_template(name).render(
            ui=ui,
            lang=language,
            dir=ui.direction,
            _=ui.gettext,
            ngettext=ui.ngettext,
            when=when,
            article_href=lambda i: presenting.article_path(language, i),
            story_href=lambda key: presenting.story_path(language, key),
            source_href=lambda site: presenting.source_path(language, site),
            **context,
        )
        headers = (("Content-Language", language),)
        return Rendered(html.encode(), "text/html; charset=utf-8", status_code, headers)

    def error(self, language: str, status: int, detail: str) -> Response:
        rendered = self.render("error.html", language, status, status=status, detail=detail, breaking=[])
        return Response(rendered.body, status, media_type=rendered.media_type)

    async def respond(
        self, request: Request, language: str, render: Callable[[], Rendered], *, negotiated: bool = False
    ) -> Response:
        key = f"{language}|{request.base_url}|{request.url.path}?{request.url.query}"  # pages name their host
        return await self.cache.respond(request, key, render, vary="Accept-Language" if negotiated else None)
