"""The source commands against the local fixture server: in-process (click's runner) for speed,
and one real process for exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from akhbar.cli import cli
from akhbar.errors import FetchError, InputError
from conftest import DATA
from httpserver import FixtureServer
from test_cli import akhbar

ENV = {
    "AKHBAR_FETCH_ALLOW_NETWORKS": "127.0.0.0/8",
    "AKHBAR_FETCH_HOST_DELAY": "0",
    "AKHBAR_FETCH_TIMEOUT": "2",
    "AKHBAR_IMAGES": "false",  # the fixture pages name photos on the internet
}


def run(*args: str, data_dir: Path, env: dict[str, str] | None = None) -> Result:
    environment = {"AKHBAR_DATA_DIR": str(data_dir), "AKHBAR_DATABASE_URL": None, **(env or {})}
    return CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    running = FixtureServer().start()
    yield running
    running.stop()


@pytest.mark.slow
def test_sources_add_list_show_refresh_export_remove(tmp_path: Path, server: FixtureServer) -> None:
    added = run(
        "sources", "add", server.url("/gen/site?n=2&start=70"), "--format", "json", data_dir=tmp_path, env=ENV
    )
    assert added.exit_code == 0, added.output
    source = json.loads(added.stdout)
    assert source["kind"] == "feed" and source["name"] == "Test feed"
    refreshed = run("refresh", data_dir=tmp_path, env=ENV)
    assert refreshed.exit_code == 0, refreshed.output
    assert "2 stored" in refreshed.stdout
    shown = run("sources", "show", str(source["id"]), "--format", "json", data_dir=tmp_path, env=ENV)
    detail = json.loads(shown.stdout)
    assert detail["articles"] == 2 and detail["last_status"] == "ok" and detail["next_poll_at"]
    exported = run("sources", "export", data_dir=tmp_path, env=ENV)
    assert "<opml" in exported.stdout and '/gen/rss?n=2"' in exported.stdout
    (tmp_path / "feeds.opml").write_text(exported.stdout, encoding="utf-8")
    removed = run("sources", "remove", str(source["id"]), data_dir=tmp_path, env=ENV)
    assert removed.exit_code == 0
    imported = run("sources", "import", str(tmp_path / "feeds.opml"), data_dir=tmp_path, env=ENV)
    assert imported.exit_code == 0 and imported.stdout.startswith("added")
    listed = run("sources", "list", data_dir=tmp_path, env=ENV)
    assert "never polled" in listed.stdout


@pytest.mark.slow
def test_bad_usage_and_refusals_are_errors_with_reasons(tmp_path: Path, server: FixtureServer) -> None:
    with pytest.raises(InputError, match=r"not an http\(s\) URL"):
        run("sources", "add", "file:///etc/passwd", data_dir=tmp_path, env=ENV)
    with pytest.raises(FetchError, match="loopback address"):
        run(
            "sources",
            "add",
            server.url("/pages/0"),
            data_dir=tmp_path,
            env={"AKHBAR_FETCH_ALLOW_NETWORKS": ""},
        )
    worker = akhbar("worker", data_dir=tmp_path)  # a real process for the exit code
    assert worker.returncode == 2 and "need PostgreSQL" in worker.stderr


@pytest.mark.slow
def test_ingest_urls_and_a_warc(tmp_path: Path, server: FixtureServer) -> None:
    done = run(
        "ingest",
        server.url("/pages/5"),
        server.url("/bomb"),
        str(DATA / "warc/news-fr-ar-real-pages.warc.gz"),
        "--format",
        "json",
        data_dir=tmp_path,
        env=ENV,
    )
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.exit_code == 2  # the bomb is an error, reported; the rest is stored
    assert results[0]["status"] == "stored"
    assert results[1]["status"] == "error" and "too large" in results[1]["reason"]
    assert sum(r["status"] == "stored" for r in results[2:]) >= 25


def test_extract_a_url_stores_nothing(tmp_path: Path, server: FixtureServer) -> None:
    done = run(
        "extract",
        server.url("/data/pages-trafilatura/html/lapresse.tn.parite.html"),
        data_dir=tmp_path,
        env=ENV,
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["title"]
    assert not (tmp_path / "akhbar.db").exists()
