"""The /api/v1 contracts: OpenAPI documents every answer, and real answers validate against the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from akhbar.services import breaking
from akhbar.store import Store
from akhbar.web import schemas
from akhbar.web.app import ROUTERS
from conftest import AsgiClient
from portal_fixtures import PortalData, Syndicated, add_syndicated, populate

# The extracted-article JSON of DESIGN.md: `akhbar extract` and GET /api/v1/articles/{id} give these.
EXTRACTED_ARTICLE = (
    "title",
    "site_name",
    "url",
    "published",
    "language",
    "authors",
    "image_url",
    "image_caption",
    "body_paragraphs",
    "headlines",
    "story_id",
    "duplicate_of",
)


@pytest.fixture
def data(store: Store) -> tuple[PortalData, Syndicated]:
    """The portal data set, a syndicated text (lists say "also in"), and an active breaking flag."""
    found = populate(store), add_syndicated(store)
    breaking.flag_article(store, found[0].story_en, datetime.now(UTC) + timedelta(hours=1), story=True)
    return found


def _ok(client: AsgiClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, (path, response.text)
    return response.json()


def test_every_v1_answer_has_a_documented_schema(client: AsgiClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    v1 = {path: operations for path, operations in paths.items() if path.startswith("/api/v1/")}
    routes = {route.path for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)}
    assert {path for path in routes if path.startswith("/api/v1/")} == set(v1), "every route is documented"
    for path, operations in v1.items():
        for method, operation in operations.items():
            schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
            assert schema and schema != {}, f"{method.upper()} {path} documents no answer"
            for status, answer in operation["responses"].items():
                if status != "200":
                    error = answer["content"]["application/json"]["schema"]
                    assert error == {"$ref": "#/components/schemas/Error"}, (path, status)


@pytest.mark.parametrize(
    ("path", "params", "model"),
    [
        ("/api/v1/articles", {}, schemas.ArticleList),
        ("/api/v1/articles", {"copies": "include", "limit": 3}, schemas.ArticleList),
        ("/api/v1/articles", {"language": "ar", "section": "politics"}, schemas.ArticleList),
        ("/api/v1/stories", {}, schemas.StoryList),
        ("/api/v1/stories/7", {}, schemas.Story),
        ("/api/v1/sources", {}, schemas.SiteList),
        ("/api/v1/breaking", {}, schemas.Breaking),
        ("/api/v1/search", {"q": "loi de finances"}, schemas.SearchResults),
        ("/api/v1/search", {"q": "الحكومة"}, schemas.SearchResults),
    ],
)
def test_answers_validate_against_their_models(
    client: AsgiClient, path: str, params: dict[str, Any], model: type[BaseModel]
) -> None:
    answer = _ok(client, path, **params)
    model.model_validate(answer)
    assert any(isinstance(value, list) and value for value in answer.values()), "a non-empty list was checked"


def test_lists_carry_also_in_only_for_copied_texts(
    client: AsgiClient, data: tuple[PortalData, Syndicated]
) -> None:
    listed = schemas.ArticleList.model_validate(_ok(client, "/api/v1/articles"))
    copied = [a for a in listed.articles if a.also_in is not None]
    assert [a.id for a in copied] == [data[1].original]
    raw = _ok(client, "/api/v1/articles")["articles"]
    assert all(("also_in" in a) == (a["id"] == data[1].original) for a in raw), "absent, never null"


def test_one_article_keeps_the_extracted_article_json(
    client: AsgiClient, store: Store, data: tuple[PortalData, Syndicated]
) -> None:
    portal, _ = data
    for article_id in (portal.specimen, portal.story_fr, portal.nasty):
        answer = _ok(client, f"/api/v1/articles/{article_id}")
        schemas.Article.model_validate(answer)
        assert set(EXTRACTED_ARTICLE) <= set(answer)
        assert list(answer) == ["id", *EXTRACTED_ARTICLE, "duplicate_kind", "section", "story", "copies"], (
            "every field, in order"
        )


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/articles?cursor=!!!", 400),
        ("/api/v1/articles/999999", 404),
        ("/api/v1/articles?limit=0", 422),
        ("/api/v1/search?q=-x", 400),
    ],
)
def test_refusals_validate_against_the_error_model(client: AsgiClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    refusal = schemas.Error.model_validate(response.json())
    assert refusal.error and (refusal.details is not None) == (status == 422)
