"""An article not yet published, shown in the portal's own article page: the newsroom's preview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import Markup
from starlette.responses import Response

from akhbar.services import drafts, media
from akhbar.services.editorial import Draft
from akhbar.store import Store
from akhbar.web.i18n import LANGUAGES, direction_of
from akhbar.web.newsroom import HEADERS
from akhbar.web.pages import Pages
from akhbar.web.presenting import ArticleView


@dataclass(frozen=True)
class PreviewDetail:
    """What the article page shows around an article; a preview has no copies, story or coverage."""

    copies: tuple[()] = ()
    also_in: tuple[()] = ()
    coverage: tuple[()] = ()
    story_key: str | None = None


def preview_page(pages: Pages, draft: Draft, store: Store) -> Response:
    """``draft`` as readers will see it: the portal's page in the article's language and direction."""
    language = draft.language if draft.language in LANGUAGES else "en"
    view = ArticleView(
        id=0,
        title=draft.title,
        site_name=draft.site_name,
        published=draft.published or datetime.now(UTC).isoformat(timespec="seconds"),
        language=draft.language or "und",
        direction=direction_of(draft.language),
        url=None,
        image_url=draft.image_url,
        image_caption=draft.image_caption,
        body_paragraphs=draft.paragraphs,
        headlines=(),
        authors=draft.authors,
    )
    rendered = pages.render(
        "article.html",
        language,
        article=view,
        detail=PreviewDetail(),
        rich=Markup(drafts.body_html(draft)),  # nh3-sanitised, or escaped line by line
        preview=True,
        photo=media.picture(store, draft.image_url, draft.image_caption),
        breaking=[],
    )
    headers = {**HEADERS, "X-Robots-Tag": "noindex", "Content-Language": language}
    return Response(rendered.body, rendered.status_code, headers=headers, media_type=rendered.media_type)
