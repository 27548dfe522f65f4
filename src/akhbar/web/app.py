"""FastAPI application: one route table, one error handler (JSON under /api, HTML elsewhere)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from akhbar.config import DEFAULT_TIMEZONE, Settings
from akhbar.errors import InputError
from akhbar.services import images
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.web import presenting
from akhbar.web.caching import ResponseCache
from akhbar.web.compression import Compression
from akhbar.web.dependencies import SignInRequired, to_sign_in
from akhbar.web.i18n import LANGUAGES, negotiate
from akhbar.web.middleware import HeadAsGet, RequestMetrics, SecurityHeaders
from akhbar.web.newsroom import Newsroom, refusal
from akhbar.web.pages import Pages
from akhbar.web.routes import (
    api_articles,
    api_sources,
    api_stories,
    breaking,
    feeds,
    health,
    media,
    metrics,
    newsroom_articles,
    newsroom_audit,
    newsroom_breaking,
    newsroom_history,
    newsroom_media,
    newsroom_sessions,
    newsroom_sources,
    newsroom_users,
    portal,
    search,
    site,
)
from akhbar.web.telemetry import Exposition

HERE = Path(__file__).parent

# The route table in the order requests are matched: the portal's pages first (most requests that
# miss the front cache are theirs; its /{lang:lang} segments take no other path).
ROUTERS = (
    portal.router,
    health.router,
    metrics.router,
    api_articles.router,
    api_stories.router,
    api_sources.router,
    breaking.router,
    search.router,
    feeds.router,
    media.router,
    site.router,
    newsroom_sessions.router,
    newsroom_articles.router,
    newsroom_history.router,
    newsroom_breaking.router,
    newsroom_audit.router,
    newsroom_media.router,
    newsroom_users.router,
    newsroom_sources.router,
)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """A server stopped cleanly writes the article reads it has counted and not written yet (a
    batch waits up to 10 s or 20,000 reads: :class:`akhbar.services.reads.ReadCounter`)."""
    yield
    await run_in_threadpool(app.state.pages.reads.flush)


def create_app(
    store: Store,
    *,
    cache_ttl: float = 1.0,
    site_name: str = "akhbar",
    settings: Settings | None = None,
    grouping: Grouping | None = None,
    pictures: presenting.PictureSource | None = None,
    images_dir: Path | None = None,
) -> FastAPI:
    """The portal, the feeds, the API and the newsroom over ``store``; the route table is ``ROUTERS``.

    ``site_name`` is what editors' articles are published as unless they say otherwise. With
    ``settings`` (what the fetcher obeys), admins can follow and drop sources from the newsroom.
    ``grouping`` places editors' articles in stories (its owner closes it); without it they are
    placed with the built-in model, in this process. Photos are served from the data directory of
    ``settings`` (or ``images_dir``; without either, none is served); ``pictures`` says which photo
    a page shows with an article (by default the one akhbar kept for it).

    ``/api/docs`` is Swagger UI served from the fastapi-offline package's copy (no CDN), so the API
    documentation works on a machine without Internet access. Every answer carries the security
    headers of :mod:`akhbar.web.middleware`, and HEAD is answered wherever GET is.
    """
    app: FastAPI = FastAPIOffline(
        title="akhbar",
        description="akhbar's JSON API: articles, stories, sources, search and breaking news.",
        docs_url="/api/docs",
        redoc_url=None,
        static_url="/api/docs/static",
        openapi_url="/api/openapi.json",
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        swagger_ui_parameters={"validatorUrl": None},  # no call to the online validator
        redirect_slashes=False,
        lifespan=_lifespan,
    )
    cache = ResponseCache(store, ttl=cache_ttl)
    timezone = settings.timezone if settings else DEFAULT_TIMEZONE
    pages = Pages(
        store,
        cache,
        timezone=timezone,
        pictures=pictures or functools.partial(images.picture, store),
        kept_photos=pictures is None,
    )
    app.state.store = store
    app.state.cache = cache
    app.state.pages = pages
    app.state.newsroom = Newsroom(
        pages.env, site_name=site_name, **({"timezone": settings.timezone} if settings else {})
    )
    app.state.settings = settings
    app.state.images_dir = images.directory(settings) if settings is not None else images_dir
    app.state.grouping = grouping or Grouping()
    app.state.exposition = Exposition(store.engine)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.exception_handler(StarletteHTTPException)(http_error)
    app.exception_handler(RequestValidationError)(bad_request)
    app.exception_handler(InputError)(bad_input)
    app.exception_handler(SignInRequired)(to_sign_in)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(
        Compression
    )  # Zstandard, brotli or gzip for text; cached pages come compressed already
    app.add_middleware(RequestMetrics)  # inside HeadAsGet: it reads the route the router set in the scope
    if settings is not None and settings.allowed_hosts != "*":  # a forged Host is refused before any page
        hosts = settings.allowed_hosts.split(",")
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)  # outermost: the headers are those of the GET answer
    return app


def _page_language(request: Request) -> str:
    first = request.url.path.strip("/").split("/", 1)[0]
    return first if first in LANGUAGES else negotiate(request.headers.get("accept-language"))


def error(request: Request, status: int, detail: str, extra: object = None) -> Response:
    """The one error answer: JSON under /api, plain text for feeds, an HTML page elsewhere."""
    if request.url.path.startswith("/api/"):
        body: dict[str, object] = {"error": detail}
        if extra is not None:
            body["details"] = extra
        return JSONResponse(body, status_code=status)
    if request.url.path.startswith("/feeds/"):
        return Response(detail, status_code=status, media_type="text/plain; charset=utf-8")
    if request.url.path.startswith("/admin"):  # in the newsroom's layout and language
        return refusal(request, status, detail)
    pages: Pages = request.app.state.pages
    return pages.error(_page_language(request), status, detail)


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    detail = str(exc.detail) if exc.status_code != 404 or exc.detail != "Not Found" else "No such page"
    return error(request, exc.status_code, detail)


async def bad_request(request: Request, exc: RequestValidationError) -> Response:
    if request.url.path.startswith("/api/"):
        return error(request, 422, "invalid request", jsonable(exc.errors()))
    return error(request, 400, "Invalid request")


async def bad_input(request: Request, exc: InputError) -> Response:
    return error(request, 400, str(exc))


def jsonable(errors: object) -> object:
    """Validation errors as plain JSON (pydantic may include exception objects in ``ctx``)."""
    return jsonable_encoder(errors, custom_encoder={Exception: str})
