"""Text dumps of real articles through the product's own path: files -> ingest -> store -> read back.

``parallel-news`` holds 80 real articles, each in Arabic, French and English (240 versions). Each
version is written twice as a text file:

* ``dump``: the article alone, as a text dump of it is written: its title line, a blank line, then
  its paragraphs, one per line;
* ``chrome``: the article inside synthetic page chrome (menu words, a ticker of other articles'
  titles in another language, a date line, related titles after the body), every line set apart
  by a blank line: the chrome is made up, the articles are real.

The files are ingested with :func:`akhbar.services.ingest.ingest_paths` (what ``akhbar ingest``
runs) into a temporary SQLite store, without story grouping, and the stored articles are read back
and compared with each version's title and paragraphs (after :func:`clean`).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from akhbar.extract.text import clean
from akhbar.models import Article
from akhbar.services import articles, ingest
from akhbar.services.stories import Grouping
from akhbar.store import Store

__all__ = [
    "LANGUAGES",
    "DumpCounts",
    "Version",
    "chrome_dumps",
    "ingested",
    "plain_dump",
    "score_dumps",
    "versions",
]

LANGUAGES = ("ar", "fr", "en")
_CHROME_TITLES = 3


@dataclass(frozen=True)
class Version:
    """One language version of a parallel-news article (versions of one article share ``group``)."""

    group: str
    language: str
    title: str
    paragraphs: tuple[str, ...]
    raw_title: str
    raw_text: str

    @property
    def name(self) -> str:
        return f"{self.group}:{self.language}"


@dataclass
class DumpCounts:
    """What came back for one language's versions written as plain text dumps."""

    versions: int = 0
    titles: int = 0
    paragraphs: int = 0
    kept: int = 0
    bodies: int = 0
    rejected: list[str] = field(default_factory=list)

    def rates(self, language: str) -> dict[str, float]:
        prefix = f"parallel_dump_{language}"
        return {
            f"{prefix}_title_exact": _share(self.titles, self.versions),
            f"{prefix}_paragraphs_kept": _share(self.kept, self.paragraphs),
            f"{prefix}_body_exact": _share(self.bodies, self.versions),
            f"{prefix}_not_rejected": 1.0 - _share(len(self.rejected), self.versions),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "versions": self.versions,
            "title_exact": self.titles,
            "paragraphs": self.paragraphs,
            "paragraphs_kept": self.kept,
            "body_exact": self.bodies,
            "rejected": self.rejected,
        }


def versions(data_dir: Path) -> list[Version]:
    """Every version of ``data_dir/parallel-news/docs.jsonl``, in the file's order."""
    path = data_dir / "parallel-news" / "docs.jsonl"
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        Version(
            group=doc["group"],
            language=doc["lang"],
            title=clean(doc["title"]),
            paragraphs=tuple(clean(text) for text in doc["text"].split("\n") if clean(text)),
            raw_title=doc["title"],
            raw_text=doc["text"],
        )
        for doc in docs
    ]


def plain_dump(version: Version) -> str:
    """The article alone: title line, blank line, paragraphs one per line."""
    return f"{version.raw_title}\n\n{version.raw_text}\n"


def chrome_dumps(cases: list[Version]) -> list[str]:
    """Each article in a whole-page dump whose chrome is made of the titles of the articles after it."""
    return [
        _page_around(case, cases[position + 1 :] + cases[:position]) for position, case in enumerate(cases)
    ]


def _page_around(version: Version, others: list[Version]) -> str:
    others = [other for other in others if other.group != version.group]
    same = [other.raw_title for other in others if other.language == version.language][:_CHROME_TITLES]
    foreign = [other.raw_title for other in others if other.language != version.language][:_CHROME_TITLES]
    ticker = " ".join(" ".join(title.split()[:6]) + "..." for title in foreign)
    menu = [title.split()[0] for title in same + foreign]
    lines = [*menu, ticker, version.raw_title, "01/10/2018", *version.raw_text.split("\n"), *same, "© 2018"]
    return "\n\n".join(lines)


def ingested(texts: list[str]) -> list[Article | None]:
    """Each text ingested as a ``.txt`` file into a fresh SQLite store and read back (None: rejected)."""
    with tempfile.TemporaryDirectory(prefix="akhbar-dumps-") as scratch:
        folder = Path(scratch)
        paths = []
        for number, text in enumerate(texts):
            path = folder / f"{number:05d}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        store = Store(f"sqlite:///{folder / 'eval.db'}")
        try:
            results = list(ingest.ingest_paths(store, paths, grouping=Grouping(enabled=False)))
            return [_stored(store, result.article_id) for result in results]
        finally:
            store.close()


def _stored(store: Store, article_id: int | None) -> Article | None:
    found = articles.get_article(store, article_id) if article_id is not None else None
    return found.article if found is not None else None


def score_dumps(cases: list[Version], found: list[Article | None]) -> dict[str, DumpCounts]:
    """Per language: exact titles, expected paragraphs found in the body, exact bodies, rejections."""
    counts = {language: DumpCounts() for language in LANGUAGES}
    for case, article in zip(cases, found, strict=True):
        count = counts.setdefault(case.language, DumpCounts())
        count.versions += 1
        count.paragraphs += len(case.paragraphs)
        if article is None:
            count.rejected.append(case.name)
            continue
        body = set(article.body_paragraphs)
        count.titles += article.title == case.title
        count.kept += sum(paragraph in body for paragraph in case.paragraphs)
        count.bodies += article.body_paragraphs == case.paragraphs
    return counts


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
