"""Sections from the folders of article URLs: the rule on real URLs, the home blocks, section pages."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from akhbar.extract.sections import SECTIONS, section_of
from akhbar.models import Article
from akhbar.services import portal
from akhbar.store import Store
from akhbar.store import articles as article_rows
from akhbar.store import portal as queries
from conftest import AsgiClient, app_client
from portal_fixtures import populate, store_article
from test_cli import akhbar


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # real article URLs of the trafilatura evaluation set (shared/data/pages-trafilatura)
        ("https://www.ledevoir.com/politique/montreal/573258/la-fin-des-trottinettes", "politics"),
        ("https://www.lopinion.fr/edition/economie/glyphosate-radiographie-186859", "economy"),
        ("https://www.bondyblog.fr/societe/a-paris-8-un-peu-de-tension-beaucoup-d-actions/", "society"),
        ("https://www.sciencesetavenir.fr/sante/covid-19-et-infox_147359", "health"),
        ("https://madame.lefigaro.fr/bien-etre/problemes-dintestin-110417-130897", "health"),
        ("https://aoc.media/opinion/2019/12/09/pour-le-neoliberalisme/", "opinion"),
        ("https://lapresse.tn/48915/parite-hommes-femmes-en-tunisie/", None),
        ("https://www.sports.fr/direct-foot/50918/177512/lorient-olympique-lyonnais.html", None),
        ("https://francais.radio.cz/le-ministre-de-la-sante-surpris-8698000", None),
        # Arabic folders as sites write them: percent-encoded or not
        ("https://www.hespress.com/%D8%B1%D9%8A%D8%A7%D8%B6%D8%A9/1234.html", "sports"),
        ("https://www.example.ma/اقتصاد/1234.html", "economy"),
        ("https://x.fr/%C3%89conomie/a", "economy"),
        ("https://x.fr/e%CC%81conomie/a", "economy"),  # é decomposed
        ("https://x.fr/sport", None),  # the article's own slug is no folder
        ("https://x.fr/a?next=/politique/b", None),  # nor is a query string
        ("https://x.fr/sport/politique/a", "sports"),  # the leftmost folder wins
        (None, None),
    ],
)
def test_section_of(url: str | None, expected: str | None) -> None:
    assert section_of(url) == expected


def test_every_folder_names_its_section() -> None:
    for key, (_, folders) in SECTIONS.items():
        for folder in folders:
            assert section_of(f"https://example.org/{folder}/article") == key
            assert section_of(f"https://example.org/{quote(folder, safe='-')}/article") == key


def _article(title: str, url: str, language: str, published: str) -> Article:
    return Article(
        title=title,
        body_paragraphs=(f"{title}.",),
        language=language,
        site_name="Le Matin" if language == "fr" else "هسبريس",
        url=url,
        published=published,
    )


@pytest.fixture
def filed(store: Store) -> dict[str, int]:
    populate(store)
    articles = {
        "politics_fr": _article("Le parlement vote le budget", "https://lematin.ma/politique/budget", "fr", "2024-12-01T10:00:00Z"),
        "politics_ar": _article("البرلمان يصوت على الميزانية", "https://www.hespress.com/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9/1.html", "ar", "2024-12-01T11:00:00Z"),
        "sports_ar": _article("المنتخب يفوز في النهائي", "https://www.hespress.com/sport/final.html", "ar", "2024-12-01T12:00:00Z"),
        "slug_only": _article("Le sport en ville", "https://lematin.ma/sport", "fr", "2024-12-01T13:00:00Z"),
        "query_only": _article("Une page de renvoi", "https://lematin.ma/page?next=/politique/x", "fr", "2024-12-01T14:00:00Z"),
        "first_folder": _article("Sport et politique", "https://lematin.ma/sport/politique/match", "fr", "2024-12-01T15:00:00Z"),
    }  # fmt: skip
    return {key: store_article(store, key, article) for key, article in articles.items()}


@pytest.fixture
def client(store: Store, filed: dict[str, int]) -> AsgiClient:
    return app_client(store)


def test_section_listing(store: Store, filed: dict[str, int]) -> None:
    politics = portal.section(store, "politics")
    assert politics is not None
    assert [a.id for a in politics.items] == [filed["politics_ar"], filed["politics_fr"]], "newest first"
    arabic = portal.section(store, "politics", language="ar")
    assert arabic is not None and [a.id for a in arabic.items] == [filed["politics_ar"]]
    sports = portal.section(store, "sports")
    assert sports is not None and [a.id for a in sports.items] == [filed["first_folder"], filed["sports_ar"]]
    assert portal.section(store, "weather") is None


def test_home_has_a_block_per_section(client: AsgiClient, filed: dict[str, int]) -> None:
    page = client.get("/fr/").text
    assert '<a href="/fr/section/politics">Politique</a>' in page
    assert '<a href="/fr/section/sports">Sport</a>' in page
    block = page[
        page.index('id="section-politics"') : page.index("</section>", page.index('id="section-politics"'))
    ]
    ids = [int(i) for i in re.findall(r'href="/fr/articles/(\d+)"', block)]
    top = page[
        page.index('class="top-stories"') : page.index("</section>", page.index('class="top-stories"'))
    ]
    on_top = {int(i) for i in re.findall(r'href="/fr/articles/(\d+)"', top)}
    politics = [filed["politics_ar"], filed["politics_fr"]]
    assert ids == [i for i in politics if i not in on_top], "newest first, a top story not listed again"
    assert set(politics) <= set(ids) | on_top
    assert 'lang="fr" dir="ltr"' in block, "each item keeps its own direction (on the French page too)"
    assert "رياضة" in client.get("/ar/").text


def test_section_pages(client: AsgiClient, filed: dict[str, int]) -> None:
    page = client.get("/ar/section/politics")
    assert page.status_code == 200
    assert '<h1 class="page-title">سياسة</h1>' in page.text
    assert f'href="/ar/articles/{filed["politics_fr"]}"' in page.text
    assert f'href="/ar/articles/{filed["query_only"]}"' not in page.text
    assert client.get("/en/section/sports").text.count('class="article-item"') == 2
    arabic = client.get("/fr/section/politics", params={"language": "ar"}).text
    assert f'href="/fr/articles/{filed["politics_ar"]}"' in arabic
    assert f'href="/fr/articles/{filed["politics_fr"]}"' not in arabic
    assert (
        'href="/fr/section/politics?language=ar" lang="ar" dir="rtl" hreflang="ar" aria-current="page"'
        in arabic
    )
    ignored = client.get("/fr/section/politics", params={"language": "<x>"})
    assert ignored.status_code == 200 and f'href="/fr/articles/{filed["politics_fr"]}"' in ignored.text
    missing = client.get("/fr/section/weather")
    assert missing.status_code == 404 and "Rubrique introuvable" in missing.text
    assert client.get("/xx/section/politics").status_code == 404
    article = client.get(f"/fr/articles/{filed['politics_ar']}").text
    assert '<p class="kicker" lang="fr" dir="ltr"><a href="/fr/section/politics">Politique</a>' in article


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_section_feeds(client: AsgiClient, filed: dict[str, int], fmt: str) -> None:
    import feedparser

    response = client.get(f"/feeds/sections/politics.{fmt}")
    assert response.status_code == 200 and response.headers["etag"]
    if fmt == "json":
        items = response.json()["items"]
        titles = [item["title"] for item in items]
        assert all(item["tags"] == ["politics"] for item in items)
    else:
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        titles = [entry.title for entry in parsed.entries]
        assert all([tag.term for tag in entry.tags] == ["politics"] for entry in parsed.entries)
    assert titles == ["البرلمان يصوت على الميزانية", "Le parlement vote le budget"], (
        "newest first, this section only"
    )
    assert client.get(f"/feeds/sections/weather.{fmt}").status_code == 404
    page = client.get("/fr/section/politics").text
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Politique" href="/feeds/sections/politics.atom">'
        in page
    )


def test_sections_are_stored_with_articles(store: Store, filed: dict[str, int]) -> None:
    with store.reading() as connection:
        stored = {key: article_rows.get_article(connection, i) for key, i in filed.items()}
    assert {key: a.article.section for key, a in stored.items() if a is not None} == {
        "politics_fr": "politics",
        "politics_ar": "politics",
        "sports_ar": "sports",
        "slug_only": None,
        "query_only": None,
        "first_folder": "sports",
    }


def test_a_section_page_reads_through_its_index(sqlite_store: Store) -> None:
    populate(sqlite_store)
    with sqlite_store.reading() as connection:
        query = queries.summaries_query(connection, queries.Filters(section="politics", collapse=True))
        sql = query.compile(connection, compile_kwargs={"literal_binds": True})
        plan = " | ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "ix_articles_section" in plan and "TEMP B-TREE" not in plan, plan


def test_the_migration_files_existing_articles(store: Store, filed: dict[str, int]) -> None:
    from alembic import command

    from akhbar.store.engine import _alembic_config, upgrade

    with store.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0010_editors")
    upgrade(store.engine)
    with store.reading() as connection:
        politics = article_rows.get_article(connection, filed["politics_ar"])
        slug = article_rows.get_article(connection, filed["slug_only"])
    assert politics is not None and politics.article.section == "politics"
    assert slug is not None and slug.article.section is None


def test_the_api_and_the_cli_filter_by_section(client: AsgiClient, filed: dict[str, int]) -> None:
    listed = client.get("/api/v1/articles", params={"section": "sports"}).json()["articles"]
    assert [a["id"] for a in listed] == [filed["first_folder"], filed["sports_ar"]]
    assert {a["section"] for a in listed} == {"sports"}
    refused = client.get("/api/v1/articles", params={"section": "weather"})
    assert refused.status_code == 422
    assert client.get(f"/api/v1/articles/{filed['politics_fr']}").json()["section"] == "politics"


@pytest.mark.slow
def test_articles_list_by_section(store: Store, filed: dict[str, int], tmp_path: Path) -> None:
    from akhbar.services import articles

    sports = articles.list_articles(store, section="sports")
    assert [a.id for a in sports] == [filed["first_folder"], filed["sports_ar"]]
    assert all(a.to_json()["section"] == "sports" for a in sports)
    refused = akhbar("articles", "list", "--section", "weather", data_dir=tmp_path)
    assert refused.returncode == 2 and "weather" in refused.stderr
