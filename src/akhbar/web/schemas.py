"""What every ``/api/v1`` answer contains: Pydantic models that OpenAPI publishes at ``/api/docs``.

The models are the contract: each answer is validated by its model before it is sent, and every
model forbids fields it does not name, so a field added below the web layer fails loudly in the tests
instead of being dropped from the answers. Times are kept as the ISO 8601 strings the store gives
(``published`` may be a date alone), so the JSON stays exactly what it was before the models.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

IsoTime = Annotated[
    str, Field(description="ISO 8601 date and time", json_schema_extra={"format": "date-time"})
]
Published = Annotated[
    str | None, Field(description="ISO 8601; a date alone where the page gives no time; null when unknown")
]


class Schema(BaseModel):
    """A JSON object of the API: no field beyond those named."""

    model_config = ConfigDict(extra="forbid")


class Links(Schema):
    self: str = Field(description="this article in the API")
    story: str = Field(description="the article's story in the API")


class Copy(Schema):
    """Another site's copy of a syndicated text."""

    id: int
    site_name: str | None
    url: str | None
    self: str = Field(description="the copy in the API")


Relation = Literal["same", "contained_in", "contains"]


class LinkedCopy(Copy):
    """An article linked to this one's text, and how, read from this article's side."""

    relation: Relation = Field(
        description="same: the same text; contained_in: this article's whole text is printed inside"
        " that one (a roundup, say); contains: that article's whole text is printed inside this one"
    )


class AlsoIn(Schema):
    """The other copies of a listed text, earliest first, and the other sites that carried them."""

    sites: list[str]
    copies: list[Copy]


class ArticleSummary(Schema):
    """An article in a list: no body. ``also_in`` is present only in collapsed lists, for copied texts."""

    id: int
    title: str
    site_name: str | None
    url: str | None
    published: Published
    language: str | None = Field(description="ISO 639-1")
    image_url: str | None
    story_id: int | None = Field(description="the story group, when grouped")
    story: str = Field(description="the story key: the group's id, or a<id> for an article alone")
    section: str | None
    links: Links
    also_in: AlsoIn | SkipJsonSchema[None] = Field(None, exclude_if=lambda value: value is None)


class ArticleList(Schema):
    """A page of articles, newest first."""

    articles: list[ArticleSummary]
    next_cursor: str | None = Field(description="pass as cursor for the next page; null on the last")


class Article(Schema):
    """One article: the extracted-article JSON of DESIGN.md, with its id, section and story key."""

    id: int
    title: str
    site_name: str | None
    url: str | None
    published: Published
    language: str | None = Field(description="ISO 639-1")
    authors: list[str]
    image_url: str | None
    image_caption: str | None
    body_paragraphs: list[str]
    headlines: list[str] = Field(description="other headlines found on the page, e.g. a ticker")
    story_id: int | None
    duplicate_of: int | None = Field(description="the article whose text this one copies")
    duplicate_kind: Relation | None = Field(
        description="how it copies duplicate_of: the same text (same), its whole text printed inside"
        " that article (contained_in), or that article's whole text printed inside it (contains)"
    )
    section: str | None
    story: str = Field(description="the story key: the group's id, or a<id> for an article alone")
    copies: list[LinkedCopy] = Field(
        description="every article linked to this text (its copies, its original, roundups that print"
        " it, items it prints), earliest first; the sites of those with relation same or contained_in"
        ' are the "also in N sources"'
    )


class FirstPublished(Schema):
    """The article that published a story first."""

    article_id: int
    site_name: str | None
    published: Published


class Story(Schema):
    """A story: its articles earliest first, the sites and languages that covered it."""

    id: str = Field(description="the story key")
    title: str = Field(description="the latest article's title")
    first_published: FirstPublished
    sites: list[str]
    languages: list[str]
    article_count: int = Field(
        description="all its articles; `articles` lists them all, or its newest 500 and its first"
        " (and the newest in each of ar, fr and en) when it has more"
    )
    articles: list[ArticleSummary]


class StoryList(Schema):
    stories: list[Story]


class Site(Schema):
    """A site articles are attributed to."""

    site_name: str
    articles: int = Field(description="how many articles it has")


class SiteList(Schema):
    sources: list[Site]


class BreakingFlag(Schema):
    """An article, or its whole story, flagged as breaking news until a time."""

    id: int
    article_id: int | None
    story_id: int | None
    until: IsoTime
    origin: str = Field(description="manual (an editor) or detected (by akhbar)")
    note: str | None
    created_by: str | None
    created_at: IsoTime


class Breaking(Schema):
    """The active flags and the articles the breaking bar shows for them."""

    flags: list[BreakingFlag]
    articles: list[ArticleSummary]


class SearchHit(Schema):
    """One result; ``title_html`` and ``snippet_html`` mark the matched words with ``<mark>``."""

    id: int
    title: str
    title_html: str
    snippet_html: str
    dir: str = Field(description="rtl or ltr: the text's direction")
    language: str | None
    site_name: str | None
    url: str | None
    published: Published
    story_id: int | None
    score: float
    story_matches: list[int] = Field(description="other matching articles of the same story")


class SearchResults(Schema):
    query: str
    total: int = Field(description="matching stories")
    hits: list[SearchHit]


class Error(Schema):
    """Every refusal under ``/api``: what went wrong, and for invalid requests which parameters."""

    error: str
    details: list[dict[str, Any]] | SkipJsonSchema[None] = Field(
        None,
        exclude_if=lambda value: value is None,
        description="the invalid parameters, as Pydantic names them",
    )


_REFUSALS = {
    400: "Bad request (for instance an unreadable cursor or query)",
    404: "Not found",
    422: "Invalid parameters (``details`` says which)",
}


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI's description of the refusals a route may answer with (``Error`` objects)."""
    return {status: {"model": Error, "description": _REFUSALS[status]} for status in statuses}
