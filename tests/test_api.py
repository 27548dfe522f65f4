"""The JSON API: filters, cursor pagination, stories, sources, breaking, errors and caching headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akhbar.services import breaking
from akhbar.store import Store
from conftest import AsgiClient, app_client
from portal_fixtures import PortalData


def test_articles_newest_first_with_filters(client: AsgiClient, data: PortalData) -> None:
    listing = client.get("/api/v1/articles").json()
    published = [a["published"] for a in listing["articles"]]
    assert published[-1] is None, "undated articles come last"
    assert published[:-1] == sorted(published[:-1], reverse=True)
    assert listing["next_cursor"] is None
    assert {a["language"] for a in client.get("/api/v1/articles?language=fr").json()["articles"]} == {"fr"}
    story = client.get("/api/v1/articles", params={"story": 7}).json()["articles"]
    assert {a["id"] for a in story} == {data.story_ar, data.story_fr, data.story_en}
    since = client.get("/api/v1/articles", params={"since": "2024-10-18"}).json()["articles"]
    assert all(a["published"] >= "2024-10-18" for a in since) and len(since) == 4
    site = client.get("/api/v1/articles", params={"site": "هسبريس"}).json()["articles"]
    assert {a["id"] for a in site} == {data.story_ar, data.moroccan_july}


def test_cursor_pagination_visits_every_article_once(client: AsgiClient) -> None:
    everything = [a["id"] for a in client.get("/api/v1/articles").json()["articles"]]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/articles", params=params).json()
        seen += [a["id"] for a in page["articles"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything


def test_one_article_is_the_extracted_article_json(client: AsgiClient, data: PortalData) -> None:
    one = client.get(f"/api/v1/articles/{data.specimen}").json()
    for field in ("title", "site_name", "url", "published", "language", "authors", "image_url"):
        assert field in one
    assert one["site_name"] == "بلادي نيوز"
    assert one["image_caption"] == "Official photo of the NATO Ministers of Defence"
    grouped = one["story_id"] is not None  # the story grouper may have placed it at ingest
    assert one["story"] == (str(one["story_id"]) if grouped else f"a{data.specimen}")


def test_stories_and_sources(client: AsgiClient, data: PortalData) -> None:
    stories = client.get("/api/v1/stories").json()["stories"]
    assert "7" in [s["id"] for s in stories]
    story = client.get("/api/v1/stories/7").json()
    assert story["first_published"]["site_name"] == "هسبريس"
    assert [a["id"] for a in story["articles"]] == [data.story_ar, data.story_fr, data.story_en]
    assert set(story["languages"]) == {"ar", "fr", "en"}
    alone = client.get(f"/api/v1/stories/a{data.levant}").json()
    assert [a["id"] for a in alone["articles"]] == [data.levant]
    sources = {s["site_name"]: s["articles"] for s in client.get("/api/v1/sources").json()["sources"]}
    assert sources["هسبريس"] == 2 and sources["بلادي نيوز"] == 1


def test_breaking(client: AsgiClient, store: Store, data: PortalData) -> None:
    assert client.get("/api/v1/breaking").json() == {"flags": [], "articles": []}
    breaking.flag_article(store, data.story_en, datetime.now(UTC) + timedelta(minutes=30), story=True)
    now = client.get("/api/v1/breaking").json()
    assert now["flags"][0]["story_id"] == 7
    assert [a["id"] for a in now["articles"]] == [data.story_en], "the newest article of the story"


def test_etag_and_304(client: AsgiClient) -> None:
    first = client.get("/api/v1/articles")
    assert first.headers["content-type"] == "application/json"
    assert "max-age" in first.headers["cache-control"]
    assert first.headers["last-modified"]
    assert client.get("/api/v1/articles", headers={"If-None-Match": first.headers["etag"]}).status_code == 304


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/articles?cursor=!!!", 400),
        ("/api/v1/articles?cursor=bm9wZQ", 400),
        ("/api/v1/articles?since=yesterday", 422),
        ("/api/v1/articles?story=0", 422),
        ("/api/v1/articles?limit=501", 422),
        ("/api/v1/articles/0", 422),
        ("/api/v1/articles/999999", 404),
        ("/api/v1/stories/999", 404),
        ("/api/v1/stories/x1", 404),
        ("/api/v1/stories?limit=0", 422),
        ("/api/v1/nothing", 404),
        ("/api/v1/articles/99999999999999999999", 422),
        ("/api/v1/articles?story=99999999999999999999", 422),
        ("/api/v1/stories/99999999999999999999", 404),
        ("/api/v1/articles?cursor=MjAyNB85OTk5OTk5OTk5OTk5OTk5OTk5OQ", 400),
    ],
)
def test_errors_are_json(client: AsgiClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]


def test_openapi_lists_every_endpoint(client: AsgiClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/v1/articles",
        "/api/v1/articles/{article_id}",
        "/api/v1/stories",
        "/api/v1/stories/{key}",
        "/api/v1/sources",
        "/api/v1/breaking",
    ):
        assert path in paths


def test_api_docs_are_served_locally(client: AsgiClient) -> None:
    """Swagger UI's page names only this server's assets (no CDN), and they are served."""
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "//" not in page.text.replace("window.location.origin", ""), "an absolute URL in the page"
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', page.text)
    assert {"/api/docs/static/swagger-ui-bundle.js", "/api/docs/static/swagger-ui.css"} <= set(assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 1000, asset
    assert client.get("/api/docs/static/missing.js").status_code == 404


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    segment=st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s and "?" not in s and "#" not in s),
    value=st.one_of(st.text(max_size=30), st.integers().map(str)),
    name=st.sampled_from(
        ["language", "source", "site", "story", "since", "cursor", "limit", "q", "offset", "copies"]
    ),
    prefix=st.sampled_from(
        [
            "/api/v1/articles/",
            "/api/v1/stories/",
            "/ar/articles/",
            "/fr/stories/",
            "/en/sources/",
            "/fr/section/",
            "/feeds/stories/",
        ]
    ),
)
def test_no_input_gives_a_500(sqlite_store: Store, segment: str, value: str, name: str, prefix: str) -> None:
    client = app_client(sqlite_store)
    assert client.get(prefix + quote(segment, safe=""), params={name: value}).status_code < 500
    assert client.get("/api/v1/articles", params={name: value}).status_code < 500
    assert client.get("/fr/search", params={name: value}).status_code < 500
