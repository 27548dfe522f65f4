"""The web app in process (httpx ASGI transport) over a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest

from akhbar.services import ingest
from akhbar.services.stories import Grouping
from akhbar.store import Store
from conftest import SEED, AsgiClient, app_client

ARABIC_DUMP = """الرئيسية
سياسة

الحكومة تصادق على مشروع قانون المالية للسنة المقبلة بعد نقاش طويل

الرباط - 18 أكتوبر 2024

صادق مجلس الحكومة، اليوم الجمعة، على مشروع قانون المالية للسنة المقبلة، بعد نقاش طويل بين الوزراء حول أولويات الإنفاق العمومي والاستثمار في البنيات التحتية والتعليم والصحة.

وأوضح الناطق الرسمي باسم الحكومة أن المشروع يتضمن إجراءات لدعم القدرة الشرائية للأسر، وتحفيز الاستثمار الخاص، وتقليص عجز الميزانية إلى مستويات معقولة خلال السنوات الثلاث المقبلة.

وينتظر أن يحال المشروع على البرلمان خلال الأيام القليلة المقبلة من أجل مناقشته والتصويت عليه، وسط توقعات بنقاش حاد بين الأغلبية والمعارضة.
"""


@pytest.fixture
def client(sqlite_store: Store, tmp_path: Path) -> AsgiClient:
    arabic = tmp_path / "ar.txt"
    arabic.write_text(ARABIC_DUMP, encoding="utf-8")
    results = list(
        ingest.ingest_paths(
            sqlite_store, [str(SEED / "000_5f9867fcee487711.txt"), str(arabic)], grouping=Grouping()
        )
    )
    assert [r.status for r in results] == ["stored", "stored"]
    return app_client(sqlite_store, cache_ttl=1.0)


def test_home_lists_articles_with_direction(client: AsgiClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Pour le secrétaire général de l’OTAN" in page.text
    assert 'lang="ar" dir="rtl"' in page.text
    assert 'lang="fr" dir="ltr"' in page.text
    assert "بلادي نيوز" in page.text


def test_article_page_and_api(client: AsgiClient) -> None:
    listing = client.get("/api/v1/articles", params={"language": "fr"}).json()["articles"]
    assert len(listing) == 1
    article_id = listing[0]["id"]
    page = client.get(f"/articles/{article_id}")
    assert page.status_code == 200
    # the specimen has a caption but no photo: no caption without its picture (issue 17)
    assert "<figcaption" not in page.text and "<img" not in page.text
    one = client.get(f"/api/v1/articles/{article_id}").json()
    assert one["image_caption"].startswith("Official photo of the NATO Ministers of Defence")
    assert one["published"] == "2024-10-18"
    assert one["body_paragraphs"][0].startswith("Ce vendredi (18 octobre)")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/articles/9999", 404),
        ("/articles/abc", 400),
        ("/api/v1/articles/9999", 404),
        ("/api/v1/articles/abc", 422),
        ("/api/v1/articles?limit=0", 422),
        ("/api/v1/articles?language=%27;drop", 422),
        ("/nowhere", 404),
    ],
)
def test_errors_are_clean(client: AsgiClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    if path.startswith("/api/"):
        assert "error" in response.json()
    else:
        assert "text/html" in response.headers["content-type"]


def test_health_and_openapi(client: AsgiClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert "/api/v1/articles" in client.get("/api/openapi.json").json()["paths"]
