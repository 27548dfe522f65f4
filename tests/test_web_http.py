"""HTTP details every answer gets right: security headers, and HEAD wherever GET.

In process (httpx ASGI transport) over the portal data set; the limits only uvicorn's parser can
enforce (request head size) are in test_web_limits.py against a real ``akhbar serve``.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from akhbar.services import breaking
from akhbar.store import Store
from akhbar.web.app import ROUTERS
from conftest import AsgiClient, app_client
from portal_fixtures import PortalData

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")


@pytest.fixture
def client(store: Store, data: PortalData) -> AsgiClient:
    breaking.flag_article(store, data.story_fr, breaking.parse_until("2h"))
    return app_client(store)


def _urls(data: PortalData) -> dict[str, str]:
    """One URL for each GET route of the app (route path -> URL), with real ids and keys."""
    return {
        "/": "/",
        "/{lang}": "/fr",
        "/{lang}/": "/ar/",
        "/search": "/search?q=budget",
        "/{lang}/search": "/fr/search?q=budget",
        "/articles/{article_id}": f"/articles/{data.specimen}",
        "/{lang}/articles/{article_id}": f"/fr/articles/{data.story_fr}",
        "/{lang}/articles/{article_id}/{slug}": f"/ar/articles/{data.story_fr}/" + quote("ترامواي-سلا"),
        "/{lang}/stories/{key}": f"/en/stories/{data.story}",
        "/{lang}/sources/{site}": "/fr/sources/" + quote("Le Matin"),
        "/{lang}/sources/": "/ar/sources/",
        "/{lang}/section/{name}": "/fr/section/politics",
        "/feeds/latest.{fmt}": "/feeds/latest.rss",
        "/feeds/breaking.{fmt}": "/feeds/breaking.atom",
        "/feeds/languages/{lang}.{fmt}": "/feeds/languages/ar.json",
        "/feeds/sections/{name}.{fmt}": "/feeds/sections/politics.rss",
        "/feeds/sources/{site}.{fmt}": "/feeds/sources/" + quote("Le Matin") + ".atom",
        "/feeds/stories/{key}.{fmt}": f"/feeds/stories/{data.story}.json",
        "/api/v1/articles": "/api/v1/articles?since=2024-10-18",
        "/api/v1/articles/{article_id}": f"/api/v1/articles/{data.specimen}",
        "/api/v1/stories": "/api/v1/stories",
        "/api/v1/stories/{key}": f"/api/v1/stories/{data.story}",
        "/api/v1/sources": "/api/v1/sources",
        "/api/v1/breaking": "/api/v1/breaking",
        "/api/v1/search": "/api/v1/search?q=budget",
        "/opensearch.xml": "/opensearch.xml",
        "/api/openapi.json": "/api/openapi.json",
        "/api/docs": "/api/docs",
        "/api/docs/oauth2-redirect": "/api/docs/oauth2-redirect",
        "/healthz": "/healthz",
        "/readyz": "/readyz",
        "/metrics": "/metrics",
        "/robots.txt": "/robots.txt",
        "/sitemap.xml": "/sitemap.xml",
        "/sitemap-news.xml": "/sitemap-news.xml",
        "/favicon.ico": "/favicon.ico",
        "/manifest.webmanifest": "/manifest.webmanifest",
        "/media/images/{name}": "/media/images/" + "0" * 32 + "-400.webp",
        "/admin/login": "/admin/login",
        "/admin/": "/admin/",
        "/admin/articles/new": "/admin/articles/new",
        "/admin/articles/{entry_id}/edit": "/admin/articles/1/edit",
        "/admin/articles/{entry_id}/revisions": "/admin/articles/1/revisions",
        "/admin/breaking": "/admin/breaking",
        "/admin/audit": "/admin/audit",
        "/admin/media": "/admin/media",
        "/admin/users": "/admin/users",
        "/admin/sources": "/admin/sources",
        "/static": "/static/akhbar.css",
        "/api/docs/static": "/api/docs/static/swagger-ui.css",
    }


def _get_paths(app: object) -> set[str]:
    """The paths the app answers GET on: its own routes, its routers' and its mounts."""
    routes = [*app.routes, *(r for router in ROUTERS for r in router.routes)]  # type: ignore[attr-defined]  # FastAPI app
    paths = {r.path_format for r in routes if isinstance(r, Route | APIRoute) and "GET" in (r.methods or ())}
    return paths | {r.path for r in routes if isinstance(r, Mount)}


def test_every_get_route_is_in_the_list(client: AsgiClient, data: PortalData) -> None:
    """A route added later joins the checks below, or this fails."""
    paths = _get_paths(client.app)
    assert paths == set(_urls(data)), paths ^ set(_urls(data))


def test_every_answer_carries_the_security_headers(client: AsgiClient, data: PortalData) -> None:
    urls = [*_urls(data).values(), "/no/such/page", "/api/v1/nothing", "/feeds/latest.pdf"]
    for url in urls:
        answer = client.get(url)
        assert answer.status_code < 500, url
        for name in SECURITY_HEADERS:
            assert name in answer.headers, f"{url}: no {name}"
        assert len(answer.headers.get_list("Content-Security-Policy")) == 1, url
        assert answer.headers["X-Content-Type-Options"] == "nosniff", url
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"], url
        assert answer.headers["X-Frame-Options"] == "DENY", url


def test_the_portal_policy_allows_no_inline_script(client: AsgiClient, data: PortalData) -> None:
    policy = client.get(f"/fr/articles/{data.story_fr}").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_api_docs_policy_allows_only_its_own_inline_script(client: AsgiClient) -> None:
    docs = client.get("/api/docs")
    policy = docs.headers["Content-Security-Policy"]
    hashes = re.findall(r"'sha256-[A-Za-z0-9+/=]+'", policy)
    assert len(hashes) == len(re.findall(r"<script>", docs.text)) >= 1
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]


def test_head_answers_wherever_get_does(client: AsgiClient, data: PortalData) -> None:
    for url in _urls(data).values():
        # a page's first answer may be in a cheaper coding than later ones (akhbar.web.compression):
        # HEAD is asked once the page is rendered, and set beside the GET that follows it
        client.get(url)
        head, got = client.request("HEAD", url), client.get(url)
        assert head.status_code == got.status_code, url
        assert head.content == b"", url
        live = url == "/metrics"  # its counts change between the two requests, and its length with them
        names = (
            "content-type",
            "etag",
            "content-security-policy",
            "location",
            *(() if live else ("content-length",)),
        )
        for name in names:
            assert head.headers.get(name) == got.headers.get(name), f"{url}: {name}"


def test_head_is_still_refused_where_only_post_is_answered(client: AsgiClient) -> None:
    assert client.request("HEAD", "/admin/logout").status_code == 405
    assert client.request("PUT", "/").status_code == 405
