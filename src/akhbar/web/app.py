"""FastAPI application: one route table, one error handler (JSON under /api, HTML elsewhere)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from akhbar.services import articles
from akhbar.store import Store
from akhbar.web.presenting import present

HERE = Path(__file__).parent


def create_app(store: Store) -> FastAPI:
    """The portal and API over ``store``."""
    app = FastAPI(title="akhbar", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    templates = Jinja2Templates(directory=HERE / "templates")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return page(request, "error.html", exc.status_code, status=exc.status_code, detail=exc.detail)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "invalid request", "details": exc.errors()}, status_code=422)
        return page(request, "error.html", 400, status=400, detail="Invalid request")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> Response:
        items = [present(stored) for stored in articles.list_articles(store, limit=100)]
        return page(request, "home.html", articles=items)

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: int) -> Response:
        stored = articles.get_article(store, article_id)
        if stored is None:
            raise HTTPException(404, "No such article")
        return page(request, "article.html", article=present(stored))

    @app.get("/api/v1/articles")
    def api_articles(
        language: str | None = Query(None, min_length=2, max_length=8, pattern="^[a-z-]+$"),
        source: int | None = Query(None, ge=1),
        limit: int = Query(50, ge=1, le=500),
        offset: int = Query(0, ge=0),
    ) -> dict[str, Any]:
        found = articles.list_articles(store, language=language, source_id=source, limit=limit, offset=offset)
        return {"articles": [stored.to_json() for stored in found]}

    @app.get("/api/v1/articles/{article_id}")
    def api_article(article_id: int) -> dict[str, Any]:
        stored = articles.get_article(store, article_id)
        if stored is None:
            raise HTTPException(404, "No such article")
        return stored.to_json()

    return app
