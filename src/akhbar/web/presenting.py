"""What templates need of an article: direction, language and display strings."""

from __future__ import annotations

from dataclasses import dataclass

from akhbar.models import StoredArticle

RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "he"})


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
    caption_direction: str
    body_paragraphs: tuple[str, ...]
    headlines: tuple[str, ...]


def direction_of(language: str | None) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


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
        caption_direction="auto",
        body_paragraphs=a.body_paragraphs,
        headlines=a.headlines,
    )
