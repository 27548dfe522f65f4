"""Folder ingests with concurrent staging never abort the process (trafilatura and lxml in threads).

Before extraction took turns, two folder ingests in 24 aborted with glibc's "double free or
corruption": four staging threads were inside lxml and trafilatura at once. The ingests run in a
child process, so an abort fails this test instead of killing the test run.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import DATA

RUNS = 30
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
