"""What search engines and link previews read in a page's head (``templates/_seo.html``).

Every portal page gets a meta description and a canonical link (its own absolute address: each
interface language is its own page), ``hreflang`` alternates for the other interface languages and
``x-default`` for the address that answers in the browser's language; an article page adds
OpenGraph and Twitter card tags and JSON-LD ``NewsArticle`` (schema.org) with its photo when akhbar
keeps one (never the source's address: a preview must not hotlink either).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from markupsafe import Markup
from starlette.requests import Request

from akhbar.models import StoredArticle, as_utc
from akhbar.services.images import Picture
from akhbar.web.i18n import LANGUAGES, parse_published

__all__ = ["Seo", "article_seo", "base_url", "iso_time", "page_seo"]

DESCRIPTION_LENGTH = 160
HEADLINE_LENGTH = 110  # what search engines show of a NewsArticle headline
OG_LOCALES = {"ar": "ar_AR", "fr": "fr_FR", "en": "en_US"}
SITE_DESCRIPTIONS = {
    "ar": "أخبار: الأخبار بالعربية والفرنسية والإنجليزية، القصة الواحدة عبر اللغات والمصادر، ومن نشرها أولا.",
    "fr": "akhbar : l'actualité en arabe, en français et en anglais, chaque histoire suivie d'une langue et"
    " d'une source à l'autre, et qui l'a publiée en premier.",
    "en": "akhbar: the news in Arabic, French and English, each story followed across languages and"
    " sources, and who published it first.",
}


@dataclass(frozen=True)
class Seo:
    """The head of one page: absolute addresses only."""

    title: str
    description: str
    canonical: str
    alternates: tuple[tuple[str, str], ...]  # (hreflang, address), x-default last
    locale: str
    og_type: str = "website"
    image: str | None = None
    image_width: int | None = None
    image_height: int | None = None
    image_alt: str | None = None
    published: str | None = None
    modified: str | None = None
    json_ld: Markup | None = None


def base_url(request: Request) -> str:
    """The site's address as the request reached it, without the final slash."""
    return str(request.base_url).rstrip("/")


def shortened(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters (with …)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:،؛")
    return cut + "…"


def iso_time(published: str | None) -> str | None:
    """An ISO 8601 time of a stored ``published`` value (midnight UTC for a date alone)."""
    value = parse_published(published)
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).isoformat()
    return None


def _alternates(base: str, path_of: dict[str, str], default: str | None) -> tuple[tuple[str, str], ...]:
    found = tuple((code, base + path_of[code]) for code in LANGUAGES)
    return found + ((("x-default", base + default),) if default else ())


def page_seo(
    base: str,
    language: str,
    title: str,
    path: str,
    *,
    description: str | None = None,
    default: str | None = None,
) -> Seo:
    """A list page (home, section): ``path`` starts with ``/{language}/``; its versions in the
    other interface languages differ only in that prefix; ``default`` is the address answering in
    the browser's language, when there is one (``x-default``)."""
    rest = path.removeprefix(f"/{language}")
    return Seo(
        title=title,
        description=shortened(description or SITE_DESCRIPTIONS.get(language, SITE_DESCRIPTIONS["en"])),
        canonical=base + path,
        alternates=_alternates(base, {code: f"/{code}{rest}" for code in LANGUAGES}, default),
        locale=OG_LOCALES.get(language, "ar_AR"),
    )


def _json_ld(value: dict[str, Any]) -> Markup:
    """JSON for a ``<script type="application/ld+json">``: nothing in it can close the element."""
    text = json.dumps(value, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # escaped above: no "<" can end the script element


def _news_article(
    stored: StoredArticle, canonical: str, description: str, picture: Picture | None, base: str
) -> dict[str, Any]:
    article = stored.article
    site = article.site_name or "akhbar"
    authors: list[dict[str, str]] = [{"@type": "Person", "name": name} for name in article.authors]
    value: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": shortened(article.title, HEADLINE_LENGTH),
        "description": description,
        "datePublished": iso_time(article.published) or as_utc(stored.created_at).isoformat(),
        "dateModified": as_utc(stored.updated_at).isoformat(),
        "author": authors or [{"@type": "Organization", "name": site}],
        "publisher": {
            "@type": "Organization",
            "name": site,
            "logo": {"@type": "ImageObject", "url": base + "/static/icon-512.png"},
        },
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
    }
    if article.language:
        value["inLanguage"] = article.language
    if picture is not None:
        value["image"] = [
            {
                "@type": "ImageObject",
                "url": base + picture.largest,
                "width": picture.largest_width,
                "height": picture.largest_height,
            }
        ]
    if article.url:
        value["isBasedOn"] = article.url
    return value


def article_seo(base: str, language: str, stored: StoredArticle, picture: Picture | None) -> Seo:
    """An article page in the interface ``language``."""
    article = stored.article
    path_of = {code: f"/{code}/articles/{stored.id}" for code in LANGUAGES}
    canonical = base + path_of.get(language, f"/{language}/articles/{stored.id}")
    description = shortened(next(iter(article.body_paragraphs), "") or article.title)
    return Seo(
        title=article.title,
        description=description,
        canonical=canonical,
        alternates=_alternates(base, path_of, f"/articles/{stored.id}"),
        locale=OG_LOCALES.get(language, "ar_AR"),
        og_type="article",
        image=base + picture.largest if picture else None,
        image_width=picture.largest_width if picture else None,
        image_height=picture.largest_height if picture else None,
        image_alt=picture.alt if picture else None,
        published=iso_time(article.published),
        modified=as_utc(stored.updated_at).isoformat(),
        json_ld=_json_ld(_news_article(stored, canonical, description, picture, base)),
    )
