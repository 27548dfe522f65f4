"""What crawlers and browsers ask a site for: ``/robots.txt``, ``/sitemap.xml``, the Google News
sitemap of the last 48 hours (``/sitemap-news.xml``), ``/favicon.ico`` and the web app manifest.

Sitemaps name each article once, at its own language's address (the pages name the other
interface languages with ``hreflang``); they are cached per data version like the pages.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import APIRouter
from lxml import etree
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from akhbar.models import ArticleSummary
from akhbar.services import portal
from akhbar.services.portal import SECTIONS
from akhbar.text.fields import clean_text
from akhbar.web.caching import Rendered
from akhbar.web.dependencies import AppStore, Cache
from akhbar.web.feedformats import timestamp
from akhbar.web.i18n import LANGUAGES
from akhbar.web.seo import base_url

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).resolve().parents[1] / "static"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
SITEMAP_ARTICLES = 5000  # newest articles listed (a sitemap holds at most 50,000 addresses)
NEWS_WINDOW = timedelta(hours=48)  # Google News reads articles of the last two days
NEWS_ARTICLES = 1000  # the most a news sitemap may list
XML = "application/xml; charset=utf-8"
DAY = "public, max-age=86400"
MANIFEST = {
    "name": "akhbar — أخبار",
    "short_name": "akhbar",
    "description": "News in Arabic, French and English, one story across languages.",
    "start_url": "/",
    "scope": "/",
    "display": "standalone",
    "background_color": "#ffffff",
    "theme_color": "#0b5d4b",
    "icons": [
        {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"},
    ],
}


def _robots(base: str) -> str:
    return (
        "User-agent: *\n"
        "Allow: /\n"
        "Disallow: /admin\n"
        "Disallow: /api/\n"
        "Disallow: /search\n"
        + "".join(f"Disallow: /{code}/search\n" for code in LANGUAGES)
        + f"\nSitemap: {base}/sitemap.xml\nSitemap: {base}/sitemap-news.xml\n"
    )


@router.get("/robots.txt")
async def robots(request: Request) -> Response:
    return Response(
        _robots(base_url(request)), media_type="text/plain; charset=utf-8", headers={"Cache-Control": DAY}
    )


def _url(parent: etree._Element, loc: str, lastmod: datetime | None = None) -> etree._Element:
    url = etree.SubElement(parent, f"{{{SITEMAP}}}url")
    etree.SubElement(url, f"{{{SITEMAP}}}loc").text = loc
    if lastmod is not None:
        etree.SubElement(url, f"{{{SITEMAP}}}lastmod").text = lastmod.isoformat(timespec="seconds")
    return url


def _article_address(base: str, item: ArticleSummary) -> str:
    language = item.language if item.language in LANGUAGES else LANGUAGES[0]
    return f"{base}/{language}/articles/{item.id}"


def sitemap(base: str, items: list[ArticleSummary]) -> bytes:
    root = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP})  # type: ignore[dict-item]  # None is the default namespace in lxml
    for code in LANGUAGES:
        _url(root, f"{base}/{code}/")
        for key in SECTIONS:
            _url(root, f"{base}/{code}/section/{key}")
    for item in items:
        _url(root, _article_address(base, item), item.updated_at)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def news_sitemap(base: str, publication: str, items: list[ArticleSummary], now: datetime) -> bytes:
    """Articles published in the last 48 hours, with the ``news:`` fields Google News reads."""
    root = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP, "news": NEWS})  # type: ignore[dict-item]  # None is the default namespace in lxml
    for item in items:
        published = timestamp(item)
        if not now - NEWS_WINDOW <= published <= now + timedelta(minutes=10):
            continue
        url = _url(root, _article_address(base, item))
        news = etree.SubElement(url, f"{{{NEWS}}}news")
        source = etree.SubElement(news, f"{{{NEWS}}}publication")
        etree.SubElement(source, f"{{{NEWS}}}name").text = publication
        etree.SubElement(source, f"{{{NEWS}}}language").text = item.language or "ar"
        etree.SubElement(news, f"{{{NEWS}}}publication_date").text = published.isoformat(timespec="seconds")
        etree.SubElement(news, f"{{{NEWS}}}title").text = clean_text(item.title)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


@router.get("/sitemap.xml")
async def sitemap_page(request: Request, store: AppStore, cache: Cache) -> Response:
    base = base_url(request)

    def render() -> Rendered:
        items = portal.latest(store, portal.Filters(collapse=True), limit=SITEMAP_ARTICLES)
        return Rendered(sitemap(base, items), XML)

    return await cache.respond(request, f"sitemap|{base}", render)


@router.get("/sitemap-news.xml")
async def news_sitemap_page(request: Request, store: AppStore, cache: Cache) -> Response:
    base = base_url(request)
    settings = request.app.state.settings
    publication = settings.site_name if settings is not None else "akhbar"

    def render() -> Rendered:
        now = datetime.now(UTC)
        since = (now - NEWS_WINDOW - timedelta(days=1)).date().isoformat()  # coarse: filtered exactly above
        filters = portal.Filters(since=since, collapse=True)
        items = portal.latest(store, filters, limit=NEWS_ARTICLES)
        return Rendered(news_sitemap(base, publication, items, now), XML)

    hour = datetime.now(UTC).strftime("%Y%m%d%H")  # the 48-hour window moves even when nothing is added
    return await cache.respond(request, f"sitemap-news|{base}|{hour}", render)


@router.get("/manifest.webmanifest")
async def manifest() -> Response:
    body = json.dumps(MANIFEST, ensure_ascii=False)
    return Response(body, media_type="application/manifest+json", headers={"Cache-Control": DAY})


@router.get("/favicon.ico")
async def favicon() -> Response:
    return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon", headers={"Cache-Control": DAY})
