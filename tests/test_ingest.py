"""Ingest end to end on both backends: raw first, idempotent, bad files refused, edits in place."""

from __future__ import annotations

import gzip
import random
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from akhbar.models import Article, Document, Entry
from akhbar.services import articles, ingest
from akhbar.services.stories import Grouping
from akhbar.store import Store, documents
from conftest import SEED

SPECIMEN = SEED / "000_5f9867fcee487711.txt"
FRENCH_DUMP = """Accueil
Politique
Économie

Le conseil municipal adopte le budget de la ville pour l'année prochaine

Publié le 12/03/2024 à 09h15

Le conseil municipal a adopté mardi soir le budget de la ville pour l'année prochaine, après un débat de plus de quatre heures entre la majorité et l'opposition sur les investissements prévus.

Le maire a défendu un budget « responsable », qui prévoit la rénovation de deux écoles, la création d'une piste cyclable le long du canal et une hausse modérée des tarifs de stationnement dans le centre.

L'opposition a dénoncé une hausse des dépenses de fonctionnement et réclamé un audit des contrats de délégation de service public signés lors du précédent mandat, sans obtenir gain de cause.

Mentions légales · Contact · Plan du site
"""


def _ingest(store: Store, *paths: Path) -> list[ingest.IngestResult]:
    return list(ingest.ingest_paths(store, [str(p) for p in paths], grouping=Grouping()))


def _counts(store: Store) -> tuple[int, int, int]:
    with store.reading() as connection:
        raw = len(documents.raw_ids(connection))
        rejected = len(documents.list_rejections(connection))
    return raw, articles.count_articles(store), rejected


