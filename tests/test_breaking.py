"""Breaking-news flags: durations, the service on both databases, and `akhbar breaking` end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from akhbar.cli import cli
from akhbar.errors import InputError
from akhbar.services import breaking
from akhbar.store import Store
from conftest import SEED
from portal_fixtures import PortalData, populate

NOW = datetime(2024, 10, 18, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", NOW + timedelta(hours=2)),
        ("30m", NOW + timedelta(minutes=30)),
        ("1d", NOW + timedelta(days=1)),
        (" 90s ", NOW + timedelta(seconds=90)),
        ("2024-10-18T15:00:00+01:00", datetime(2024, 10, 18, 14, tzinfo=UTC)),
        ("2024-10-19 08:00", datetime(2024, 10, 19, 8, tzinfo=UTC)),
    ],
)
def test_parse_until(text: str, expected: datetime) -> None:
    assert breaking.parse_until(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["0h", "soon", "2024-10-17", "-2h", ""])
def test_parse_until_refuses(text: str) -> None:
    with pytest.raises(InputError):
        breaking.parse_until(text, now=NOW)


def test_flags_on_both_databases(store: Store) -> None:
    data: PortalData = populate(store)
    soon = datetime.now(UTC) + timedelta(hours=1)
    article_flag = breaking.flag_article(store, data.specimen, soon, note="NATO", created_by="editor")
    story_flag = breaking.flag_article(store, data.story_fr, soon, story=True)
    assert article_flag.article_id == data.specimen and article_flag.story_id is None
    assert story_flag.story_id == 7
    assert [f.id for f in breaking.list_flags(store, active_only=True)] == [story_flag.id, article_flag.id]
    shown = [a.id for a in breaking.breaking_articles(store)]
    assert shown == [data.story_en, data.specimen]
    later = datetime.now(UTC) + timedelta(hours=2)
    assert breaking.breaking_articles(store, now=later) == [], "flags expire"
    assert breaking.remove_flag(store, story_flag.id)
    assert not breaking.remove_flag(store, story_flag.id)
    assert [f.id for f in breaking.list_flags(store)] == [article_flag.id]
    with pytest.raises(InputError):
        breaking.flag_article(store, 999_999, soon)


def _run(data_dir: Path, *args: str) -> Result:
    env = {"AKHBAR_DATA_DIR": str(data_dir), "AKHBAR_LOG_LEVEL": "WARNING", "AKHBAR_DATABASE_URL": None}
    return CliRunner().invoke(cli, list(args), env=env)  # type: ignore[arg-type]  # None unsets a variable


@pytest.mark.slow
def test_cli_add_list_remove(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert _run(data_dir, "ingest", str(SEED / "000_5f9867fcee487711.txt")).exit_code == 0
    added = _run(data_dir, "breaking", "add", "1", "--until", "2h", "--format", "json")
    assert added.exit_code == 0, added.output
    flag = json.loads(added.stdout)
    assert flag["article_id"] == 1 and flag["origin"] == "manual"
    listed = _run(data_dir, "breaking", "list")
    assert f"#{flag['id']}" in listed.stdout and "article 1" in listed.stdout
    story = _run(data_dir, "breaking", "add", "1", "--until", "30m", "--story")
    assert story.exit_code == 0, story.output
    assert _run(data_dir, "breaking", "remove", str(flag["id"])).exit_code == 0
    assert isinstance(_run(data_dir, "breaking", "remove", str(flag["id"])).exception, InputError)
    assert isinstance(_run(data_dir, "breaking", "add", "42").exception, InputError)
    assert "#" in _run(data_dir, "breaking", "list", "--all").stdout


@pytest.mark.slow
def test_cli_bad_until_exits_2_with_a_reason(tmp_path: Path) -> None:
    env = {**os.environ, "AKHBAR_DATA_DIR": str(tmp_path / "data"), "AKHBAR_LOG_LEVEL": "WARNING"}
    env.pop("AKHBAR_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "akhbar", "breaking", "add", "1", "--until", "whenever"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "--until" in done.stderr and len(done.stderr.strip().splitlines()) == 1
