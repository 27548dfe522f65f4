"""The pages of ``pages-fundus-world``: 252 real articles from 39 countries with Fundus's reviewed labels.

Each country folder holds ``<Publisher>_<YYYY>_<MM>_<DD>.html.gz`` pages, ``<Publisher>.json`` with
one labelled version per page (title, authors, publishing date, body as summary, sub-headlines and
paragraphs, images with captions) and ``meta.info`` with each page's URL and crawl date. A page
takes the version whose title it shows, the nearest in date when several (or none) do.

A page's language is the one akhbar's detector reads in its labelled body (the country's folder
says little: Swiss, Belgian or Israeli sites write German, French, Dutch or English); languages are
grouped by script and region for the report (:data:`GROUPS`).
"""

from __future__ import annotations

import gzip
import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from akhbar.bench.quality.extraction_cases import read_json
from akhbar.extract.language import detect_language_scored
from akhbar.extract.text import clean

__all__ = ["FOLDER", "GROUPS", "WorldCase", "group_of", "world_cases"]

FOLDER = "pages-fundus-world"
_FILE_DATE = re.compile(r"^(?P<publisher>.+?)_(?P<y>\d{4})_(?P<m>\d{2})_(?P<d>\d{2})\.html\.gz$")
_LATIN_EUROPE = frozenset(
    {
        "en",
        "de",
        "fr",
        "es",
        "it",
        "pt",
        "nl",
        "da",
        "sv",
        "no",
        "nb",
        "nn",
        "is",
        "fi",
        "et",
        "lv",
        "lt",
        "pl",
        "cs",
        "sk",
        "sl",
        "hr",
        "bs",
        "hu",
        "ro",
        "ca",
        "gl",
        "eu",
        "ga",
        "cy",
        "mt",
        "sq",
        "tr",
        "lb",
    }
)
_CJK = frozenset({"zh", "ja", "ko"})
_CYRILLIC = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tg"})
_ARABIC = frozenset({"ar", "fa", "ur", "ps", "ckb"})
# Reviewed bodies are clean prose: a lower confidence than for extracted text is enough to name the
# language ("LA CROSSE, Wis. (AP) — ..." scores 0.34 English); Zulu and Xhosa stay below it.
_MIN_LABEL_SCORE = 0.3
GROUPS = ("latin-europe", "arabic", "cjk", "cyrillic", "other")
"""Language groups: Latin-script European languages (Turkish included), Arabic-script languages,
Chinese/Japanese/Korean, Cyrillic-script languages, and everything else (Hindi, Vietnamese,
Swahili, Indonesian, Hebrew, ...)."""


@dataclass(frozen=True)
class WorldCase:
    """One page and its labels, cleaned; ``data`` is the page's raw bytes as a crawler got them."""

    name: str
    data: bytes
    url: str | None
    fetched_at: datetime | None
    title: str
    published: str | None
    authors: tuple[str, ...]
    body: tuple[str, ...]
    captions: tuple[str, ...]
    cover_caption: str | None
    language: str
    group: str


def group_of(language: str) -> str:
    """The report group of an ISO 639-1 code (``other`` for unknown codes)."""
    for group, members in (
        ("latin-europe", _LATIN_EUROPE),
        ("arabic", _ARABIC),
        ("cjk", _CJK),
        ("cyrillic", _CYRILLIC),
    ):
        if language in members:
            return group
    return "other"


def _body(version: dict[str, Any]) -> tuple[str, ...]:
    body = version.get("body") or {}
    texts = list(body.get("summary", []))
    for section in body.get("sections", []):
        texts.extend(section.get("headline", []))
        texts.extend(section.get("paragraphs", []))
    return tuple(text for text in map(clean, texts) if text)


def _captions(version: dict[str, Any]) -> tuple[tuple[str, ...], str | None]:
    captions: list[str] = []
    cover: str | None = None
    for image in version.get("images") or []:
        caption = clean(str(image.get("caption") or ""))
        if caption:
            captions.append(caption)
            if image.get("is_cover") and cover is None:
                cover = caption
    return tuple(captions), cover


def _distance(version: dict[str, Any], day: date) -> int:
    try:
        return abs((date.fromisoformat(str(version.get("publishing_date") or "")[:10]) - day).days)
    except ValueError:
        return 1_000_000


def _version_for(versions: dict[str, Any], text: str, day: date) -> dict[str, Any]:
    """The version whose title the page shows (nearest in date among several), else the nearest."""
    page = clean(html.unescape(text))
    shown = [v for v in versions.values() if clean(str(v.get("title") or ""))[:40] in page]
    return min(shown or list(versions.values()), key=lambda version: _distance(version, day))


def _language(body: tuple[str, ...]) -> str:
    """The language of the labelled body; ``und`` when the detector is unsure (Zulu, Xhosa)."""
    found = detect_language_scored(" ".join(body), min_score=_MIN_LABEL_SCORE)
    return found[0] if found else "und"


def _fetched_at(info: dict[str, Any]) -> datetime | None:
    crawled = info.get("crawl_date")
    if not crawled:
        return None
    moment = datetime.fromisoformat(str(crawled))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _case(path: Path, meta: dict[str, Any]) -> WorldCase | None:
    found = _FILE_DATE.match(path.name)
    expected = path.parent / f"{found['publisher']}.json" if found else None
    if found is None or expected is None or not expected.exists():
        return None
    data = gzip.decompress(path.read_bytes())
    day = date(int(found["y"]), int(found["m"]), int(found["d"]))
    version = _version_for(read_json(expected), data.decode("utf-8", errors="replace"), day)
    body = _body(version)
    captions, cover = _captions(version)
    language = _language(body)
    info = meta.get(path.name, {})
    authors = tuple(name for name in (clean(str(item)) for item in version.get("authors") or []) if name)
    return WorldCase(
        name=f"{path.parent.name}/{path.name.removesuffix('.html.gz')}",
        data=data,
        url=info.get("url"),
        fetched_at=_fetched_at(info),
        title=clean(str(version.get("title") or "")),
        published=str(version.get("publishing_date") or "") or None,
        authors=authors,
        body=body,
        captions=captions,
        cover_caption=cover,
        language=language,
        group=group_of(language),
    )


def world_cases(data_dir: Path) -> list[WorldCase]:
    """Every labelled page under ``data_dir/pages-fundus-world``, in folder and file order."""
    cases: list[WorldCase] = []
    root = data_dir / FOLDER
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        meta_file = folder / "meta.info"
        meta = read_json(meta_file) if meta_file.exists() else {}
        for path in sorted(folder.glob("*.html.gz")):
            case = _case(path, meta)
            if case is not None:
                cases.append(case)
    return cases
