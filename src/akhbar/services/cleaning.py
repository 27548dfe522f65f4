"""An article as it may be stored: every text field cleaned and bounded, addresses checked.

:func:`cleaned` runs on every article at the one way into the store
(:func:`akhbar.services.ingest.stage_outcome`), whatever sent it: a page, a feed entry or an editor.
"""

from __future__ import annotations

from dataclasses import replace

from akhbar.models import Article
from akhbar.text.fields import (
    MAX_AUTHORS,
    MAX_CAPTION,
    MAX_NAME,
    MAX_TITLE,
    clean_line,
    clean_text,
    http_url,
    language_tag,
)

MAX_PUBLISHED = 64  # characters of a stored ISO 8601 time
MAX_SECTION = 32  # characters of a section key (the column's size)


def _optional(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    return clean_line(value, limit) or None


def cleaned(article: Article) -> Article:
    """The article as it may be stored: every text field cleaned and bounded, addresses checked."""
    paragraphs = tuple(p for p in (clean_text(p).strip() for p in article.body_paragraphs) if p)
    authors = tuple(a for a in (clean_line(a, MAX_NAME) for a in article.authors) if a)
    return replace(
        article,
        title=clean_line(article.title, MAX_TITLE),
        body_paragraphs=paragraphs,
        language=language_tag(article.language),
        site_name=_optional(article.site_name, MAX_NAME),
        url=http_url(article.url),
        published=_optional(article.published, MAX_PUBLISHED),
        authors=tuple(dict.fromkeys(authors))[:MAX_AUTHORS],
        image_url=http_url(article.image_url),
        image_caption=_optional(article.image_caption, MAX_CAPTION),
        headlines=tuple(h for h in (clean_line(h, MAX_TITLE) for h in article.headlines) if h),
        section=_optional(article.section, MAX_SECTION),
    )
