"""The portal's page renderer: Jinja2 templates in the reader's language, cached per data version.

The routes are in :mod:`akhbar.web.routes.portal`; the newsroom renders with the same environment.
"""

from __future__ import annotations

import functools
import time
import types
from collections.abc import Callable, Hashable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_date
from starlette.requests import Request
from starlette.responses import Response

from akhbar.config import DEFAULT_TIMEZONE
from akhbar.models import ArticleSummary
from akhbar.services import breaking
from akhbar.services.portal import SECTIONS, Story, section_of
from akhbar.services.reads import MostRead, ReadCounter
from akhbar.store import Store
from akhbar.web import presenting
from akhbar.web.caching import Rendered, ResponseCache
from akhbar.web.fragments import FragmentCache
from akhbar.web.i18n import LANGUAGES, direction_of, format_ago, format_published, interface, zone_label

TEMPLATES = Path(__file__).with_name("templates")
REVALIDATE = "public, no-cache"  # kept, but checked with the server (a 304) before each use
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}
REMEMBERED = 256  # values kept per data version by Pages.remembered
T = TypeVar("T")


def rendered(template: jinja2.Template, values: dict[str, Any]) -> str:
    """``template.render(**values)``, its contexts emptied once it is done.

    A render's context holds the macros it imported "with context", whose functions hold the
    context they were made in: each page left a cycle of about 70 objects (the page's articles and
    summaries among them) that only the garbage collector could free, and every full collection
    walked them (8.6 ms against 3.5 ms without, 20k live objects; the serving process's pauses
    were 13 ms every second or so). Emptied, they are freed as the render returns."""
    context = template.new_context(values)
    try:
        return template.environment.concat(template.root_render_func(context))
    except Exception:
        template.environment.handle_exception()  # Template.render's own: raises it, template lines named
    finally:
        _release(context)


def _release(context: jinja2.runtime.Context) -> None:
    """Empty ``context`` and the contexts its macros were made in (found in the macros' closures)."""
    pending, seen = [context], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for value in (*current.vars.values(), *current.parent.values()):
            if isinstance(value, jinja2.runtime.Macro):
                for cell in value._func.__closure__ or ():
                    try:
                        inner = cell.cell_contents
                    except ValueError:  # a cell not filled yet
                        continue
                    inner = getattr(inner, "__self__", inner)  # context.resolve_or_missing, bound
                    if isinstance(inner, jinja2.runtime.Context):
                        pending.append(inner)
        current.vars.clear()
        current.exported_vars.clear()
        current.parent = {}


_PLAIN_CALLABLES = frozenset(
    {types.FunctionType, types.MethodType, types.BuiltinFunctionType, jinja2.runtime.Macro}
)


class PlainCalls(jinja2.runtime.Context):
    """Jinja's context, calling a plain function, method or macro without Jinja's generic dispatch.

    A template's ``{{ f(x) }}`` goes through :meth:`jinja2.runtime.Context.call`, which checks
    whether ``f``, or its ``__call__``, asks for the context, the evaluation context or the
    environment (four attribute lookups) before calling it. On an article page (about 50 such
    calls: links, strings, directions, dates, list items) that was 1.3 µs a call and 2.7 µs a
    macro call. For a function, a bound method or a macro, the only way to ask is the
    ``jinja_pass_arg`` attribute Jinja's decorators set: without it, this calls it at once, as
    Jinja's own code would. Anything else, or a decorated function, takes Jinja's path.
    """

    def call(
        __self, __obj: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:  # Jinja names them so: a keyword "self" passes through
        if type(__obj) not in _PLAIN_CALLABLES or getattr(__obj, "jinja_pass_arg", None) is not None:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)  # what Jinja passes from inside a block or a loop
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the templates are the package's: no file checks on every page
        extensions=[FragmentCache],
    )
    env.context_class = PlainCalls
    env.globals.update(
        dir_of=direction_of,
        languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        section_titles={"ar": "In Arabic", "fr": "In French", "en": "In English"},
        section_keys=tuple(SECTIONS),
        quote=lambda value: quote(value, safe=""),
        marked=presenting.marked,
        section_names={key: title for key, (title, _) in SECTIONS.items()},
        section_of=section_of,
    )
    return env


Dated = ArticleSummary | presenting.ArticleView


