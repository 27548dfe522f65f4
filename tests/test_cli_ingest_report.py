"""Ingest and reprocess say what they did: one line per input, totals, errors naming the input, and
progress bars on a terminal only."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli_runner import SPECIMEN, run

SHORT_PAGE = "<html><head><title>Hi</title></head><body><p>Le ministre est parti.</p></body></html>"


def _folder(root: Path) -> Path:
    """A folder as people have them: pages, a syndicated copy, a one-line page, an empty file, junk."""
    folder = root / "pages"
    (folder / "sub").mkdir(parents=True)
    text = SPECIMEN.read_text(encoding="utf-8")
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "sub" / "copy.txt").write_text(text + "\nTous droits réservés.\n", encoding="utf-8")
    (folder / "short.html").write_text(SHORT_PAGE, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    return folder


def test_ingest_folder_reports_each_input_and_the_totals(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    done = run("ingest", str(folder), data_dir=tmp_path / "data")
    assert done.code == 2, "an input that cannot be read makes the run exit 2, after the others"
    lines = done.out.splitlines()  # a folder is read in the order of its paths
    assert lines[0].startswith("stored    #1 ") and lines[0].endswith("a.txt)")
    assert lines[1] == f"rejected  {folder / 'short.html'}: too short: 4 of the 25 words an article needs"
    assert lines[2].startswith("duplicate #2 ") and "(copy of #1)" in lines[2]
    assert re.fullmatch(
        r"ingested 4 inputs in \d+\.\d s: 1 stored, 1 duplicate, 1 rejected \(1 too short\), 1 error",
        lines[-1],
    )
    assert f"akhbar: {folder / 'empty.txt'}: empty" in done.err.splitlines()
    assert "skipped 1 file that are not pages by their name (notes.pdf)" in done.err


def test_ingest_json_lines_stay_clean_and_reprocess_totals(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    data = tmp_path / "data"
    run("ingest", str(folder), data_dir=data)
    again = run("ingest", str(folder), "--format", "json", data_dir=data)
    rows = [json.loads(line) for line in again.out.splitlines()]
    assert [row["status"] for row in rows] == ["unchanged", "error", "unchanged", "unchanged"]
    assert "ingested 4 inputs" in again.err and "3 unchanged, 1 error" in again.err
    redone = run("reprocess", data_dir=data)
    assert redone.code == 0
    assert re.fullmatch(
        r"reprocessed 3 documents in \d+\.\d s: 1 updated, 1 duplicate, 1 rejected \(1 too short\)\n",
        redone.out,
    ), "the original stays the original: its copy is the duplicate"
    original = json.loads(run("articles", "show", "1", "--format", "json", data_dir=data).out)
    assert original["duplicate_of"] is None
    quiet = run("-q", "reprocess", "--format", "json", data_dir=data)
    assert len(quiet.out.splitlines()) == 3 and quiet.err == ""


def test_extract_names_the_input_that_failed(tmp_path: Path) -> None:
    missing = run("extract", str(tmp_path / "nothere.html"), data_dir=tmp_path)
    assert missing.code == 2
    assert missing.err == f"akhbar: {tmp_path / 'nothere.html'}: cannot read: No such file or directory\n"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert run("extract", str(empty), data_dir=tmp_path).err == f"akhbar: {empty}: empty\n"
    short = tmp_path / "short.html"
    short.write_text(SHORT_PAGE, encoding="utf-8")
    rejected = run("extract", str(short), data_dir=tmp_path)
    assert rejected.code == 2
    assert "not an article: too short: 4 of the 25 words an article needs" in rejected.err
    assert "no visible text" not in rejected.err


def test_a_page_without_text_is_still_an_empty_page(tmp_path: Path) -> None:
    shell = tmp_path / "shell.html"
    shell.write_text("<html><body><script>render()</script></body></html>", encoding="utf-8")
    assert "empty page: no visible text" in run("extract", str(shell), data_dir=tmp_path).err


@pytest.mark.slow
def test_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    """On a terminal the bar shows done/total, the rate and the time left; piped, nothing is drawn."""
    folder = _folder(tmp_path)
    env = {**os.environ, "AKHBAR_DATA_DIR": str(tmp_path / "data"), "AKHBAR_STORIES": "off", "TERM": "xterm"}
    env.pop("AKHBAR_DATABASE_URL", None)
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "akhbar", "ingest", str(folder)],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
    ) as process:
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
        stdout = process.stdout.read().decode() if process.stdout else ""
    os.close(leader)
    screen = drawn.decode(errors="replace")
    assert "files" in screen and "files/s" in screen and "left" in screen
    assert "/4" in screen
    assert "ingested 4 inputs" in stdout and "files/s" not in stdout, "results piped to a file stay clean"
    piped = subprocess.run(
        [sys.executable, "-m", "akhbar", "reprocess"], capture_output=True, text=True, env=env, timeout=120
    )
    assert "docs/s" not in piped.stderr and piped.stderr == ""