def test_specimen_is_stored_once(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "specimen.txt"
    shutil.copy(SPECIMEN, path)
    [first] = _ingest(store, path)
    assert first.status == "stored"
    assert first.title is not None
    assert first.title.startswith("Pour le secrétaire général de l’OTAN")
    [again] = _ingest(store, path)
    assert again.status == "unchanged"
    assert _counts(store) == (1, 1, 0)
    assert first.article_id is not None
    stored = articles.get_article(store, first.article_id)
    assert stored is not None
    assert stored.article.site_name == "بلادي نيوز"
    assert stored.article.published == "2024-10-18"


def test_directory_with_good_and_bad_files(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(FRENCH_DUMP, encoding="utf-8")
    (tmp_path / "b.html.gz").write_bytes(gzip.compress(b"<html><body><p>x</p></body></html>"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (tmp_path / "nul.html").write_bytes(b"abc\x00\x01\x02" * 100)
    (tmp_path / "ignored.json").write_text("{}", encoding="utf-8")
    results = {Path(r.location).name: r for r in _ingest(store, tmp_path)}
    assert set(results) == {"a.txt", "b.html.gz", "empty.txt", "binary.txt", "nul.html"}
    assert results["a.txt"].status == "stored"
    assert results["b.html.gz"].status == "rejected"
    assert results["empty.txt"].status == "error"
    assert results["empty.txt"].reason == "empty"
    assert results["binary.txt"].status == "error"
    assert "binary" in (results["binary.txt"].reason or "")
    assert results["nul.html"].status == "error"
    # the bad files left nothing behind; the good one and the rejected page did
    assert _counts(store) == (2, 1, 1)


def test_missing_path_is_an_error_and_others_still_go_in(store: Store, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(FRENCH_DUMP, encoding="utf-8")
    results = _ingest(store, tmp_path / "nope.txt", good)
    assert [r.status for r in results] == ["error", "stored"]
    assert results[0].reason == "no such file or directory"


def test_edited_file_updates_the_article_in_place(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(FRENCH_DUMP, encoding="utf-8")
    [first] = _ingest(store, path)
    path.write_text(FRENCH_DUMP.replace("quatre heures", "cinq heures"), encoding="utf-8")
    [second] = _ingest(store, path)
    assert second.status == "updated"
    assert second.article_id == first.article_id
    assert _counts(store) == (2, 1, 0)
    assert second.article_id is not None
    stored = articles.get_article(store, second.article_id)
    assert stored is not None
    assert "cinq heures" in stored.article.body_paragraphs[0]


def test_raw_stored_without_outcome_is_completed_by_the_next_ingest(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(FRENCH_DUMP, encoding="utf-8")
    document = Document(location=str(path.resolve()), data=path.read_bytes())
    with store.transaction() as connection:  # as if the process died right after the raw commit
        documents.insert_raw(connection, document, None)
    [result] = _ingest(store, path)
    assert result.status == "stored"
    assert _counts(store) == (1, 1, 0)


def test_extraction_defect_becomes_a_rejection(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(ingest.extraction, "extract", broken)
    path = tmp_path / "page.txt"
    path.write_text(FRENCH_DUMP, encoding="utf-8")
    [result] = _ingest(store, path)
    assert result.status == "rejected"
    assert result.reason == "extraction failed: RuntimeError: boom"


def test_reprocess_turns_a_rejection_into_an_article(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "page.txt"
    path.write_text(FRENCH_DUMP, encoding="utf-8")
    real_extract = ingest.extraction.extract
    with monkeypatch.context() as patched:
        patched.setattr(
            ingest.extraction, "extract", lambda *a, **k: (_ for _ in ()).throw(ValueError("old bug"))
        )
        [result] = _ingest(store, path)
    assert result.status == "rejected"
    assert ingest.extraction.extract is real_extract
    [redone] = ingest.reprocess(store, grouping=Grouping())
    assert redone.status == "stored"
    assert _counts(store) == (1, 1, 0)


def test_copies_of_one_file_in_one_run_are_stored_once(store: Store, tmp_path: Path) -> None:
    """Copies are staged at once, ahead, yet the first is stored and the others are unchanged."""
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        (tmp_path / name).write_text(FRENCH_DUMP, encoding="utf-8")
    results = _ingest(store, tmp_path)
    assert [r.status for r in results] == ["stored", "unchanged", "unchanged", "unchanged"]
    assert _counts(store) == (1, 1, 0)


def test_staging_ahead_keeps_order_and_what_came_before_a_break(sqlite_store: Store) -> None:
    def slow_square(n: int) -> int:
        time.sleep(random.random() / 200)
        return n * n

    assert list(ingest.ahead(sqlite_store, range(40), slow_square)) == [n * n for n in range(40)]

    def broken_inputs() -> Iterator[int]:
        yield from range(6)
        raise OSError("archive cut short")

    seen: list[int] = []
    with pytest.raises(OSError, match="cut short"):
        for value in ingest.ahead(sqlite_store, broken_inputs(), slow_square):
            seen.append(value)
    assert seen == [n * n for n in range(6)]


def test_an_in_memory_database_is_staged_in_the_calling_thread() -> None:
    store = Store("sqlite://")
    try:
        threads = set(ingest.ahead(store, range(5), lambda _: threading.get_ident()))
    finally:
        store.close()
    assert threads == {threading.get_ident()}


def test_dates_that_cannot_be_true_are_dropped_before_storing(store: Store, tmp_path: Path) -> None:
    """A listing's raw date would sort an article above every other one: unreadable or future
    dates are dropped; a real past date, with or without a time, is kept as written."""
    now = datetime.now(UTC)
    cases = {
        "yesterday": None,
        "9999-12-31T23:59:59Z": None,
        (now + timedelta(days=3)).isoformat(): None,
        (now + timedelta(hours=2)).isoformat(): (now + timedelta(hours=2)).isoformat(),  # time zones
        "2024-03-12": "2024-03-12",
        "2024-03-12T09:15:00+01:00": "2024-03-12T09:15:00+01:00",
    }
    for n, (published, kept) in enumerate(cases.items()):
        path = tmp_path / f"page{n}.txt"
        path.write_text(FRENCH_DUMP.replace("quatre", f"{n} fois quatre"), encoding="utf-8")
        document = Document(location=str(path), data=path.read_bytes())
        with store.transaction() as connection:
            raw_id = documents.insert_raw(connection, document, None)
        article = Article(f"Article {n}", (f"Paragraph of article {n}, long enough to read.",), "fr")
        result = ingest.record_outcome(
            store, raw_id, document, replace(article, published=published), None, Grouping()
        )
        stored = articles.get_article(store, result.article_id)  # type: ignore[arg-type]  # stored
        assert stored is not None and stored.article.published == kept, published


SHELL_PAGE = b"<!doctype html><html><head><title>App</title></head><body><div id=app></div></body></html>"


def test_two_listed_items_whose_pages_are_byte_identical_are_both_kept(store: Store) -> None:
    """An app shell serves every article's URL with the same bytes; the feed carries the articles.
    Each item is its own document, completed from its own entry: neither is lost, a rejected one
    leaves the other's article in place, and the same item fetched again is unchanged."""
    first = Entry(
        "https://shell.example/a/1",
        title="Budget municipal adopté",
        summary="Le conseil municipal a adopté mardi soir le budget de l'année prochaine, en hausse"
        " de quatre pour cent, après un long débat.",
        language="fr",
    )
    second = Entry(
        "https://shell.example/a/2",
        title="Harbour terminal delayed",
        summary="The harbour authority said on Monday that the new container terminal would open in"
        " the spring after two years of delays.",
        language="en",
    )
    third = Entry("https://shell.example/a/3", title="Short", summary="Too short to stand in.")

    def page(entry: Entry) -> ingest.IngestResult:
        document = Document(entry.url, SHELL_PAGE, "text/html", entry.url)
        return ingest.ingest_document(store, document, grouping=Grouping(enabled=False), entry=entry)

    assert [page(first).status, page(second).status, page(third).status] == ["stored", "stored", "rejected"]
    assert page(first).status == "unchanged"
    titles = sorted(stored.article.title for stored in articles.list_articles(store))
    assert titles == ["Budget municipal adopté", "Harbour terminal delayed"]


def test_the_callers_record_commits_with_the_outcome_and_only_with_it(store: Store, tmp_path: Path) -> None:
    """``recorded`` writes in the outcome's own transaction: called once per input, whatever
    became of it, and a record that fails takes the outcome down with it (stored again next time)."""
    path = tmp_path / "page.txt"
    path.write_text(FRENCH_DUMP, encoding="utf-8")
    document = Document(location=str(path.resolve()), data=path.read_bytes())
    seen: list[tuple[str, bool]] = []

    def recorded(connection: sa.Connection, result: ingest.IngestResult) -> None:
        seen.append((result.status, connection.in_transaction()))

    def failing(_connection: sa.Connection, _result: ingest.IngestResult) -> None:
        raise RuntimeError("the record cannot be written")

    with pytest.raises(RuntimeError, match="cannot be written"):
        ingest.ingest_document(store, document, grouping=Grouping(), recorded=failing)
    assert _counts(store) == (1, 0, 0)  # the raw document stays; its article went with the record
    stored = ingest.ingest_document(store, document, grouping=Grouping(), recorded=recorded)
    again = ingest.ingest_document(store, document, grouping=Grouping(), recorded=recorded)
    assert (stored.status, again.status) == ("stored", "unchanged")
    assert seen == [("stored", True), ("unchanged", True)]
    assert _counts(store) == (1, 1, 0)
