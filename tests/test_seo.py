"""What search engines and link previews read: the head of each page, JSON-LD NewsArticle, robots.txt,
the sitemaps (Google News's of the last 48 hours), the favicon and the web app manifest, and the photo
in the RSS, Atom and JSON feeds — all through the real app."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree, html
from PIL import Image

from akhbar.config import Settings
from akhbar.models import Article, Document
from akhbar.services import images, ingest
from akhbar.services.stories import Grouping
from akhbar.store import Store
from conftest import AsgiClient, app_client
from image_fixtures import PHOTO
from portal_fixtures import PortalData, populate
from test_sources_refresh import make_settings

BASE = "http://testserver"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
MEDIA = "{http://search.yahoo.com/mrss/}"
# Properties schema.org defines for NewsArticle (from its Article, CreativeWork and Thing types) that
# akhbar writes; anything else would be a property schema.org's validator does not know.
NEWS_ARTICLE_PROPERTIES = {
    "@context", "@type", "headline", "description", "datePublished", "dateModified", "author",
    "publisher", "mainEntityOfPage", "url", "inLanguage", "image", "isBasedOn",
}  # fmt: skip


class Site:
    def __init__(self, store: Store, data: PortalData, settings: Settings, recent: int, photo: int) -> None:
        self.client: AsgiClient = app_client(store, settings=settings)
        self.data = data
        self.recent = recent
        self.photo = photo


def recent_article(store: Store) -> int:
    """An article published an hour ago (the others of the set are from 2024)."""
    when = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    article = Article(
        title="Séisme au large de la côte : les secours mobilisés",
        body_paragraphs=(
            "Un séisme de magnitude 5,1 a été ressenti ce matin le long de la côte atlantique.",
        ),
        language="fr",
        site_name="Le Matin",
        url="https://lematin.ma/seisme",
        published=when,
        image_url="https://lematin.ma/seisme.jpg",
    )
    document = Document("test:recent", b"recent", "text/plain", article.url)
    with store.transaction() as connection:
        from akhbar.store import documents

        raw_id, _ = documents.insert_raw_once(connection, document, None, None)
    result = ingest.record_outcome(store, raw_id, document, article, None, Grouping())
    assert result.article_id is not None
    return result.article_id


@pytest.fixture
def site(sqlite_store: Store, tmp_path: Path) -> Site:
    settings = make_settings(sqlite_store.url, data_dir=str(tmp_path / "data"))
    data = populate(sqlite_store)
    recent = recent_article(sqlite_store)
    stored = images.store_image(sqlite_store, settings, PHOTO, credit="Agence Test")
    assert isinstance(stored, images.StoredImage)
    images.attach(sqlite_store, recent, stored.id)
    return Site(sqlite_store, data, settings, recent, stored.id)


def head_of(page: str) -> Any:
    return html.fromstring(page.encode()).find("head")


def meta(head: Any, key: str) -> str:
    found = head.xpath(f'meta[@property="{key}" or @name="{key}"]/@content')
    assert len(found) == 1, f"{key}: {found}"
    return str(found[0])


def test_an_article_page_has_every_tag_sharing_and_search_need(site: Site) -> None:
    response = site.client.get(f"/ar/articles/{site.recent}")
    assert response.status_code == 200
    head = head_of(response.text)
    assert meta(head, "description").startswith("Un séisme de magnitude 5,1")
    canonical = head.xpath('link[@rel="canonical"]/@href')
    assert canonical == [f"{BASE}/ar/articles/{site.recent}"]
    alternates = dict(
        zip(head.xpath("link[@hreflang]/@hreflang"), head.xpath("link[@hreflang]/@href"), strict=True)
    )
    assert alternates == {
        "ar": f"{BASE}/ar/articles/{site.recent}",
        "fr": f"{BASE}/fr/articles/{site.recent}",
        "en": f"{BASE}/en/articles/{site.recent}",
        "x-default": f"{BASE}/articles/{site.recent}",
    }
    assert meta(head, "og:type") == "article"
    assert meta(head, "og:url") == canonical[0]
    assert meta(head, "og:title").startswith("Séisme")
    image = meta(head, "og:image")
    assert image.startswith(f"{BASE}/media/images/") and image.endswith("-1000.webp")
    assert (meta(head, "og:image:width"), meta(head, "og:image:height")) == ("1000", "1600")
    assert meta(head, "twitter:card") == "summary_large_image"
    assert "lematin.ma/seisme.jpg" not in response.text, "the source's photo address is never used"
    assert site.client.get(image.removeprefix(BASE)).status_code == 200


def test_json_ld_is_a_valid_news_article(site: Site) -> None:
    page = site.client.get(f"/fr/articles/{site.recent}").text
    scripts = head_of(page).xpath('script[@type="application/ld+json"]/text()')
    assert len(scripts) == 1
    value = json.loads(scripts[0])
    assert value["@context"] == "https://schema.org" and value["@type"] == "NewsArticle"
    assert set(value) <= NEWS_ARTICLE_PROPERTIES, set(value) - NEWS_ARTICLE_PROPERTIES
    assert 0 < len(value["headline"]) <= 110
    for key in ("datePublished", "dateModified"):
        assert datetime.fromisoformat(value[key]).tzinfo is not None, key
    assert value["author"] == [{"@type": "Organization", "name": "Le Matin"}]
    assert value["publisher"]["@type"] == "Organization" and value["publisher"]["name"] == "Le Matin"
    logo = value["publisher"]["logo"]["url"]
    assert site.client.get(logo.removeprefix(BASE)).headers["content-type"] == "image/png"
    assert value["image"][0]["@type"] == "ImageObject"
    assert value["image"][0]["url"].startswith(f"{BASE}/media/images/")
    assert value["mainEntityOfPage"]["@id"] == f"{BASE}/fr/articles/{site.recent}"


def test_json_ld_cannot_close_its_script_element(site: Site) -> None:
    page = site.client.get(f"/fr/articles/{site.data.nasty}").text
    script = head_of(page).xpath('script[@type="application/ld+json"]/text()')[0]
    assert "</script" not in script.lower() and "<" not in script
    assert json.loads(script)["headline"].startswith('<script>alert("x")</script>')
    no_photo = head_of(page)
    assert meta(no_photo, "twitter:card") == "summary"
    assert not no_photo.xpath('meta[@property="og:image"]')
    assert "image" not in json.loads(script)


@pytest.mark.parametrize("path", ["/fr/", "/ar/", "/en/section/politics", "/"])
def test_home_and_section_pages_have_a_description_and_a_canonical_link(site: Site, path: str) -> None:
    response = site.client.get(path, headers={"Accept-Language": "fr"})
    if response.status_code == 404:
        pytest.skip(f"{path}: no such section in the set")
    head = head_of(response.text)
    assert len(meta(head, "description")) > 50
    canonical = head.xpath('link[@rel="canonical"]/@href')
    assert canonical == [BASE + (path if path != "/" else "/fr/")]
    assert set(head.xpath("link[@hreflang]/@hreflang")) >= {"ar", "fr", "en"}


def test_robots_txt_names_the_sitemaps(site: Site) -> None:
    response = site.client.get("/robots.txt")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert "Disallow: /admin" in lines and "Disallow: /api/" in lines and "Disallow: /fr/search" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines and f"Sitemap: {BASE}/sitemap-news.xml" in lines


def test_the_sitemap_lists_every_article_once(site: Site) -> None:
    response = site.client.get("/sitemap.xml")
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    root = etree.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    locations = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert len(locations) == len(set(locations))
    assert f"{BASE}/fr/articles/{site.recent}" in locations and f"{BASE}/ar/" in locations
    assert all(loc.startswith(BASE + "/") for loc in locations)
    for lastmod in root.iter(f"{SITEMAP}lastmod"):
        assert datetime.fromisoformat(str(lastmod.text)).tzinfo is not None


def test_the_news_sitemap_holds_the_last_48_hours_only(site: Site) -> None:
    response = site.client.get("/sitemap-news.xml")
    root = etree.fromstring(response.content)
    urls = root.findall(f"{SITEMAP}url")
    assert [u.findtext(f"{SITEMAP}loc") for u in urls] == [f"{BASE}/fr/articles/{site.recent}"]
    news = urls[0].find(f"{NEWS}news")
    assert news is not None
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "akhbar"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "fr"
    assert news.findtext(f"{NEWS}title") == "Séisme au large de la côte : les secours mobilisés"
    when = datetime.fromisoformat(str(news.findtext(f"{NEWS}publication_date")))
    assert timedelta(minutes=50) < datetime.now(UTC) - when < timedelta(minutes=70)


def test_favicon_and_manifest_are_served_with_their_types(site: Site) -> None:
    icon = site.client.get("/favicon.ico")
    assert icon.headers["content-type"] == "image/x-icon"
    assert Image.open(io.BytesIO(icon.content)).format == "ICO"
    manifest = site.client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    value = manifest.json()
    assert value["start_url"] == "/" and value["display"] == "standalone"
    for entry in value["icons"]:
        served = site.client.get(entry["src"])
        assert served.status_code == 200 and served.headers["content-type"].startswith(entry["type"])
        if entry["type"] == "image/png":
            assert Image.open(io.BytesIO(served.content)).size == tuple(map(int, entry["sizes"].split("x")))
    head = head_of(site.client.get("/fr/").text)
    assert head.xpath('link[@rel="manifest"]/@href') == ["/manifest.webmanifest"]
    assert "/favicon.ico" in head.xpath('link[@rel="icon"]/@href')


def test_feeds_carry_akhbar_s_copy_of_the_photo(site: Site) -> None:
    rss = etree.fromstring(site.client.get("/feeds/languages/fr.rss").content)
    contents = rss.findall(f".//item/{MEDIA}content")
    assert len(contents) == 1
    content = contents[0]
    assert content.get("url", "").startswith(f"{BASE}/media/images/")
    assert (content.get("type"), content.get("medium"), content.get("width")) == (
        "image/webp",
        "image",
        "1000",
    )
    assert content.findtext(f"{MEDIA}credit") == "Agence Test"
    feed = site.client.get("/feeds/languages/fr.json").json()
    with_image = [item for item in feed["items"] if "image" in item]
    assert [item["image"] for item in with_image] == [content.get("url")]
    atom = site.client.get("/feeds/languages/fr.atom").text
    assert f'rel="enclosure" type="image/webp" href="{content.get("url")}"' in atom
    for path in ("/feeds/latest.rss", "/feeds/latest.json", "/feeds/latest.atom"):
        assert "hespress.ma/photo.jpg" not in site.client.get(path).text, "no source photo address in feeds"
