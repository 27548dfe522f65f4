"""What the ``/api/v1`` routers share: JSON answers validated by their model and cached per data version.

Each answer is built as plain data once, validated by its :mod:`akhbar.web.schemas` model (the
contract OpenAPI documents) and serialised by Pydantic; the cache then serves the bytes with ETag,
Last-Modified and 304s until the data changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from akhbar.services.portal import SECTIONS
from akhbar.web.caching import Rendered, ResponseCache
from akhbar.web.schemas import Schema

PREFIX = "/api/v1"
JSON = "application/json"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
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


def real_moment(name: str, value: str | None) -> str | None:
    """``value``, a query parameter shaped like ISO 8601 (its pattern checked), if it is a real date or
    time; else 400 saying which part is out of range (``since: 2026-13-45 is not a date: month must
    be in 1..12``)."""
    if value is not None and len(value) > len("YYYY-MM-DD"):
        try:
            datetime.fromisoformat(value)
        except ValueError as exc:
            raise HTTPException(400, f"{name}: {value} is not a date and time: {exc}") from None
    elif value is not None:
        real_day(name, value)
    return value


def real_day(name: str, value: str | None) -> date | None:
    """``value`` (``YYYY-MM-DD``, its pattern checked) as a date, or 400 saying what is out of range."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise HTTPException(400, f"{name}: {value} is not a date: {exc}") from None
