"""Whole processes: `akhbar demo` serving over HTTP, and an ingest killed with SIGKILL mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from akhbar.services.ingest import AHEAD
from pgcluster import free_port
from test_ingest import FRENCH_DUMP


def _environment(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "AKHBAR_DATA_DIR": str(data_dir)}
    env.pop("AKHBAR_DATABASE_URL", None)
    return env


@pytest.mark.slow
def test_demo_serves_the_home_page_with_the_specimen_loaded(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "akhbar", "demo", "--port", str(port)],
        env=_environment(tmp_path / "data"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.communicate()[1].decode()
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "akhbar demo did not start serving"
                time.sleep(0.3)
        assert page.status_code == 200
        assert "832" in page.text, "the breaking story of the demo (its death toll) is on the first screen"
        assert 'dir="rtl"' in page.text, "the demo set has Arabic articles, listed right to left"
        listed = httpx.get(f"http://127.0.0.1:{port}/api/v1/articles?limit=100", timeout=5).json()["articles"]
        assert len(listed) >= 30
        assert any(a["title"].startswith("Pour le secrétaire général de l’OTAN") for a in listed), (
            "the specimen"
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.mark.slow
def test_sigkill_mid_ingest_loses_nothing_reported(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(400):
        (pages / f"{n:04d}.txt").write_text(
            FRENCH_DUMP.replace("quatre", f"{n} fois quatre"), encoding="utf-8"
        )
    data_dir = tmp_path / "data"
    process = subprocess.Popen(
        [sys.executable, "-m", "akhbar", "ingest", str(pages), "--format", "json"],
        env=_environment(data_dir),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    reported = []
    for line in process.stdout:
        reported.append(json.loads(line))
        if len(reported) == 50:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=30)
    process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    engine = sa.create_engine(f"sqlite:///{data_dir / 'akhbar.db'}")
    with engine.connect() as connection:
        stored = {row.id: row for row in connection.execute(sa.text("SELECT * FROM articles"))}
        raw_count = connection.execute(sa.text("SELECT count(*) FROM raw_documents")).scalar()
    engine.dispose()
    for result in reported:
        assert result["status"] == "stored"
        row = stored[result["article_id"]]
        assert row.title == result["title"]
    for row in stored.values():  # no half-written article
        assert row.title
        assert json.loads(row.body_paragraphs)
    assert raw_count is not None
    # stored raw, not yet finished: the one being stored and those staged ahead of it
    assert len(stored) <= raw_count <= len(stored) + AHEAD + 1
    finish = subprocess.run(
        [sys.executable, "-m", "akhbar", "ingest", str(pages), "--format", "json"],
        env=_environment(data_dir),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    statuses = [json.loads(line)["status"] for line in finish.stdout.splitlines()]
    assert statuses.count("unchanged") >= len(reported)
    assert statuses.count("unchanged") + statuses.count("stored") == 400
