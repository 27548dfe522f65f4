"""``akhbar db backup``: a consistent copy of a SQLite database taken while another process writes
to it, restored by putting it in place, with every article it held."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from cli_runner import SPECIMEN, run

WRITER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
db.execute("CREATE TABLE IF NOT EXISTS churn (n INTEGER, body TEXT)")
n = 0
while True:
    db.execute("INSERT INTO churn VALUES (?, ?)", (n, "x" * 2000))
    db.commit()
    n += 1
    time.sleep(0.001)
"""


def test_backup_while_written_restores_every_article(tmp_path: Path) -> None:
    live = tmp_path / "live"
    assert run("ingest", str(SPECIMEN), data_dir=live).code == 0
    database = live / "akhbar.db"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(database)])
    try:
        time.sleep(1.0)  # the writer is committing when the backup starts
        target = tmp_path / "copies" / "akhbar-backup.db"
        target.parent.mkdir()
        done = run("db", "backup", str(target), data_dir=live)
        assert done.code == 0, done.err
        assert "backed up to" in done.out
    finally:
        writer.kill()
        writer.wait()
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert copy.execute("SELECT count(*) FROM churn").fetchone()[0] > 0
    copy.close()
    assert not target.with_name(target.name + ".partial").exists()

    restored = tmp_path / "restored"
    restored.mkdir()
    target.replace(restored / "akhbar.db")  # the restore: the copy in place of akhbar.db
    status = run("status", "--format", "json", data_dir=restored)
    assert status.code == 0 and '"articles": 1' in status.out
    listed = run("articles", "list", data_dir=restored)
    assert listed.code == 0 and "OTAN" in listed.out


def test_backup_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    assert run("ingest", str(SPECIMEN), data_dir=tmp_path).code == 0
    existing = tmp_path / "there.db"
    existing.write_bytes(b"keep me")
    refused = run("db", "backup", str(existing), data_dir=tmp_path)
    assert refused.code == 2 and "exists" in refused.err and existing.read_bytes() == b"keep me"
    postgres = run(
        "db", "backup", str(tmp_path / "pg.db"), data_dir=tmp_path,
        env={"AKHBAR_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:1/x"},
    )  # fmt: skip
    assert postgres.code == 2 and "pg_dump" in postgres.err
