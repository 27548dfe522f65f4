"""Where an article comes from: the address a saved page declares, ``--url``, a WARC record's URI.

Real pages of ../shared/data: their ``<link rel=canonical>`` and ``og:url`` as their sites wrote them
(a relative canonical, a protocol-relative og:url, attributes in any order, a page with neither).
"""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest

from akhbar import extract as extraction
from akhbar.errors import InputError
from akhbar.extract.pagetext import decode_html
from akhbar.extract.pageurl import declared_url
from akhbar.models import Article
from akhbar.services import articles, ingest
from akhbar.services.extraction import extract_file
from akhbar.services.stories import Grouping
from akhbar.sources.warc import read_warc
from akhbar.store import Store
from conftest import DATA, needs_shared
from test_cli import akhbar

TRAFILATURA = DATA / "pages-trafilatura" / "html"
FUNDUS = DATA / "pages-fundus"
WARC = DATA / "warc" / "news-fr-ar-real-pages.warc.gz"

pytestmark = needs_shared(TRAFILATURA, FUNDUS, WARC)


def _page(path: Path) -> str:
    data = path.read_bytes()
    return decode_html(gzip.decompress(data) if path.suffix == ".gz" else data)


@pytest.mark.parametrize(
    ("name", "url"),
    [
        (
            "lapresse.tn.parite.html",
            "https://lapresse.tn/48915/parite-hommes-femmes-en-tunisie-au-dessous-de-la-moyenne-mondiale/",
        ),
        # a relative canonical has no base: the page's og:url
        ("arteradio.com-nuls.html", "https://www.arteradio.com/son/61661515/la_voix_des_nuls"),
        # a protocol-relative og:url after an absolute canonical
        (
            "tdg.ch.chlorothalonil.html",
            "https://www.tdg.ch/suisse/berne-interdit-chlorothalonil/story/18348200",
        ),
        # itemprop before rel
        (
            "mesopinions.com.mutilation.html",
            "https://www.mesopinions.com/petition/art-culture/mutilation-choeur-radio-france-unique-choeur/76519",
        ),
        ("archive.org-travaillent.html", None),
    ],
)
def test_a_saved_page_declares_its_address(name: str, url: str | None) -> None:
    assert declared_url(_page(TRAFILATURA / name)) == url


@pytest.mark.parametrize(
    "head",
    [
        '<link rel="canonical" href="https://example.com/">',
        '<link rel="canonical" href="/2024/10/18/article">',
        '<meta property="og:url" content="javascript:alert(1)">',
        '<link rel="canonical" href="https://example.com/a b">',
        "<meta content='ftp://example.com/a' property='og:url'>",
    ],
    ids=["site-root", "relative", "script", "space", "not-http"],
)
def test_only_an_absolute_http_address_below_the_site_root_counts(head: str) -> None:
    assert declared_url(f"<html><head>{head}</head><body><p>x</p></body></html>") is None


def test_an_address_in_the_body_is_not_the_pages() -> None:
    page = '<html><head></head><body><link rel="canonical" href="https://example.com/other"></body></html>'
    assert declared_url(page) is None


def test_extracting_a_file_keeps_the_pages_own_address_and_its_section() -> None:
    article = extract_file(FUNDUS / "fr" / "LeFigaro_2024_11_22.html.gz")
    assert isinstance(article, Article)
    assert article.url == (
        "https://www.lefigaro.fr/international/"
        "guerre-en-ukraine-deux-morts-dans-des-frappes-russes-dans-le-nord-est-du-pays-20241122"
    )
    assert article.section == "world"


def test_an_arabic_page_from_a_file_has_its_address() -> None:
    article = extract_file(FUNDUS / "lb" / "LBCGroup_2026_01_08.html.gz")
    assert isinstance(article, Article)
    assert (article.url or "").startswith("https://www.lbcgroup.tv/news/lifestyle/898682/")


def test_url_given_for_a_file_wins_over_the_declared_one() -> None:
    article = extract_file(
        TRAFILATURA / "lapresse.tn.parite.html", url=" https://lapresse.tn/politique/48915 "
    )
    assert isinstance(article, Article)
    assert article.url == "https://lapresse.tn/politique/48915"


