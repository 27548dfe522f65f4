"""WARC and ARC archives through the usual ingest: real archives, skipped records, a damaged file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from akhbar.services import articles
from akhbar.services.archives import ingest_archive
from akhbar.services.stories import Grouping
from akhbar.sources.warc import read_warc
from akhbar.store import Store
from conftest import DATA

WARC = DATA / "warc"


@pytest.mark.slow
def test_real_news_warc_is_ingested_with_urls_and_progress(sqlite_store: Store) -> None:
    seen: list[int] = []
    results = list(
        ingest_archive(
            sqlite_store, WARC / "news-fr-ar-real-pages.warc.gz", grouping=Grouping(), progress=seen.append
        )
    )
    assert len(results) == 33
    stored = [r for r in results if r.status == "stored"]
    assert len(stored) >= 25, [r.reason for r in results if r.status != "stored"]
    assert seen == sorted(seen) and seen[-1] == (WARC / "news-fr-ar-real-pages.warc.gz").stat().st_size
    again = list(ingest_archive(sqlite_store, WARC / "news-fr-ar-real-pages.warc.gz", grouping=Grouping()))
    assert {r.status for r in again} == {"unchanged"}


def test_records_keep_target_uri_and_date() -> None:
    first = next(
        r for r in read_warc(WARC / "news-fr-ar-real-pages.warc.gz", max_bytes=10_000_000) if r.document
    )
    assert first.document is not None
    assert first.document.url and first.document.url.startswith("http")
    assert first.document.content_type and "html" in first.document.content_type


def test_heritrix_warc_and_arc_skip_non_pages_with_reasons() -> None:
    for name in (
        "IAH-20080430204825-00000-blackbook-truncated.warc.gz",
        "IAH-20080430204825-00000-blackbook-truncated.arc.gz",
    ):
        records = list(read_warc(WARC / "ukwa" / name, max_bytes=10_000_000))
        assert any(r.document for r in records)
        assert any(r.skipped and r.skipped.startswith("not a page") for r in records)


def test_damaged_archive_is_an_error_not_a_crash(sqlite_store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"garbage-not-an-archive\n" * 10)
    results = list(ingest_archive(sqlite_store, bad, grouping=Grouping()))
    assert [r.status for r in results] == ["error"]
    assert "not a WARC or ARC archive" in (results[0].reason or "")


@pytest.mark.slow
def test_truncated_archive_keeps_what_it_could_read(sqlite_store: Store, tmp_path: Path) -> None:
    data = (WARC / "news-fr-ar-real-pages.warc.gz").read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) // 2])
    results = list(ingest_archive(sqlite_store, cut, grouping=Grouping()))
    assert 5 < len(results) < 33
    assert any(r.status == "stored" for r in results)
    *_, cut_short, last = results  # the record cut short is skipped, then the archive is an error
    assert cut_short.status == "unchanged" and "truncated" in (cut_short.reason or "")
    assert last.status == "error" and "truncated in record" in (last.reason or "")
    stored = [r for r in results if r.status == "stored"]
    assert len(stored) == len(results) - 2


def _capture(number: int) -> bytes:
    paragraphs = "".join(
        f"<p>Version {number} of the council report, paragraph {p}: the budget vote took {number + 3} hours"
        " after a long debate between the majority and the opposition about the planned investments.</p>"
        for p in range(4)
    )
    return (
        f"<html><head><title>Council budget, version {number}</title></head><body><article>"
        f"<h1>Council budget, version {number}</h1>{paragraphs}</article></body></html>"
    ).encode()


def test_later_captures_of_a_page_replace_earlier_ones_in_order(sqlite_store: Store, tmp_path: Path) -> None:
    """Records are staged ahead in threads but finished in the archive's order: the last capture wins."""
    archive = tmp_path / "captures.warc.gz"
    with archive.open("wb") as output:
        writer = WARCWriter(output, gzip=True)
        for number in range(8):
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            page = _capture(number)
            record = writer.create_warc_record(
                "https://news.example/council-budget",
                "response",
                payload=io.BytesIO(page),
                length=len(page),  # known: warcio needs no temporary file to measure it
                http_headers=headers,
            )
            writer.write_record(record)
    results = list(ingest_archive(sqlite_store, archive, grouping=Grouping()))
    assert [r.status for r in results] == ["stored"] + ["updated"] * 7
    assert len({r.article_id for r in results}) == 1
    stored = articles.get_article(sqlite_store, results[-1].article_id)  # type: ignore[arg-type]  # one id
    assert stored is not None and stored.article.title == "Council budget, version 7"
