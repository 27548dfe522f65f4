"""The search routes for an app other than :func:`akhbar.web.create_app`'s, over a given store.

``create_app`` includes :mod:`akhbar.web.routes.search` itself; this is for a bare FastAPI app (as
``tests/test_search_interfaces.py`` builds), which has no store of its own in ``app.state``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request

from akhbar.store import Store
from akhbar.web.routes import search


def router(store: Store) -> APIRouter:
    """``/api/v1/search`` and ``/opensearch.xml`` over ``store``, for ``app.include_router``."""

    async def serve_store(request: Request) -> None:
        request.app.state.store = store

    routes = APIRouter(dependencies=[Depends(serve_store)])
    routes.include_router(search.router)
    return routes
