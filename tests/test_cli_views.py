"""What the list and show commands print: times with their offset, site names as written, labelled
columns, correct plurals, one line per field."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from akhbar.cli import search as search_command
from akhbar.cli.output import one_line, plural, when
from akhbar.services import search as search_service
from cli_runner import LE_MONDE, SPECIMEN, run

STORIES = {"AKHBAR_STORIES": "on", "AKHBAR_STORIES_PROCESSES": "0"}


@pytest.mark.slow
def test_stories_show_the_site_as_written_at_the_articles_own_time(tmp_path: Path) -> None:
    assert run("ingest", str(LE_MONDE), data_dir=tmp_path, env=STORIES).code == 0
    listed = run("stories", "list", data_dir=tmp_path, env=STORIES)
    assert listed.code == 0
    assert "1 article " in listed.out and "1 source " in listed.out and "pace  1.0" in listed.out
    assert "v=" not in listed.out and "1 articles" not in listed.out
    shown = run("stories", "show", "1", data_dir=tmp_path, env=STORIES)
    lines = shown.out.splitlines()
    assert "first: Le Monde.fr (article #1) at 2023-08-30 14:52 +02:00" in lines
    assert "1 article, 1 source, 1 language; pace 1.0" in lines
    assert lines[-1].startswith("  #1     2023-08-30 14:52 +02:00 Le Monde.fr: ")
    story = json.loads(run("stories", "show", "1", "--format", "json", data_dir=tmp_path, env=STORIES).out)
    assert story["first_seen"] == "2023-08-30T12:52:08+00:00", "14:52+02:00 is 12:52 UTC"


def test_articles_show_their_own_time_and_site(tmp_path: Path) -> None:
    assert run("ingest", str(LE_MONDE), str(SPECIMEN), data_dir=tmp_path).code == 0
    listed = run("articles", "list", data_dir=tmp_path).out.splitlines()
    assert any("2023-08-30 14:52 +02:00 fr  Le Monde.fr: " in line for line in listed)
    assert any("2024-10-18" in line and "بلادي نيوز: " in line for line in listed), (
        "a date alone stays a date"
    )
    shown = run("articles", "show", "1", data_dir=tmp_path).out.splitlines()
    assert shown[1].startswith("Le Monde.fr · 2023-08-30 14:52 +02:00 · fr")


def test_search_results_are_two_lines_each(tmp_path: Path) -> None:
    assert run("ingest", str(LE_MONDE), str(SPECIMEN), data_dir=tmp_path).code == 0
    hits = run("search", "macron", "OR", "otan", "--format", "json", data_dir=tmp_path).out.splitlines()
    text = run("search", "macron", "OR", "otan", data_dir=tmp_path).out.splitlines()
    assert len(hits) == 2 and len(text) == 4
    assert all(line.startswith("        ") for line in text[1::2])


def test_times_read_with_their_offset() -> None:
    assert when("2023-08-30T14:52:08+02:00") == "2023-08-30 14:52 +02:00"
    assert when("2020-02-18T12:53:40Z") == "2020-02-18 12:53 UTC"
    assert when("2024-10-18") == "2024-10-18"
    assert when("2024-10-18T09:05:00") == "2024-10-18 09:05"
    assert when(None) == "-"
    local = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    offset = local.astimezone().utcoffset() or timedelta(0)
    expected = local.astimezone(timezone(offset))
    assert when(local).startswith(f"{expected:%Y-%m-%d %H:%M} ")


def test_words_and_lines() -> None:
    assert [plural(n, "article") for n in (0, 1, 2)] == ["0 articles", "1 article", "2 articles"]
    assert plural(2, "story", "stories") == "2 stories"
    assert one_line("a\n b\r\n\tc") == "a b c"


def test_search_limit_agrees_with_the_service() -> None:
    assert search_command.MAX_LIMIT == search_service.MAX_LIMIT