def _minute() -> int:
    """The minute now (since the Unix epoch): what "5 minutes ago" is kept for, in pages and fragments."""
    return int(time.time() // 60)


@functools.lru_cache(maxsize=64)
def _day_in_full(day: date, language: str) -> str:
    """The masthead's date (babel takes tens of µs: once per day and language)."""
    return str(format_date(day, "full", locale=language))


class Pages:
    """Renders pages for one store; every page shows the breaking bar when flags are active.

    Times are written in ``timezone`` (an IANA name) and labelled with it; ``pictures`` says which
    photo, stored and served by this site, goes with an article (none by default); ``reads``
    counts article reads for the most-read block.
    """

    def __init__(
        self,
        store: Store,
        cache: ResponseCache,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        pictures: presenting.PictureSource = presenting.no_pictures,
        reads: ReadCounter | None = None,
        kept_photos: bool = False,
    ) -> None:
        self.store = store
        self.cache = cache
        self.env = environment()
        self.timezone = timezone
        self.zone = ZoneInfo(timezone)
        self.pictures = pictures
        self.reads = reads or ReadCounter(store)
        self.most_read = MostRead(store)  # the home pages' block, shared by the languages
        self.kept_photos = kept_photos  # ``pictures`` shows the photo akhbar kept (images.picture)
        self._breaking_now: tuple[str, list[ArticleSummary]] = ("", [])
        self._remembered: tuple[str, dict[Hashable, object]] = ("", {})

    def remembered(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, kept while the data version stays the one read last: parts that many pages
        of one version show alike (a section's newest articles) are read once per version."""
        version, values = self._remembered
        if version != self.cache.current:
            version, values = self.cache.current, {}
            self._remembered = (version, values)
        if key in values:
            return cast(T, values[key])
        found = compute()
        if len(values) < REMEMBERED:
            values[key] = found  # two threads may both compute it: the same value, no harm
        return found

    def _breaking(self) -> list[ArticleSummary]:
        """The breaking bar's items, read once per data version."""
        version, items = self._breaking_now
        if not version or version != self.cache.current:
            items = breaking.breaking_articles(self.store)
            self._breaking_now = (self.cache.current, items)
        return items

    def _story_picture(self, story: Story, language: str) -> presenting.Photo | None:
        """A story card's photo: its headline's own, else another of its articles' (the headline's
        language first); a photo always goes with the story it was published with."""
        head = story.headline(language)
        ordered = sorted(story.articles, key=lambda a: (a.id != head.id, a.language != language, -a.id))
        for item in ordered:
            found = self.pictures(item.id)
            if found is not None:
                return found
        return None

    def _data_minute(self) -> str | None:
        """What a fragment that shows articles may be kept under (``{% cache data_minute, ... %}``):
        the data version and the minute, as pages are (lists say "5 minutes ago"); None, so nothing
        is kept, before a version has been read."""
        version = self.cache.current
        return f"{version}|{_minute()}" if version else None

    def render(self, name: str, language: str, status_code: int = 200, **context: Any) -> Rendered:
        ui = interface(language)
        if "breaking" not in context:
            context["breaking"] = self._breaking()

        now = datetime.now(UTC)
        today = now.astimezone(self.zone).date()

        def when(item: Dated) -> str:
            return format_published(item.published, language, item.url, self.zone)

        def ago(item: Dated) -> str:
            """How long ago when recent, else the date and time."""
            return format_ago(item.published, language, now) or when(item)

        values = dict(
            ui=ui,
            lang=language,
            dir=ui.direction,
            _=ui.gettext,
            ngettext=ui.ngettext,
            when=when,
            ago=ago,
            zone=self.zone,
            today=today,
            today_text=_day_in_full(today, language),
            zone_label=zone_label(self.timezone, language),
            picture=lambda item: self.pictures(item.id),
            story_picture=self._story_picture,
            article_href=lambda i: presenting.article_path(language, i),
            story_href=lambda key: presenting.story_path(language, key),
            source_href=lambda site: presenting.source_path(language, site),
            data_minute=self._data_minute(),
            **context,
        )
        html = rendered(self.env.get_template(name), values)
        headers = (("Content-Language", language),)
        return Rendered(html.encode(), "text/html; charset=utf-8", status_code, headers)

    def error(self, language: str, status: int, detail: str) -> Response:
        rendered = self.render("error.html", language, status, status=status, detail=detail, breaking=[])
        return Response(rendered.body, status, media_type=rendered.media_type)

    async def respond(
        self,
        request: Request,
        language: str,
        render: Callable[[], Rendered],
        *,
        negotiated: bool = False,
        inline: bool = False,
    ) -> Response:
        """The page from the cache, or ``render``-ed (``inline``: on the event loop where the reads are
        short and local, see :class:`akhbar.web.caching.ResponseCache`)."""
        # Pages say "5 minutes ago": the minute is part of the key, so they are re-rendered once a
        # minute at most even when no article arrives (the cache adds the site's address).
        key = f"{language}|{_minute()}|{request.url.path}?{request.url.query}"
        vary = "Accept-Language" if negotiated else None
        return await self.cache.respond(
            request, key, render, vary=vary, cache_control=REVALIDATE, inline=inline
        )
