"""What templates and the API need of articles and stories: direction, links, JSON shapes."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote

from markupsafe import Markup, escape

from akhbar.models import ArticleSummary, BreakingFlag, StoredArticle
from akhbar.search.snippets import Highlighted
from akhbar.services.portal import AlsoIn, ArticleDetail, Found, Story
from akhbar.web.i18n import direction_of

__all__ = ["ArticleView", "Picture", "PictureSource", "direction_of", "marked", "no_pictures", "present"]

_MARK = re.compile(r"(</?mark>)")
_MARKS = frozenset(("<mark>", "</mark>"))


@dataclass(frozen=True)
class Picture:
    """An article's photo as the pages show it: served by this site (never the source's host), with
    its size so the layout does not move while it loads. ``srcset`` is ``"URL WIDTHw, ..."`` or ''."""

    src: str
    width: int
    height: int
    alt: str = ""
    srcset: str = ""
    caption: str | None = None
    credit: str | None = None


class Photo(Protocol):
    """What a page needs of a photo (:class:`Picture`, or the kept photos of akhbar.services.images)."""

    @property
    def src(self) -> str: ...
    @property
    def srcset(self) -> str: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def alt(self) -> str: ...
    @property
    def caption(self) -> str | None: ...
    @property
    def credit(self) -> str | None: ...


#: Where pages find an article's photo: article id -> the photo, or None when it has none to show.
PictureSource = Callable[[int], Photo | None]


def no_pictures(article_id: int) -> Photo | None:
    """The picture source of a portal that stores no images: every card is a clean card without one."""
    return None


@dataclass(frozen=True)
class ArticleView:
    id: int
    title: str
    site_name: str
    published: str
    language: str
    direction: str
    url: str | None
    image_url: str | None
    image_caption: str | None
    body_paragraphs: tuple[str, ...]
    headlines: tuple[str, ...]
    authors: tuple[str, ...] = ()
    section: str | None = None
    story_key: str = ""


def present(stored: StoredArticle) -> ArticleView:
    a = stored.article
    return ArticleView(
        id=stored.id,
        title=a.title,
        site_name=a.site_name or "",
        published=a.published or "",
        language=a.language or "und",
        direction=direction_of(a.language),
        url=a.url,
        image_url=a.image_url,
        image_caption=a.image_caption,
        body_paragraphs=a.body_paragraphs,
        headlines=a.headlines,
        authors=a.authors,
        section=a.section,
        story_key=str(a.story_id) if a.story_id is not None else f"a{stored.id}",
    )


def marked(text_html: str) -> Markup:
    """Highlighted text safe to insert in a page: only ``<mark>`` and ``</mark>`` stay markup.

    Everything between the marks is unescaped and escaped again, so whatever the search engine
    hands over (escaped or not), no other tag, attribute or entity trick reaches the page. Text
    that akhbar's own highlighting made (:class:`~akhbar.search.snippets.Highlighted`: escaped
    there, balanced marks) is already that, and is taken as it is.
    """
    if type(text_html) is Highlighted:
        return Markup(text_html)
    out: list[str] = []
    opened = 0
    for part in _MARK.split(text_html):  # text, then a mark, then text...
        if part in _MARKS:
            opened += 1 if part == "<mark>" else -1
            out.append(part)
        elif part:
            out.append(escape(html.unescape(part) if "&" in part else part))
    return Markup("".join(out) + "</mark>" * max(0, opened))


class Result(NamedTuple):
    """A search result as the search page shows it, its parts made here once rather than by calls
    from the template for each result: the engine's highlighted title and snippet made safe
    (:func:`marked`; no snippet: None) and the addresses it links to."""

    article: ArticleSummary
    direction: str
    href: str
    title: Markup
    snippet: Markup | None
    site_href: str | None


def result(found: Found, language: str) -> Result:
    """How the search page in ``language`` shows ``found``."""
    a = found.article
    return Result(
        a,
        found.direction,
        article_path(language, a.id),
        marked(found.title_html),
        marked(found.snippet_html) if found.snippet_html else None,
        source_path(language, a.site_name) if a.site_name else None,
    )


def article_path(language: str, article_id: int) -> str:
    return f"/{language}/articles/{article_id}"


def story_path(language: str, key: str) -> str:
    return f"/{language}/stories/{key}"


@functools.lru_cache(maxsize=4096)
def source_path(language: str, site_name: str) -> str:
    """A site's page (a pure function of a few dozen sites: percent-encoded once each)."""
    return f"/{language}/sources/{quote(site_name, safe='')}"


def summary_json(item: ArticleSummary, also_in: AlsoIn | None = None) -> dict[str, Any]:
    """An article in a list; ``also_in`` (collapsed lists) names the other copies of its text."""
    found = {
        "id": item.id,
        "title": item.title,
        "site_name": item.site_name,
        "url": item.url,
        "published": item.published,
        "language": item.language,
        "image_url": item.image_url,
        "story_id": item.story_id,
        "story": item.story_key,
        "section": item.section,
        "links": {"self": f"/api/v1/articles/{item.id}", "story": f"/api/v1/stories/{item.story_key}"},
    }
    if also_in is not None:
        found["also_in"] = {
            "sites": list(also_in.sites),
            "copies": [
                {"id": c.id, "site_name": c.site_name, "url": c.url, "self": f"/api/v1/articles/{c.id}"}
                for c in also_in.copies
            ],
        }
    return found


def copies_json(detail: ArticleDetail) -> list[dict[str, Any]]:
    """The articles linked to an article's text, with the relation read from its side."""
    return [
        {
            "id": c.article.id,
            "site_name": c.article.site_name,
            "url": c.article.url,
            "self": f"/api/v1/articles/{c.article.id}",
            "relation": c.relation,
        }
        for c in detail.copies
    ]


def story_json(story: Story) -> dict[str, Any]:
    first = story.first
    return {
        "id": story.key,
        "title": story.latest.title,
        "first_published": {
            "article_id": first.id,
            "site_name": first.site_name,
            "published": first.published,
        },
        "sites": list(story.sites),
        "languages": list(story.languages),
        "article_count": story.article_count,
        "articles": [summary_json(a) for a in story.articles],
    }


def flag_json(flag: BreakingFlag) -> dict[str, Any]:
    return flag.to_json()
