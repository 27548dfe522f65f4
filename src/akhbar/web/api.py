"""What the ``/api/v1`` routers share: JSON answers validated by their model and cached per data version.

Each answer is built as plain data once, validated by its :mod:`akhbar.web.schemas` model (the
contract OpenAPI documents) and serialised by Pydantic; the cache then serves the bytes with ETag,
Last-Modified and 304s until the data changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from akhbar.services.portal import SECTIONS
from akhbar.web.caching import Rendered, ResponseCache
from akhbar.web.schemas import Schema

PREFIX = "/api/v1"
JSON = "application/json"
ISO_TIME = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
LANGUAGE = "^[a-z-]+$"
SECTION = f"^({'|'.join(SECTIONS)})$"


async def answer(
    request: Request, cache: ResponseCache, model: type[Schema], make: Callable[[], dict[str, Any]]
) -> Response:
    """``make()``'s data as ``model`` in JSON, rendered in a worker thread once per URL and data version."""

    def render() -> Rendered:
        return Rendered(model.model_validate(make()).model_dump_json().encode(), JSON)

    return await cache.respond(request, f"api|{request.url.path}?{request.url.query}", render)
