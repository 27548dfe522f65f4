"""The systems ``pages-fundus-world`` compares, each run on the same page in the same process.

* ``akhbar``: the product's own path, a :class:`~akhbar.models.Document` of the page's bytes into
  :func:`akhbar.extract.extract`, as ``akhbar ingest`` does;
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
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import trafilatura

from akhbar.bench.quality.world_cases import WorldCase
from akhbar.extract import extract
from akhbar.extract.decoding import decode
from akhbar.models import Article, Document

__all__ = ["SYSTEMS", "Output", "run_system"]

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


def _akhbar(case: WorldCase) -> Output:
    document = Document(
        location=case.name,
        data=case.data,
        content_type="text/html",
        url=case.url,
        fetched_at=case.fetched_at or datetime.now(UTC),
    )
    result = extract(document)
    if not isinstance(result, Article):
        return Output(rejected=result.reason)
    return Output(
        result.body_paragraphs,
        result.title,
        result.published,
        result.authors,
        result.image_caption,
        result.language,
    )


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
    "akhbar": _akhbar,
    "trafilatura": lambda case: _trafilatura(case, precision=False),
    "trafilatura-precision": lambda case: _trafilatura(case, precision=True),
    "newspaper4k": _newspaper,
}


def run_system(name: str, case: WorldCase) -> Output:
    """One system's output for one page (see the module docstring for each system)."""
    return _RUNNERS[name](case)