def test_a_url_that_is_not_an_http_address_is_refused() -> None:
    with pytest.raises(InputError, match="not an absolute http"):
        extract_file(TRAFILATURA / "lapresse.tn.parite.html", url="lapresse.tn/48915")


def test_a_warc_record_is_extracted_at_its_target_uri() -> None:
    record = next(record for record in read_warc(WARC, max_bytes=10_000_000) if record.document)
    assert record.document is not None
    article = extraction.extract(record.document)
    assert isinstance(article, Article)
    assert article.url == record.document.url


def test_ingested_files_are_stored_with_their_address(sqlite_store: Store) -> None:
    paths = [
        str(FUNDUS / "fr" / "LeMonde_2023_09_01.html.gz"),
        str(TRAFILATURA / "archive.org-travaillent.html"),
    ]
    results = list(ingest.ingest_paths(sqlite_store, paths, grouping=Grouping(enabled=False)))
    stored = [articles.get_article(sqlite_store, result.article_id or 0) for result in results]
    assert [found.article.url if found else None for found in stored] == [
        "https://www.lemonde.fr/politique/article/2023/08/30/"
        "sophie-binet-met-en-garde-emmanuel-macron-sur-la-gravite-de-la-situation-dans-le-pays_6187099_823448.html",
        None,
    ]
    assert stored[0] is not None and stored[0].article.section == "politics"


def test_ingest_file_at_a_given_address(sqlite_store: Store) -> None:
    path = TRAFILATURA / "archive.org-travaillent.html"
    result = ingest.ingest_file(
        sqlite_store, path, url="https://www.regards.fr/politique/article/x", grouping=Grouping(enabled=False)
    )
    found = articles.get_article(sqlite_store, result.article_id or 0)
    assert found is not None and found.article.url == "https://www.regards.fr/politique/article/x"
    with pytest.raises(InputError):
        ingest.ingest_file(
            sqlite_store, TRAFILATURA, url="https://example.org/a", grouping=Grouping(enabled=False)
        )


def test_reprocessing_a_page_stored_without_its_address_updates_it_in_place(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(FUNDUS / "fr" / "LeMonde_2023_09_01.html.gz")
    with monkeypatch.context() as before:  # as ingest stored saved pages before they declared an address
        before.setattr(extraction, "declared_url", lambda page: None)
        first = next(ingest.ingest_paths(sqlite_store, [path], grouping=Grouping(enabled=False)))
    stored = articles.get_article(sqlite_store, first.article_id or 0)
    assert stored is not None and stored.article.url is None
    results = ingest.reprocess(sqlite_store, grouping=Grouping(enabled=False))
    assert [(result.status, result.article_id) for result in results] == [("updated", first.article_id)]
    assert articles.count_articles(sqlite_store) == 1
    again = articles.get_article(sqlite_store, first.article_id or 0)
    assert again is not None and (again.article.url or "").startswith("https://www.lemonde.fr/politique/")
    assert again.article.section == "politics"


def _akhbar(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return akhbar(*args, data_dir=data_dir, env={"AKHBAR_STORIES": "off"})


@pytest.mark.slow
def test_url_option_of_extract_and_ingest(tmp_path: Path) -> None:
    page = str(TRAFILATURA / "archive.org-travaillent.html")
    done = _akhbar("extract", page, "--url", "https://www.regards.fr/politique/article/x", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["url"] == "https://www.regards.fr/politique/article/x"
    two = _akhbar(
        "ingest",
        page,
        str(TRAFILATURA / "lapresse.tn.parite.html"),
        "--url",
        "https://a.test/b",
        data_dir=tmp_path,
    )
    assert two.returncode == 2
    assert "exactly one file" in two.stderr
    bad = _akhbar("ingest", page, "--url", "a.test/b", "--format", "json", data_dir=tmp_path)
    assert bad.returncode == 2
    assert "not an absolute http(s) URL" in bad.stderr
    one = _akhbar(
        "ingest",
        page,
        "--url",
        "https://www.regards.fr/politique/article/x",
        "--format",
        "json",
        data_dir=tmp_path,
    )
    assert one.returncode == 0, one.stderr
    assert json.loads(one.stdout)["status"] == "stored"
