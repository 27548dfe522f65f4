"""Rendering a page leaves no reference cycles behind (``akhbar.web.pages.rendered``): what a page
showed is freed when its render returns, not at the collector's next full pass over the process."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from typing import Any

import jinja2
import pytest

from akhbar.store import Store
from akhbar.web.app import create_app
from akhbar.web.pages import rendered
from portal_fixtures import PortalData, populate

MACROS = '{% macro card(a) %}<li lang="{{ lang }}">{{ a }}</li>{% endmacro %}'
PAGE = (
    '{% from "macros.html" import card with context %}<ol>{% for a in items %}{{ card(a) }}{% endfor %}</ol>'
)


class Shown:
    """What a page shows (a stand-in for an article read from the database)."""


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _garbage_after(render: Callable[[], object]) -> int:
    """How many objects only the collector could free once ``render()`` returned."""
    gc.collect()
    render()
    return gc.collect()


def test_a_page_importing_macros_with_context_leaves_no_cycle(collector_off: None) -> None:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"macros.html": MACROS, "page.html": PAGE}), autoescape=True
    )
    template = env.get_template("page.html")
    values: dict[str, Any] = {"lang": "ar", "items": [Shown(), Shown()]}
    assert _garbage_after(lambda: template.render(**values)) > 0, "jinja's own render leaves a cycle"
    assert _garbage_after(lambda: rendered(template, dict(values))) == 0
    assert rendered(template, dict(values)) == template.render(**values)


def test_a_failing_render_raises_as_jinja_does() -> None:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"macros.html": MACROS, "page.html": PAGE + "{{ 1 // zero }}"}),
        autoescape=True,
    )
    with pytest.raises(ZeroDivisionError) as raised:
        rendered(env.get_template("page.html"), {"lang": "fr", "items": [Shown()], "zero": 0})
    assert raised.traceback[-1].name == "top-level template code", "the template's line is named"


async def _get(app: Any, path: str, query: str) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


def test_the_portals_article_pages_leave_no_cycle(sqlite_store: Store, collector_off: None) -> None:
    """Article pages, the portal's most read uncached pages. (Pages that build their queries afresh,
    such as a story's or the front page, still leave SQLAlchemy's statements to the collector.)"""
    data: PortalData = populate(sqlite_store)
    app = create_app(sqlite_store, cache_ttl=60)
    paths = [
        f"/{lang}/articles/{article}" for lang in ("ar", "fr") for article in (data.story_ar, data.story_en)
    ]

    async def pages() -> tuple[list[int], list[int], int]:
        warm = [await _get(app, path, "warm") for path in paths]  # what a first request loads, once
        gc.collect()
        again = [await _get(app, path, "again") for path in paths]  # a query of their own: rendered
        return warm, again, gc.collect()

    warm, again, garbage = asyncio.run(pages())
    assert warm == again == [200] * len(paths)
    assert garbage == 0
