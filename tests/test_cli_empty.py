"""Every empty result says so in one line: on standard output in text, on standard error beside JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_runner import SPECIMEN, run

EMPTY = [
    (("sources", "list"), "no sources followed yet"),
    (("articles", "list"), "no articles yet"),
    (("articles", "list", "--language", "de"), "no articles in language de"),
    (("stories", "list"), "no stories yet"),
    (("rejections", "list"), "no rejections"),
    (("users", "list"), "no accounts yet"),
    (("breaking", "list"), "no breaking-news flags in force"),
    (("search", "query", "الناتو", "--language", "ar"), "no articles match 'الناتو' in ar"),
]


@pytest.mark.parametrize(("args", "said"), EMPTY, ids=[" ".join(args) for args, _ in EMPTY])
def test_empty_result_says_so(tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    text = run(*args, data_dir=tmp_path)
    assert text.code == 0, text.err
    assert text.out.count("\n") == 1 and said in text.out
    assert text.err == ""
    json_lines = run(*args, "--format", "json", data_dir=tmp_path)
    assert json_lines.code == 0
    assert json_lines.out == "", "JSON Lines stay clean"
    assert json_lines.err.count("\n") == 1 and said in json_lines.err


def test_search_with_no_match_among_articles(tmp_path: Path) -> None:
    assert run("ingest", str(SPECIMEN), data_dir=tmp_path).code == 0
    found = run("search", "dissuasion", data_dir=tmp_path)
    assert found.code == 0 and "#1" in found.out
    nothing = run("search", "query", "الناتو", "--language", "ar", data_dir=tmp_path)
    assert nothing.out == "no articles match 'الناتو' in ar\n"


def test_an_opml_file_without_feeds(tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body/></opml>', encoding="utf-8")
    done = run("sources", "import", str(opml), data_dir=tmp_path)
    assert (done.code, done.out) == (0, f"no feeds in {opml}\n")


def test_refresh_and_reprocess_with_nothing_to_do(tmp_path: Path) -> None:
    refreshed = run("refresh", data_dir=tmp_path)
    assert refreshed.code == 0 and "no sources are due now" in refreshed.out
    everything = run("refresh", "--all", data_dir=tmp_path)
    assert "no sources followed yet" in everything.out
    reprocessed = run("reprocess", data_dir=tmp_path)
    assert reprocessed.code == 0 and "nothing to reprocess" in reprocessed.out
