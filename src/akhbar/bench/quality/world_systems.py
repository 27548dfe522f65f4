"""The systems ``pages-fundus-world`` compares, each run on the same page in the same process.

* ``akhbar``: the product's own path: every page written as an ``.html`` file (its modification time
  the crawl date), the folder loaded by :func:`akhbar.services.ingest.ingest_paths` (what ``akhbar
  ingest DIR`` runs) into a temporary SQLite store, and each stored article read back. The page's
  address is not given: akhbar takes it from the page (canonical link, ``og:url``), as it does for
  a user's files;
* ``trafilatura``: bare trafilatura with default options (``extract`` for the text,
  ``bare_extraction(with_metadata=True)`` for title, date and authors), on the page as akhbar decodes it;
* ``trafilatura-precision``: the same with ``favor_precision=True``;
* ``newspaper4k``: ``Article(url, fetch_images=False)`` given the page's HTML (``download(input_html=)``)
  then ``parse()``. It is a development dependency, imported only here. Its optional language
  packages (jieba, tinysegmenter, nltk for Korean, ...) are not installed: a page that needs one
  raises, and the failure is counted, not fatal. The public-suffix list it looks up through
  tldextract is read from the snapshot tldextract ships, never downloaded.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import trafilatura

from akhbar.bench.quality.world_cases import WorldCase
from akhbar.extract.decoding import decode
from akhbar.models import Article, Document
from akhbar.services import articles, ingest
from akhbar.services.stories import Grouping
from akhbar.store import Store

__all__ = ["SYSTEMS", "Output", "run_system", "run_systems"]

logger = logging.getLogger(__name__)

SYSTEMS = ("akhbar", "trafilatura", "trafilatura-precision", "newspaper4k")
_NO_URL = "https://example.invalid/article"


@dataclass(frozen=True)
class Output:
    """What one system made of one page; ``rejected`` holds akhbar's reason, ``failed`` an error."""

    paragraphs: tuple[str, ...] = ()
    title: str = ""
    published: str | None = None
    authors: tuple[str, ...] = ()
    caption: str | None = None
    language: str | None = None
    rejected: str | None = None
    failed: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").split("\n") if line.strip())


def _html(case: WorldCase) -> str:
    document = Document(location=case.name, data=case.data, url=case.url, content_type="text/html")
    text, _is_html = decode(document)
    return text


def _written(case: WorldCase, folder: Path, number: int) -> str:
    path = folder / f"{number:04d}.html"
    path.write_bytes(case.data)
    if case.fetched_at is not None:
        stamp = case.fetched_at.timestamp()
        os.utime(path, (stamp, stamp))
    return str(path)


def _read_back(store: Store, result: ingest.IngestResult) -> Output:
    if result.article_id is None:
        return Output(rejected=result.reason or result.status)
    stored = articles.get_article(store, result.article_id)
    if stored is None:
        return Output(failed=f"article {result.article_id} not found after ingest")
    article: Article = stored.article
    return Output(
        article.body_paragraphs,
        article.title,
        article.published,
        article.authors,
        article.image_caption,
        article.language,
    )


def _ingest_round(cases: Sequence[WorldCase], folder: Path) -> dict[int, Output]:
    """Ingest the pages as one folder into a fresh store; the outputs of pages whose article no later
    page of the round updated (two crawls of one address are one article: the later one wins)."""
    folder.mkdir()
    paths = [_written(case, folder, number) for number, case in enumerate(cases)]
    store = Store(f"sqlite:///{folder / 'world.db'}")
    try:
        results = list(ingest.ingest_paths(store, [str(folder)], grouping=Grouping(enabled=False)))
        by_location = {result.location: result for result in results}
        ordered = [by_location[str(Path(path).resolve())] for path in paths]
        last = {result.article_id: index for index, result in enumerate(ordered)}
        return {
            index: _read_back(store, result)
            for index, result in enumerate(ordered)
            if result.status != "unchanged" and last.get(result.article_id) == index
        }
    finally:
        store.close()


def _akhbar_all(cases: Sequence[WorldCase]) -> list[Output]:
    """The pages as files through ``akhbar ingest``'s own code into a store, read back in order.

    Pages that are one article (the same address crawled twice) are each read back from a round of
    their own, so every page is scored on what akhbar made of it."""
    outputs: dict[int, Output] = {}
    waiting = list(range(len(cases)))
    with tempfile.TemporaryDirectory(prefix="akhbar-world-") as scratch:
        for round_number in range(len(cases)):
            if not waiting:
                break
            found = _ingest_round([cases[i] for i in waiting], Path(scratch) / f"round{round_number}")
            outputs.update((waiting[index], output) for index, output in found.items())
            waiting = [case_index for index, case_index in enumerate(waiting) if index not in found]
    return [outputs[index] for index in range(len(cases))]


def _trafilatura(case: WorldCase, *, precision: bool) -> Output:
    html = _html(case)
    text = trafilatura.extract(html, url=case.url, favor_precision=precision)
    meta = trafilatura.bare_extraction(html, url=case.url, with_metadata=True, favor_precision=precision)
    if meta is None or isinstance(meta, dict):
        return Output(_lines(text))
    authors = tuple(name.strip() for name in (meta.author or "").split(";") if name.strip())
    return Output(_lines(text), meta.title or "", meta.date, authors, None, meta.language)


def _offline_suffixes() -> None:
    """Make tldextract (under newspaper4k) use its bundled public-suffix snapshot, never the network."""
    import tldextract.tldextract as module

    if module.TLD_EXTRACTOR.suffix_list_urls:
        module.TLD_EXTRACTOR = module.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _newspaper_article(case: WorldCase) -> Any:
    # It warns on import that nltk (its NLP extra) is missing, and dateutil warns on time zone names
    # ("CEST") it reads in pages: neither is a failure of the run.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from newspaper import Article as NewspaperArticle  # a development dependency

        _offline_suffixes()
        article = NewspaperArticle(case.url or _NO_URL, fetch_images=False)
        article.download(input_html=_html(case))
        article.parse()
    return article


def _newspaper(case: WorldCase) -> Output:
    try:
        article = _newspaper_article(case)
    except Exception as exc:  # a missing optional language package or a parse error: counted
        logger.debug("newspaper4k failed on %s", case.name, exc_info=True)
        return Output(failed=f"{type(exc).__name__}: {exc}".split("\n", 1)[0][:160])
    published = article.publish_date
    return Output(
        _lines(article.text),
        article.title or "",
        published.isoformat() if isinstance(published, datetime) else None,
        tuple(str(name) for name in article.authors or ()),
        None,
        article.meta_lang or None,
    )


_RUNNERS: dict[str, Callable[[WorldCase], Output]] = {
    "trafilatura": lambda case: _trafilatura(case, precision=False),
    "trafilatura-precision": lambda case: _trafilatura(case, precision=True),
    "newspaper4k": _newspaper,
}


def run_system(name: str, case: WorldCase) -> Output:
    """One system's output for one page (see the module docstring for each system)."""
    return run_systems(name, [case])[0]


def run_systems(name: str, cases: Sequence[WorldCase]) -> list[Output]:
    """One system's output for each page, in order; akhbar ingests them all in one run."""
    if name == "akhbar":
        return _akhbar_all(cases)
    return [_RUNNERS[name](case) for case in cases]
