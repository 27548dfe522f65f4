"""Folder ingests with concurrent staging never abort the process (trafilatura and lxml in threads).

Before extraction took turns, two folder ingests in 24 aborted with glibc's "double free or
corruption": four staging threads were inside lxml and trafilatura at once. That they now take
turns is checked directly (no two threads inside the HTML extractor at any moment); the stress run
ingests real pages again and again in a child process, so an abort fails this test instead of
killing the test run.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import akhbar.extract.html
from akhbar.services.ingest import AHEAD, ingest_paths
from akhbar.services.stories import Grouping
from akhbar.store import Store
from conftest import DATA

RUNS = 10
SCRIPT = """
import faulthandler, sys, tempfile
faulthandler.enable()
from akhbar.services.ingest import AHEAD, ingest_paths
from akhbar.services.stories import Grouping
from akhbar.store import Store
folders, runs = sys.argv[1:-1], int(sys.argv[-1])
assert AHEAD > 1, "the stress needs documents staged in several threads"
for run in range(runs):
    with tempfile.TemporaryDirectory() as scratch:
        store = Store(f"sqlite:///{scratch}/akhbar.db")
        results = list(ingest_paths(store, folders, grouping=Grouping(enabled=False)))
        store.close()
    print(run, sum(r.status == "stored" for r in results), flush=True)
"""


@pytest.mark.slow
def test_folder_ingests_with_concurrent_staging_never_abort() -> None:
    folders = [str(DATA / "pages-fundus"), str(DATA / "pages-trafilatura")]
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *folders, str(RUNS)], capture_output=True, text=True, timeout=1200
    )
    assert done.returncode == 0, done.stderr[-3000:]
    stored = [int(line.split()[1]) for line in done.stdout.splitlines()]
    assert len(stored) == RUNS and len(set(stored)) == 1 and stored[0] > 20  # every run stored the same


def test_staging_threads_extract_html_one_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages are staged by several threads, and never two of them inside the extractor at once."""
    inside: list[int] = []
    most, threads = [0], set()
    guard = threading.Lock()
    extract_html = akhbar.extract.html.extract_html

    def watched(*args: Any, **kwargs: Any) -> Any:
        with guard:
            inside.append(1)
            most[0] = max(most[0], len(inside))
            threads.add(threading.get_ident())
        time.sleep(0.005)  # a window wide enough for another thread to come in, if it could
        try:
            return extract_html(*args, **kwargs)
        finally:
            with guard:
                inside.pop()

    monkeypatch.setattr(akhbar.extract.html, "extract_html", watched)
    store = Store(f"sqlite:///{tmp_path / 'akhbar.db'}")
    folders = [str(DATA / "pages-fundus"), str(DATA / "pages-trafilatura")]
    results = list(ingest_paths(store, folders, grouping=Grouping(enabled=False)))
    store.close()
    assert AHEAD > 1 and sum(r.status == "stored" for r in results) > 20
    assert len(threads) > 1, "the pages were extracted by one thread: the check proves nothing"
    assert most[0] == 1, f"{most[0]} threads were inside the HTML extractor at once"
