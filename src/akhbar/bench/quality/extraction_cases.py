"""The labelled pages ``akhbar eval extract`` scores: ``pages-trafilatura`` and ``pages-fundus``.

Each page is decoded the way akhbar decodes fetched pages (:func:`akhbar.extract.decoding.decode`)
and carries its labels, cleaned with :func:`akhbar.extract.text.clean`; whether the page states its
labelled publication day is decided once here (:mod:`akhbar.bench.quality.extraction_dates`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from akhbar.bench.quality.extraction_dates import states_day
from akhbar.extract.decoding import decode
from akhbar.extract.text import clean
from akhbar.models import Document

__all__ = [
    "EvalPage",
    "FundusCase",
    "SegmentCase",
    "fundus_cases",
    "load_pages",
    "read_json",
    "segment_cases",
    "unstated_dates",
]

_FILE_DATE = re.compile(r"^(?P<publisher>.+?)_(?P<y>\d{4})_(?P<m>\d{2})_(?P<d>\d{2})\.html(?:\.gz)?$")


@dataclass(frozen=True)
class EvalPage:
    """A real page decoded the way akhbar decodes it, with its URL and crawl time when known."""

    name: str
    html: str
    url: str | None
    fetched_at: datetime | None


@dataclass(frozen=True)
class SegmentCase:
    page: EvalPage
    with_: tuple[str, ...]
    without: tuple[str, ...]
    expected: dict[str, str]
    date_stated: bool = False


@dataclass(frozen=True)
class FundusCase:
    page: EvalPage
    title: str
    published: str | None
    body: tuple[str, ...]
    caption: str | None
    language: str
    date_stated: bool = False


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _page(path: Path, url: str | None, fetched_at: datetime | None = None) -> EvalPage:
    document = Document(location=str(path), data=path.read_bytes(), url=url, content_type="text/html")
    text, _html = decode(document)
    return EvalPage(path.name, text, url, fetched_at)


def added_labels() -> dict[str, dict[str, Any]]:
    """akhbar's own date labels for the pages a set leaves undated (``extract_labels.json``), by URL."""
    text = resources.files(__package__).joinpath("extract_labels.json").read_text(encoding="utf-8")
    table: dict[str, dict[str, Any]] = json.loads(text)["pages-trafilatura"]
    return table


def segment_cases(data_dir: Path) -> list[SegmentCase]:
    """The pages of ``pages-trafilatura`` with their segments and stated metadata.

    A page the set leaves undated gets akhbar's added label as ``expected["added_date"]`` (``""``
    when the page states no publication date).
    """
    root = data_dir / "pages-trafilatura"
    added = added_labels()
    cases: list[SegmentCase] = []
    for url, entry in sorted(read_json(root / "evaldata_fr_ar.json").items()):
        path = root / "html" / entry["file"]
        if path.exists():
            expected = {key: clean(str(entry[key])) for key in ("title", "date", "author") if entry.get(key)}
            expected["language"] = str(entry.get("lang_guess") or "")
            if "date" not in expected and url in added:
                expected["added_date"] = str(added[url]["date"] or "")
            page = _page(path, url)
            stated = "date" in expected and states_day(page.html, expected["date"])
            cases.append(SegmentCase(page, tuple(entry["with"]), tuple(entry["without"]), expected, stated))
    return cases


def _nearest_version(versions: dict[str, Any], day: date) -> dict[str, Any]:
    def distance(entry: dict[str, Any]) -> int:
        try:
            return abs((date.fromisoformat(str(entry.get("publishing_date") or "")[:10]) - day).days)
        except ValueError:
            return 1_000_000

    return min(versions.values(), key=distance)


def _fundus_body(version: dict[str, Any]) -> tuple[str, ...]:
    body = version.get("body", {})
    texts = list(body.get("summary", []))
    for section in body.get("sections", []):
        texts.extend(section.get("headline", []))
        texts.extend(section.get("paragraphs", []))
    return tuple(clean(text) for text in texts if clean(text))


def _cover_caption(version: dict[str, Any]) -> str | None:
    for image in version.get("images", []):
        if image.get("is_cover") and image.get("caption"):
            return clean(str(image["caption"]))
    return None


def fundus_cases(data_dir: Path) -> list[FundusCase]:
    """The pages of ``pages-fundus``; each file takes the expected version nearest its date."""
    cases: list[FundusCase] = []
    for folder in sorted(p for p in (data_dir / "pages-fundus").iterdir() if p.is_dir()):
        meta_file = folder / "meta.info"
        meta = read_json(meta_file) if meta_file.exists() else {}
        for path in sorted(folder.glob("*.html.gz")):
            found = _FILE_DATE.match(path.name)
            expected_file = folder / f"{found['publisher']}.json" if found else None
            if found is None or expected_file is None or not expected_file.exists():
                continue
            day = date(int(found["y"]), int(found["m"]), int(found["d"]))
            version = _nearest_version(read_json(expected_file), day)
            info = meta.get(path.name, {})
            crawled = info.get("crawl_date")
            page = _page(path, info.get("url"), datetime.fromisoformat(crawled) if crawled else None)
            published = str(version.get("publishing_date") or "") or None
            language = "ar" if folder.name in {"lb", "ar"} else folder.name
            title = clean(str(version.get("title") or ""))
            body, caption = _fundus_body(version), _cover_caption(version)
            stated = published is not None and states_day(page.html, published)
            cases.append(FundusCase(page, title, published, body, caption, language, stated))
    return cases


def load_pages(data_dir: Path) -> list[EvalPage]:
    """Every HTML page of both sets, decoded (for benchmarks)."""
    return [case.page for case in segment_cases(data_dir)] + [case.page for case in fundus_cases(data_dir)]


def unstated_dates(data_dir: Path) -> list[str]:
    """The pages whose labelled publication day is written nowhere in their HTML."""
    segments = [
        case.page.url or case.page.name
        for case in segment_cases(data_dir)
        if "date" in case.expected and not case.date_stated
    ]
    fundus = [case.page.name for case in fundus_cases(data_dir) if case.published and not case.date_stated]
    return segments + fundus
