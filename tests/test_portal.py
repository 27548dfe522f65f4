"""Portal pages in process: home per language, article, story, source and search pages, caching headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from akhbar.services import breaking
from akhbar.store import Store
from conftest import AsgiClient
from portal_fixtures import NASTY_TITLE, PortalData


@pytest.fixture
def store(sqlite_store: Store) -> Store:
    """The pages over SQLite (the API and the copies' tests run on PostgreSQL as well)."""
    return sqlite_store


@pytest.mark.parametrize(
    ("language", "direction", "ticker", "section"),
    [
        ("ar", "rtl", "آخر الأخبار", "بالعربية"),
        ("fr", "ltr", "Dernières nouvelles", "En français"),
        ("en", "ltr", "Latest news", "In English"),
    ],
)
def test_home_per_language(
    client: AsgiClient, language: str, direction: str, ticker: str, section: str
) -> None:
    page = client.get(f"/{language}/")
    assert page.status_code == 200
    assert f'<html lang="{language}" dir="{direction}">' in page.text
    assert ticker in page.text
    assert section in page.text
    assert page.headers["content-language"] == language
    assert 'class="ticker-items"' in page.text
    assert "<marquee" not in page.text
    assert "Pour le secrétaire général de l’OTAN" in page.text


def test_root_picks_the_language_from_accept_language(client: AsgiClient) -> None:
    assert 'lang="fr"' in client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"}).text[:80]
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "de, en;q=0.5"}).text[:80]
    page = client.get("/", headers={"Accept-Language": "de"})
    assert '<html lang="ar" dir="rtl">' in page.text
    assert page.headers["vary"] == "Accept-Language, Accept-Encoding"
    assert client.get("/fr").status_code == 308


def test_top_stories_group_the_three_languages(client: AsgiClient, data: PortalData) -> None:
    page = client.get("/en/").text
    top = page[page.index('class="top-stories"') :]
    assert '/en/stories/7"' in top
    assert "3 languages · 3 sources" in top
    assert "Morocco&#39;s government adopts the finance bill" in top, "the English headline on /en/"
    assert "Le gouvernement adopte le projet de loi de finances" in client.get("/fr/").text


def test_specimen_article_on_the_arabic_interface(client: AsgiClient, data: PortalData) -> None:
    page = client.get(f"/ar/articles/{data.specimen}")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="ar" dir="rtl">' in html
    assert '<article class="article" lang="fr" dir="ltr">' in html, (
        "a French article is LTR inside the RTL page"
    )
    assert "<bdi>بلادي نيوز</bdi>" in html and "[بلادي نيوز]" not in html, "no brackets around sources"
    assert '<time datetime="2024-10-18">18 أكتوبر 2024</time>' in html
    assert "<img" not in html, "no photo stored: the source's photo is never hotlinked"
    assert "Official photo of the NATO Ministers" not in html, "nor its caption shown without it"
    assert "Ce vendredi (18 octobre)" in html
    assert "السفارة المغربية ببلجيكا" not in html, "the scraped page's other (unlinked) headlines are dropped"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "18 octobre 2024, 09:00"), ("en", "October 18, 2024, 9:00"), ("ar", "18 أكتوبر 2024، 09:00")],
)
def test_article_dates_are_localised(
    client: AsgiClient, data: PortalData, language: str, expected: str
) -> None:
    html = client.get(f"/{language}/articles/{data.story_ar}").text
    assert expected in html
    assert "https://www.hespress.ma/finance-2025" in html, "link to the original"
    assert "Le gouvernement adopte le projet de loi de finances" in html, "other coverage"


def test_arabic_months_follow_the_source_region(client: AsgiClient, data: PortalData) -> None:
    assert "5 تموز 2024" in client.get(f"/ar/articles/{data.levant}").text
    assert "6 يوليوز 2024" in client.get(f"/ar/articles/{data.moroccan_july}").text
    assert "6 juillet 2024" in client.get(f"/fr/articles/{data.moroccan_july}").text


def test_story_page_earliest_first_with_who_published_first(client: AsgiClient, data: PortalData) -> None:
    page = client.get("/fr/stories/7")
    assert page.status_code == 200
    html = page.text
    assert "Publié en premier par" in html and '<bdi class="site">هسبريس</bdi>' in html
    timeline = html[html.index("timeline") :]
    positions = [timeline.index(f'/fr/articles/{i}"') for i in (data.story_ar, data.story_fr, data.story_en)]
    assert positions == sorted(positions)
    single = client.get(f"/fr/stories/a{data.levant}")
    assert single.status_code == 200
    assert client.get(f"/fr/stories/a{data.story_fr}").status_code == 200, "a grouped article's own key"


