"""Articles written by editors in ``/admin``: the raw document is the editor's form, as JSON.

Keeping the form as a raw document means an editor's article goes through the same path as a
fetched page (raw first, then extraction, duplicates, stories, search), ``akhbar reprocess``
rebuilds it, and every saved revision stays in ``raw_documents``. The text is plain (paragraphs
are lines, markup is not interpreted) unless the form says ``markup: markdown``, as the newsroom's
editor does: then it is Markdown (:mod:`akhbar.extract.richtext`), its plain paragraphs are what
search, duplicates and the API see, and the portal shows its sanitised HTML.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from akhbar.extract import richtext
from akhbar.extract.sections import SECTIONS
from akhbar.models import Article, Document, Rejected, as_utc

CONTENT_TYPE = "application/vnd.akhbar.editorial+json"
LOCATION_PREFIX = "editorial:"
FORMAT = "akhbar-editorial/1"
MAX_TITLE = 300
MAX_BODY = 100_000
MAX_CAPTION = 500
MAX_URL = 2000
MAX_SUMMARY = 500
MAX_TAGS = 20
MAX_SLUG = 120
MARKUPS = ("plain", "markdown")
_SLUG = re.compile(r"[^\W_]+(?:-[^\W_]+)*")  # letters and digits of any script, joined by hyphens
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_LIBRARY = re.compile(r"/media/images/[0-9a-f]{32}-[0-9]{2,4}\.webp")  # a copy in the media library
CLOCK_SKEW = timedelta(minutes=10)  # a publication time this far ahead is still "now"


@dataclass(frozen=True)
class Draft:
    """What an editor submits. ``published`` is ISO 8601 (kept as written when it parses)."""

    title: str
    body: str
    language: str
    site_name: str
    authors: tuple[str, ...] = ()
    image_url: str | None = None
    image_caption: str | None = None
    published: str | None = None
    section: str | None = None  # a key of akhbar.extract.sections.SECTIONS
    summary: str | None = None  # the meta description and the feeds' summary
    tags: tuple[str, ...] = ()
    slug: str | None = None  # words of the address, any script (Arabic too), joined by hyphens
    markup: str = "plain"  # "plain" (a paragraph per line) or "markdown"

    @property
    def paragraphs(self) -> tuple[str, ...]:
        if self.markup == "markdown":
            return richtext.paragraphs(self.body)
        return tuple(line.strip() for line in self.body.splitlines() if line.strip())


def _metadata_problems(draft: Draft) -> list[str]:
    found = []
    if draft.summary and len(draft.summary) > MAX_SUMMARY:
        found.append(f"the summary is longer than {MAX_SUMMARY} characters")
    if len(draft.tags) > MAX_TAGS or any(len(tag) > 60 for tag in draft.tags):
        found.append(f"give at most {MAX_TAGS} tags of at most 60 characters each")
    if draft.slug and (len(draft.slug) > MAX_SLUG or not _SLUG.fullmatch(draft.slug)):
        found.append("the slug may only have letters and digits joined by hyphens")
    if draft.markup not in MARKUPS:
        found.append("the text must be plain or markdown")
    return found


def problems(draft: Draft, *, now: datetime | None = None) -> list[str]:
    """Everything wrong with ``draft``, one short sentence each (empty when it can be published).

    A publication time in the future is refused: an article is published when it is saved, and a
    future time would keep it at the top of every list until then.
    """
    found = []
    title = draft.title.strip()
    if not title:
        found.append("the title is empty")
    elif len(title) > MAX_TITLE:
        found.append(f"the title is longer than {MAX_TITLE} characters")
    if not draft.paragraphs:
        found.append("the text is empty")
    elif len(draft.body) > MAX_BODY:
        found.append(f"the text is longer than {MAX_BODY:,} characters")
    if not _LANGUAGE.fullmatch(draft.language):
        found.append("the language must be an ISO 639 code such as ar, fr or en")
    if draft.image_url and (
        not (re.match(r"https?://[^\s/]+", draft.image_url) or _LIBRARY.fullmatch(draft.image_url))
        or len(draft.image_url) > MAX_URL
    ):
        found.append("the image address must be an http:// or https:// URL")
    if draft.image_caption and len(draft.image_caption) > MAX_CAPTION:
        found.append(f"the caption is longer than {MAX_CAPTION} characters")
    if draft.section and draft.section not in SECTIONS:
        found.append("the section is not one of the portal's sections")
    found.extend(_metadata_problems(draft))
    if draft.published:
        try:
            when = as_utc(datetime.fromisoformat(draft.published))
        except ValueError:
            found.append("the publication time must be an ISO 8601 time such as 2026-11-29T08:30")
        else:
            if when > (now or datetime.now(UTC)) + CLOCK_SKEW:
                found.append("the publication time is in the future: articles are published when saved")
    return found


def document(
    key: str, draft: Draft, *, revision: int, saved_by: str, saved_at: datetime, withdrawn: bool = False
) -> Document:
    """The raw document of one saved revision (every revision has its own bytes, so its own row).

    A ``withdrawn`` revision takes the article off the portal; the earlier revisions stay stored.
    """
    form = {
        "format": FORMAT,
        "key": key,
        "revision": revision,
        "saved_by": saved_by,
        "saved_at": saved_at.isoformat(),
        "title": draft.title.strip(),
        "body": draft.body,
        "language": draft.language,
        "site_name": draft.site_name,
        "authors": list(draft.authors),
        "image_url": draft.image_url or None,
        "image_caption": draft.image_caption or None,
        "published": draft.published or None,
        "section": draft.section or None,
        "withdrawn": withdrawn,
    }
    form.update(metadata(draft))
    data = json.dumps(form, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return Document(LOCATION_PREFIX + key, data, CONTENT_TYPE, None, fetched_at=saved_at)


def metadata(draft: Draft) -> dict[str, object]:
    """The form's fields beyond the first format's (left out when empty, so older forms read the same)."""
    extra: dict[str, object] = {"summary": draft.summary, "slug": draft.slug}
    extra = {name: value for name, value in extra.items() if value}
    if draft.tags:
        extra["tags"] = list(draft.tags)
    if draft.markup != "plain":
        extra["markup"] = draft.markup
    return extra


def form_fields(draft: Draft) -> dict[str, object]:
    """Every field of ``draft`` as JSON (what the newsroom keeps of each revision)."""
    return {
        "title": draft.title,
        "body": draft.body,
        "language": draft.language,
        "site_name": draft.site_name,
        "authors": list(draft.authors),
        "image_url": draft.image_url,
        "image_caption": draft.image_caption,
        "published": draft.published,
        "section": draft.section,
        **metadata(draft),
    }


def draft_of(form: dict[str, object]) -> Draft:
    """The draft of a form (:func:`form_fields`, or a stored revision's); ``ValueError`` if it is not one."""
    text = {name: form.get(name) for name in ("title", "body", "language", "site_name")}
    if not all(isinstance(value, str) for value in text.values()):
        raise ValueError("an editorial form lacks its title, text, language or site name")
    optional = {
        name: form.get(name)
        for name in ("image_url", "image_caption", "published", "section", "summary", "slug")
    }
    listed: dict[str, list[object] | tuple[object, ...]] = {}
    for name in ("authors", "tags"):
        value = form.get(name) or ()
        if not isinstance(value, list | tuple):
            raise ValueError("an editorial form's authors and tags are lists")
        listed[name] = value
    return Draft(
        title=str(text["title"]),
        body=str(text["body"]),
        language=str(text["language"]),
        site_name=str(text["site_name"]),
        authors=tuple(str(a) for a in listed["authors"]),
        tags=tuple(str(t) for t in listed["tags"]),
        markup=str(form.get("markup") or "plain"),
        **{
            name: str(value) if isinstance(value, str) and value else None for name, value in optional.items()
        },
    )


@dataclass(frozen=True)
class Saved:
    """A stored revision read back: the draft and who saved which revision when."""

    key: str
    revision: int
    saved_by: str
    saved_at: datetime
    draft: Draft
    withdrawn: bool = False


def read(data: bytes) -> Saved:
    """Parse a revision's bytes; ``ValueError`` when they are not an editorial form."""
    form = json.loads(data.decode("utf-8"))
    if not isinstance(form, dict) or form.get("format") != FORMAT:
        raise ValueError("not an akhbar editorial form")
    draft = draft_of(form)
    return Saved(
        str(form["key"]),
        int(form["revision"]),
        str(form["saved_by"]),
        as_utc(datetime.fromisoformat(str(form["saved_at"]))),
        draft,
        form.get("withdrawn") is True,
    )


def extract_editorial(raw: Document) -> Article | Rejected:
    """The article of an editor's form; a form that cannot be read is a rejection with the reason."""
    try:
        saved = read(raw.data)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        return Rejected(raw.location, f"editorial form: {exc}")
    if saved.withdrawn:
        return Rejected(raw.location, f"withdrawn by {saved.saved_by} (revision {saved.revision})")
    wrong = problems(saved.draft)
    if wrong:
        return Rejected(raw.location, "editorial form: " + "; ".join(wrong))
    draft = saved.draft
    return Article(
        title=draft.title.strip(),
        body_paragraphs=draft.paragraphs,
        language=draft.language,
        site_name=draft.site_name,
        url=None,
        published=draft.published or saved.saved_at.isoformat(timespec="seconds"),
        authors=draft.authors,
        image_url=draft.image_url,
        image_caption=draft.image_caption,
        section=draft.section,
    )
