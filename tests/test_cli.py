"""The ``akhbar`` command as a user runs it: a real process, real files, exit codes and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED

SPECIMEN = SEED / "000_5f9867fcee487711.txt"


def akhbar(*args: str, data_dir: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "AKHBAR_DATA_DIR": str(data_dir), **(env or {})}
    environment.pop("AKHBAR_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "akhbar", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        cwd=data_dir,
        check=False,
    )


@pytest.mark.slow
def test_extract_specimen_prints_the_expected_article(tmp_path: Path) -> None:
    done = akhbar("extract", str(SPECIMEN), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    expected = json.loads((SEED / "expected.json").read_text(encoding="utf-8"))
    for field in ("title", "site_name", "published", "language", "image_caption", "body_paragraphs"):
        assert got[field] == expected[field], field
    assert set(got) >= {"url", "authors", "image_url", "headlines", "story_id", "duplicate_of"}
    assert not (tmp_path / "akhbar-data").exists(), "extract must store nothing"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"\x7fELF\x02\x01\x01" + bytes(200), "binary file"), (b"12345 678\n", "no letters")],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    done = akhbar("extract", str(path), data_dir=tmp_path)
    assert done.returncode == 2
    assert reason in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_usage_error_exits_2(tmp_path: Path) -> None:
    assert akhbar("articles", "show", "not-a-number", data_dir=tmp_path).returncode == 2
    assert akhbar("no-such-command", data_dir=tmp_path).returncode == 2


@pytest.mark.slow
def test_ingest_list_show_and_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    done = akhbar("ingest", str(SPECIMEN), str(bad), data_dir=tmp_path)
    assert done.returncode == 2, "one bad file makes the run exit 2"
    assert "stored" in done.stdout
    assert "bad.txt: empty" in done.stderr
    again = akhbar("ingest", str(SPECIMEN), "--format", "json", data_dir=tmp_path)
    assert again.returncode == 0
    assert json.loads(again.stdout)["status"] == "unchanged"
    listed = akhbar("articles", "list", "--format", "json", data_dir=tmp_path)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 1
    assert rows[0]["language"] == "fr"
    shown = akhbar("articles", "show", str(rows[0]["id"]), "--format", "json", data_dir=tmp_path)
    assert json.loads(shown.stdout)["site_name"] == "بلادي نيوز"
    missing = akhbar("articles", "show", "999", data_dir=tmp_path)
    assert missing.returncode == 2
    assert "no article #999" in missing.stderr


@pytest.mark.slow
def test_config_masks_secrets_and_rejects_bad_values(tmp_path: Path) -> None:
    url = "postgresql+psycopg://akhbar:s3cret@127.0.0.1:1/akhbar"
    done = akhbar("config", "--format", "json", data_dir=tmp_path, env={"AKHBAR_DATABASE_URL": url})
    assert done.returncode == 0
    assert "s3cret" not in done.stdout
    bad = akhbar("config", data_dir=tmp_path, env={"AKHBAR_PORT": "x"})
    assert bad.returncode == 2
    assert "invalid port from environment" in bad.stderr


@pytest.mark.slow
def test_db_upgrade_then_reprocess(tmp_path: Path) -> None:
    assert akhbar("db", "upgrade", data_dir=tmp_path).returncode == 0
    assert akhbar("ingest", str(SPECIMEN), data_dir=tmp_path).returncode == 0
    done = akhbar("reprocess", data_dir=tmp_path)
    assert done.returncode == 0
    assert "1 updated" in done.stdout
