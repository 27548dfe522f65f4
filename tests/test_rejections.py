"""Pages that are not articles, built from real pages (tests/golden/rejections), are rejected with a reason.

The fixtures keep a real site's chrome (head, menus, side boxes, footer) around what that site shows
instead of an article: a tag page of its own teaser cards, a home page of its own headline links or
of a real feed's items, an error notice in French or Arabic, the site's own paywall notice after the
first paragraph, an empty mount point. ``build.py`` in that folder regenerates them from shared/data.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from akhbar.bench.quality.extraction import fundus_cases, segment_cases
from akhbar.extract import extract
from akhbar.extract.html import extract_html
from akhbar.models import Article, Document, Rejected
from akhbar.services import articles
from akhbar.services.ingest import ingest_document
from akhbar.services.stories import Grouping
from akhbar.store import Store

HERE = Path(__file__).resolve().parent / "golden" / "rejections"
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CASES: dict[str, dict[str, Any]] = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))
REASONS = {
    "home": ("a home, section or tag page", "a list of"),
    "tag": ("a home, section or tag page", "a list of"),
    "not_found": ("not found",),
    "paywall": ("paywall stub",),
    "empty": ("empty page",),
}
REJECTED = sorted(name for name, case in CASES.items() if case["kind"] in REASONS)
# Without its address, a list page is told by its teasers on a page declared a website, or, when
# all trafilatura keeps of it is its menus run together (LBCI's home page), by having no prose at all.
WITHOUT_ADDRESS = {"home": ("no article body",), "tag": ("no article body",)}


def page(name: str) -> str:
    return gzip.decompress((HERE / name).read_bytes()).decode("utf-8")


@pytest.mark.parametrize("name", REJECTED)
def test_each_kind_of_non_article_is_rejected_with_its_reason(name: str) -> None:
    case = CASES[name]
    result = extract_html(page(name), url=case["url"])
    assert isinstance(result, Rejected), f"{name} was taken for an article: {result}"
    assert result.reason.startswith(REASONS[case["kind"]]), result.reason
    assert result.location == case["url"]


@pytest.mark.parametrize("name", REJECTED)
def test_the_page_itself_tells_it_is_no_article_without_its_address(name: str) -> None:
    kind = CASES[name]["kind"]
    result = extract_html(page(name), url=None)
    assert isinstance(result, Rejected), f"{name} was taken for an article without its URL"
    assert result.reason.startswith(REASONS[kind] + WITHOUT_ADDRESS.get(kind, ())), result.reason


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_error_pages_in_french_and_arabic_are_covered(language: str) -> None:
    kinds = {case["kind"] for case in CASES.values() if case["language"] == language}
    assert "not_found" in kinds and "home" in kinds


def test_a_shell_whose_json_ld_carries_the_article_is_an_article() -> None:
    case = CASES["shell-ldbody-fr-euronews.html.gz"]
    result = extract_html(page("shell-ldbody-fr-euronews.html.gz"), url=case["url"])
    assert isinstance(result, Article)
    assert result.title == "Le merlu de l'Atlantique Nord sauvé de l'extinction ?"
    assert sum(len(text.split()) for text in result.body_paragraphs) > 500


def test_a_section_address_counts_only_when_the_page_declares_no_article() -> None:
    tag = extract_html(page("tag-fr-lapresse.html.gz"), url="https://lapresse.tn/societe/")
    assert isinstance(tag, Rejected) and tag.reason.startswith("a home, section or tag page")
    # A real article read at a short section-like address still declares itself an article.
    lemonde = next(case for case in fundus_cases(DATA) if case.page.name.startswith("LeMonde"))
    assert isinstance(extract_html(lemonde.page.html, url="https://www.lemonde.fr/politique/"), Article)


def test_a_paywalled_article_with_its_free_part_is_kept() -> None:
    # Le Monde's real page: a paywall after 43% of the article is an article, its stub (one paragraph) is not.
    lemonde = next(case for case in fundus_cases(DATA) if case.page.name.startswith("LeMonde"))
    assert isinstance(extract_html(lemonde.page.html, url=lemonde.page.url), Article)


@pytest.mark.slow
def test_no_real_article_page_is_rejected() -> None:
    pages = [case.page for case in segment_cases(DATA)] + [case.page for case in fundus_cases(DATA)]
    rejected = {
        page.name: result.reason
        for page in pages
        if isinstance(result := extract_html(page.html, url=page.url, fetched_at=page.fetched_at), Rejected)
    }
    assert len(pages) == 33
    assert not rejected, f"false rejections: {rejected}"


@pytest.mark.slow
def test_ingest_records_each_non_article_as_a_rejection(store: Store) -> None:
    for name in REJECTED:
        document = Document(name, page(name).encode("utf-8"), "text/html", CASES[name]["url"])
        result = ingest_document(store, document, grouping=Grouping())
        assert result.status == "rejected", (name, result)
    stored = {item.location: item.reason for item in articles.list_rejections(store)}
    assert set(stored) == set(REJECTED)
    for name, reason in stored.items():
        assert reason.startswith(REASONS[CASES[name]["kind"]]), (name, reason)
    assert articles.count_articles(store) == 0


def test_extract_entry_point_rejects_a_not_found_page_at_its_location() -> None:
    name = "404-ar-lbcgroup.html.gz"
    document = Document("saved/404.html", page(name).encode("utf-8"), "text/html", CASES[name]["url"])
    result = extract(document)
    assert isinstance(result, Rejected)
    assert result.location == "saved/404.html" and result.reason.startswith("not found")
