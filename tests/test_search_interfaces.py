"""Search as readers reach it: the ``akhbar search`` command and the JSON API with OpenSearch."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from akhbar.cli import main
from akhbar.models import Article, Document
from akhbar.services.ingest import record_outcome
from akhbar.services.stories import Grouping
from akhbar.store import Store, documents
from akhbar.web import create_app
from conftest import SEED, AsgiClient

SPECIMEN = SEED / "000_5f9867fcee487711.txt"


class Run(NamedTuple):
    code: int
    out: str
    err: str


def _run(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``akhbar ARGS`` in this process (the command's own code path, without a slow interpreter start)."""
    monkeypatch.setattr(sys, "argv", ["akhbar", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return Run(code, out, err)


@pytest.mark.slow
def test_search_command_finds_the_ingested_specimen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AKHBAR_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("AKHBAR_DATABASE_URL", raising=False)
    assert _run(["ingest", str(SPECIMEN)], monkeypatch, capsys).code == 0
    done = _run(["search", "otan", "dissuasion", "--format", "json"], monkeypatch, capsys)
    assert done.code == 0, done.err
    hits = [json.loads(line) for line in done.out.splitlines()]
    assert len(hits) == 1
    assert "<mark>" in hits[0]["snippet_html"]
    none = _run(["search", "OTAN", "--language", "ar", "--format", "json"], monkeypatch, capsys)
    assert none.out == "" and none.err == "akhbar: no articles match 'OTAN' in ar\n"  # JSON Lines stay clean
    bad = _run(["search", "--", "-otan"], monkeypatch, capsys)
    assert bad.code == 2
    assert "only exclusions" in bad.err
    rebuilt = _run(["search", "reindex"], monkeypatch, capsys)
    assert rebuilt.code == 0, rebuilt.err
    assert "reindexed 1 article in" in rebuilt.out


def _client(store: Store) -> AsgiClient:
    article = Article("الناتو يجتمع", ("اجتمع حلف شمال الأطلسي.",), language="ar", published="2024-10-18")
    document = Document("k", b"k", url="https://example.org/k")
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, document, None)
    record_outcome(store, raw_id, document, article, None, Grouping())
    return AsgiClient(create_app(store, cache_ttl=0))


def test_api_searches_and_refuses_unsearchable_strings_with_400(store: Store) -> None:
    client = _client(store)
    found = client.get("/api/v1/search", params={"q": "ناتو", "since": "2024-01-01"})
    assert found.status_code == 200
    body = found.json()
    assert body["total"] == 1
    assert body["hits"][0]["dir"] == "rtl"
    assert "<mark>الناتو</mark>" in body["hits"][0]["title_html"]
    for bad in ("-ناتو", "x" * 10_000, '"', "\x00"):
        response = client.get("/api/v1/search", params={"q": bad})
        assert response.status_code == 400, bad
        assert response.json()["error"]  # the API's one refusal body
    assert client.get("/api/v1/search", params={"q": "ناتو", "language": "fr"}).json()["total"] == 0


def test_opensearch_description_points_at_the_search(sqlite_store: Store) -> None:
    response = _client(sqlite_store).get("/opensearch.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/opensearchdescription+xml")
    assert "http://testserver/search?q={searchTerms}" in response.text
