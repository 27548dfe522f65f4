"""FastAPI application: one route table, one error handler (JSON under /api, HTML elsewhere)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from akhbar.config import Settings
from akhbar.errors import InputError
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.web import admin, api, feeds, pages, search_api
from akhbar.web.caching import ResponseCache
from akhbar.web.i18n import LANGUAGES, negotiate

HERE = Path(__file__).parent


def _page_language(request: Request) -> str:
    first = request.url.path.strip("/").split("/", 1)[0]
    return first if first in LANGUAGES else negotiate(request.headers.get("accept-language"))


def create_app(
    store: Store,
    *,
    cache_ttl: float = 1.0,
    site_name: str = "akhbar",
    settings: Settings | None = None,
    grouping: Grouping | None = None,
) -> FastAPI:
    """The portal, the feeds, the API and the newsroom over ``store``; the route table is the routers' order.

    ``site_name`` is what editors' articles are published as unless they say otherwise. With
    ``settings`` (what the fetcher obeys), admins can follow and drop sources from the newsroom.
    ``grouping`` places editors' articles in stories (its owner closes it); without it they are
    placed with the built-in model, in this process.

    ``/api/docs`` is Swagger UI served from the fastapi-offline package's copy (no CDN), so the API
    documentation works on a machine without Internet access.
    """
    app: FastAPI = FastAPIOffline(
        title="akhbar",
        description="akhbar's JSON API: articles, stories, sources and breaking news.",
        docs_url="/api/docs",
        redoc_url=None,
        static_url="/api/docs/static",
        openapi_url="/api/openapi.json",
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        swagger_ui_parameters={"validatorUrl": None},  # no call to the online validator
        redirect_slashes=False,
    )
    cache = ResponseCache(store, ttl=cache_ttl)
    portal_pages = pages.Pages(store, cache)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def error(request: Request, status: int, detail: str, extra: object = None) -> Response:
        if request.url.path.startswith("/api/"):
            body: dict[str, object] = {"error": detail}
            if extra is not None:
                body["details"] = extra
            return JSONResponse(body, status_code=status)
        if request.url.path.startswith("/feeds/"):
            return Response(detail, status_code=status, media_type="text/plain; charset=utf-8")
        return portal_pages.error(_page_language(request), status, detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = str(exc.detail) if exc.status_code != 404 or exc.detail != "Not Found" else "No such page"
        return error(request, exc.status_code, detail)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return error(request, 422, "invalid request", jsonable(exc.errors()))
        return error(request, 400, "Invalid request")

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> Response:
        return error(request, 400, str(exc))

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(api.router(store, cache))
    app.include_router(search_api.router(store))
    app.include_router(feeds.router(store, cache))
    app.include_router(
        admin.router(store, portal_pages.env, grouping or Grouping(), site_name=site_name, settings=settings)
    )
    app.include_router(pages.router(portal_pages))
    return app


def jsonable(errors: object) -> object:
    """Validation errors as plain JSON (pydantic may include exception objects in ``ctx``)."""
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(errors, custom_encoder={Exception: str})