def test_source_and_search_pages(client: AsgiClient, data: PortalData) -> None:
    source = client.get("/ar/sources/%D9%87%D8%B3%D8%A8%D8%B1%D9%8A%D8%B3")
    assert source.status_code == 200
    assert "افتتاح موسم الصيف في طنجة" in source.text
    assert "هسبريس" in client.get("/ar/sources/").text
    found = client.get("/fr/search", params={"q": "loi de finances"})
    assert "Le gouvernement adopte le projet de <mark>loi</mark> de <mark>finances</mark>" in found.text
    assert "1 résultat pour" in found.text
    assert "Aucun résultat." in client.get("/fr/search", params={"q": "zzzz"}).text
    assert "طنجة" in client.get("/ar/search", params={"q": "طنجة"}).text
    assert client.get("/ar/search", params={"q": "%_"}).status_code == 200
    # the search engine's analysis, not a substring match: attached ب, accents folded
    assert "افتتاح موسم الصيف في <mark>طنجة</mark>" in client.get("/ar/search", params={"q": "بطنجة"}).text
    assert "<mark>gouvernement</mark> adopte" in client.get("/fr/search", params={"q": "gouvernément"}).text


def test_markup_is_escaped(client: AsgiClient, data: PortalData) -> None:
    html = client.get(f"/en/articles/{data.nasty}").text
    assert NASTY_TITLE not in html
    assert "&lt;script&gt;alert(" in html
    assert "<script>alert" not in client.get("/en/").text


def test_breaking_bar_shows_flagged_items(client: AsgiClient, sqlite_store: Store, data: PortalData) -> None:
    assert 'class="breaking"' not in client.get("/ar/").text
    breaking.flag_article(sqlite_store, data.story_fr, datetime.now(UTC) + timedelta(hours=1))
    page = client.get("/ar/").text
    bar = page[page.index('class="breaking"') : page.index("</section>", page.index('class="breaking"'))]
    assert "الأخبار العاجلة" in bar
    assert "Le gouvernement adopte le projet de loi de finances" in bar
    assert 'lang="fr" dir="ltr"' in bar
    assert "Flash" in client.get("/fr/").text


def test_caching_headers_and_304(client: AsgiClient) -> None:
    first = client.get("/fr/")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache", "browsers revalidate every time"
    assert first.headers["last-modified"].endswith("GMT")
    again = client.get("/fr/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/fr/", headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/de/", 404),
        ("/ar/articles/999999", 404),
        ("/ar/articles/x", 400),
        ("/ar/stories/999", 404),
        ("/ar/stories/zz", 404),
        ("/ar/sources/nobody", 404),
        ("/ar/search?q=" + "x" * 300, 400),
        ("/xx/search", 404),
    ],
)
def test_page_errors_are_html(client: AsgiClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert re.search(r'<html lang="(ar|fr|en)"', response.text)


def test_static_css_names_arabic_fonts(client: AsgiClient) -> None:
    css = client.get("/static/akhbar.css").text
    assert '"Noto Naskh Arabic"' in css and '"Noto Sans Arabic"' in css


def test_search_without_language_redirects(client: AsgiClient) -> None:
    response = client.get("/search?q=OTAN", headers={"Accept-Language": "fr"})
    assert response.status_code == 307
    assert response.headers["location"] == "/fr/search?q=OTAN"
    assert client.get("/opensearch.xml").status_code == 200


def test_no_two_portal_routes_take_one_path() -> None:
    """The portal's routes are ordered by how often they are asked for (routes/portal.py): that is
    only safe while each path a route takes is taken by no other."""
    from starlette.routing import Match

    from akhbar.web.routes import portal as routes

    paths = [getattr(route, "path", None) for route in routes.router.routes]
    assert paths[0] == "/{lang:lang}/articles/{article_id}", "the most asked first"
    for path in filter(None, paths):
        sample = re.sub(r"\{[a-z_]+(:[a-z]+)?\}", lambda m: "ar" if m.group(1) == ":lang" else "x1", path)
        taking = [
            route.path  # type: ignore[attr-defined]
            for route in routes.router.routes
            for method in ("GET", "HEAD")
            if method == "GET"
            and route.matches({"type": "http", "path": sample, "method": method, "root_path": ""})[0]
            == Match.FULL
        ]
        assert taking == [path], (sample, taking)
