"""What the ``/api/v1`` routers share: JSON answers cached per data version, and query patterns."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from akhbar.services.portal import SECTIONS
from akhbar.web.caching import Rendered, ResponseCache

PREFIX = "/api/v1"
JSON = "application/json"
ISO_TIME = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
LANGUAGE = "^[a-z-]+$"
SECTION = f"^({'|'.join(SECTIONS)})$"


async def answer(request: Request, cache: ResponseCache, make: Callable[[], dict[str, Any]]) -> Response:
    """``make()``'s data in JSON, rendered in a worker thread once per URL and data version."""

    def render() -> Rendered:
        return Rendered(json.dumps(make(), ensure_ascii=False).encode(), JSON)

    return await cache.respond(request, f"api|{request.url.path}?{request.url.query}", render)
