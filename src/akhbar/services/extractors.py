"""Where extraction runs: in the calling thread, or in a pool of worker processes.

Extraction (trafilatura, lxml and akhbar's metadata steps) is pure Python and C under the GIL,
and it takes its turn with every other thread of the process (``akhbar.extract.HTML_TURN``), so
in-thread it uses one core however many threads ingest. :class:`ExtractionPool` runs it in
``extract_processes`` worker processes instead: the ingesting process fetches, stores and places
while the pages of several threads are extracted at once on the machine's other cores.

Workers are forked from one fork server per ingesting process (multiprocessing's "forkserver",
started on first use), which imports the extraction stage alone (never the embedding model, the
store or the web app) and warms its caches first (``akhbar.services.extractwarm``): the libraries,
justext's stop lists and dateparser's locales are memory every worker shares with it, instead of
a copy of about 100 MB in each.

A worker that crashes on a page (a signal, an abort in C code, the kernel's out-of-memory
killer) or takes longer than ``extract_timeout`` seconds on it makes a :class:`Rejected` value
for that page, recorded like any other rejection; the worker is killed and a fresh one takes its
place for the next page (a worker that cannot be started leaves the page to be extracted in the
calling thread). Workers ignore SIGINT and SIGTERM, which reach the whole process group on Ctrl-C
or a service manager's stop: they end when the ingesting process closes their input, or dies.

Each worker's address space is capped (``WORKER_ADDRESS_MB``): a page that needs more fails with
``MemoryError`` inside the worker, which the extraction stage turns into a rejection. A worker
whose own memory (the pages it does not share with the fork server) has grown past
``RECYCLE_MB`` after a page ends once it has answered, and a fresh fork takes its place.
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import logging.handlers
import multiprocessing
import os
import pickle
import queue
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from pathlib import Path

from akhbar import extract as extraction
from akhbar.errors import InputError
from akhbar.memory import smaps_rollup
from akhbar.models import Article, Document, Rejected

log = logging.getLogger(__name__)

Outcome = Article | Rejected
Extractor = Callable[[Document, int, extraction.Readable | None], Outcome]
WORKER_ADDRESS_MB = 2048  # address space of one worker: a page's tree past that is a MemoryError
# a worker whose own memory grew past this is replaced after its page: a fresh fork of the warm
# server costs milliseconds, and pages leave a worker's heap fragmented (30-60 MB after 100 pages)
RECYCLE_MB = 80
MEASURE_EVERY = 16  # pages between two looks at a worker's own memory (a look costs about 1.5 ms)
STOP_SECONDS = 2.0  # how long a closing worker is given before it is killed
START_SECONDS = 60.0  # how long a starting worker (the first: the fork server's warming) may take
READY = b"ready"
# a job's pipe holds a whole page (1 MB: Linux's limit for a pipe any user may ask for; its default
# is 64 KB): the page is written in one go, where a 280 KB page took five writes, each waiting for
# the worker to read the one before (a context switch each way)
JOB_PIPE_BYTES = 1 << 20
# what the fork server imports before it forks: the warm extraction stage. Each worker still imports
# the program's main module again (as ``__mp_main__``), as every child of multiprocessing's spawn and
# forkserver methods does: a script that ingests keeps its work under ``if __name__ == "__main__":``
# (Python 3.11's forkserver drops the path that a "__main__" in this list would need)
SERVER_PRELOAD = ["akhbar.services.extractwarm"]


def extract_outcome(document: Document, max_bytes: int, read: extraction.Readable | None = None) -> Outcome:
    """Run extraction here; a bug in it becomes a recorded rejection instead of a crash."""
    try:
        return extraction.extract(document, max_bytes=max_bytes, read=read)
    except InputError as exc:
        return Rejected(document.location, str(exc))
    except Exception as exc:  # a defect must not stop an ingest run; it is logged and recorded
        log.exception("extract: failed on %s", document.location)
        return Rejected(document.location, f"extraction failed: {type(exc).__name__}: {exc}")


in_thread: Extractor = extract_outcome  # the extractor of ``extract_processes = 0``: the calling thread


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    to_worker: Connection
    from_worker: Connection
    _stopping: threading.Lock = field(default_factory=threading.Lock)
    _code: int | None = None
    _stopped: bool = False
    cpu: float = 0.0  # the CPU seconds it reported with its last answer

    def running(self) -> bool:
        with self._stopping:
            return not self._stopped and self.process.is_alive()

    def stop(self, *, kill: bool = False) -> int | None:
        """End the worker (at once with ``kill``, else once it has read its end of input); its exit
        status. A second call (the pool closing while a page thread ends it) answers the first's."""
        with self._stopping:
            if not self._stopped:
                self._stopped = True
                self._code = self._ended(kill=kill)
            return self._code

    def _ended(self, *, kill: bool) -> int | None:
        self.to_worker.close()
        if kill:
            self.process.kill()
        self.process.join(STOP_SECONDS)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
        self.from_worker.close()
        code = self.process.exitcode
        self.process.close()  # its sentinel's descriptor, now rather than when collected
        return code


def _widen(pipe: Connection) -> None:
    """Make the pipe hold :data:`JOB_PIPE_BYTES` (Linux), or leave it as it is where it cannot."""
    try:
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, JOB_PIPE_BYTES)
    except (AttributeError, OSError) as exc:  # not Linux, or past the system's pipe limits
        log.debug("extract: a job pipe keeps its size (%s)", exc)


def _fork_server() -> ForkServerContext:
    """The context that forks workers from the fork server, which preloads :data:`SERVER_PRELOAD`
    (the list is read when the server starts, on the first worker)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(SERVER_PRELOAD)
    return context


def _job(document: Document, max_bytes: int, read: extraction.Readable | None) -> bytes:
    """What a worker is sent: the document (without its bytes when they are already read as text)."""
    if read is not None and read.document is document:
        light = replace(document, data=b"")
        return pickle.dumps((light, max_bytes, replace(read, document=light)), pickle.HIGHEST_PROTOCOL)
    return pickle.dumps((document, max_bytes, None), pickle.HIGHEST_PROTOCOL)


class ExtractionPool:
    """``processes`` extraction workers shared by every thread of this process; call it as an
    :data:`Extractor`. Workers start on first use and end with :meth:`close` (or with this process:
    a worker whose input closes ends)."""

    def __init__(
        self,
        processes: int,
        *,
        timeout: float = 60.0,
        address_mb: int = WORKER_ADDRESS_MB,
        recycle_mb: int = RECYCLE_MB,
    ) -> None:
        if processes < 1:
            raise ValueError("an extraction pool needs at least one process")
        self.processes, self.timeout = processes, timeout
        self.limits = (address_mb, recycle_mb)  # a worker's address space, and its size to be replaced at
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(processes):
            self._idle.put(None)  # a free place, its worker started when first needed
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._closed = False
        self.replaced = 0  # workers ended by a page (crash, time limit) or grown too large
        self._ended_cpu = 0.0  # CPU seconds of the workers that ended, as each last reported it
        # before multiprocessing's own exit handler, which waits for every worker: they end on closed input
        atexit.register(self.close)

    def pids(self) -> list[int]:
        """The process ids of the workers running now."""
        with self._lock:
            return [worker.process.pid for worker in self._workers if worker.process.pid is not None]

    def cpu_seconds(self, running: Callable[[int], float]) -> float:
        """CPU seconds spent so far by every worker this pool started: ``running(pid)`` of each one
        running (a benchmark reads the system's count), and what each one that ended reported with its
        last answer (a worker killed on a page leaves that page out). Counting the running workers
        alone, a measurement lost the CPU of each worker replaced meanwhile, all of its pages."""
        with self._lock:  # a worker ending moves from one count to the other under this lock
            return self._ended_cpu + sum(
                running(worker.process.pid) for worker in self._workers if worker.process.pid is not None
            )

    def __call__(
        self, document: Document, max_bytes: int, read: extraction.Readable | None = None
    ) -> Outcome:
        if self._closed:
            return extract_outcome(document, max_bytes, read)
        worker = self._idle.get()
        try:
            worker = self._ready(worker)
        except OSError as exc:  # no worker could be started (out of processes or memory): extracted here
            self._idle.put(None)
            log.error(
                "extract: no worker process (%s); %s is extracted in this process", exc, document.location
            )
            return extract_outcome(document, max_bytes, read)
        after: _Worker | None = worker  # what takes the place back: the worker, or None once it ended
        try:
            outcome, after = self._run(worker, document, _job(document, max_bytes, read))
        finally:
            self._idle.put(after)
        return outcome

    def _ready(self, worker: _Worker | None) -> _Worker:
        """``worker`` if it still runs, else a new one (its place was free, or it ended while idle)."""
        if worker is not None and worker.running():
            return worker
        if worker is not None:
            self._end(worker)
        return self._start()

    def _start(self) -> _Worker:
        context = _fork_server()
        theirs_read, ours_write = context.Pipe(duplex=False)
        _widen(ours_write)
        ours_read, theirs_write = context.Pipe(duplex=False)
        level = logging.getLogger().getEffectiveLevel()  # what the worker logs: records this process writes
        process = context.Process(
            target=work,
            args=(theirs_read, theirs_write, *self.limits, level),
            name="akhbar-extract",
            daemon=True,
        )
        try:
            process.start()
        except (OSError, EOFError, ValueError) as exc:  # no process, or no fork server to ask for one
            for end in (ours_read, ours_write):
                end.close()
            raise OSError(f"an extraction worker could not be started: {exc}") from exc
        finally:
            theirs_read.close()
            theirs_write.close()
        worker = _Worker(process, ours_write, ours_read)
        problem = f"an extraction worker did not start within {START_SECONDS:g} s"
        try:  # a worker's start-up (the fork server's warming, the first time) is not counted in its page
            ready = worker.from_worker.poll(START_SECONDS) and worker.from_worker.recv_bytes() == READY
        except (EOFError, OSError):  # it ended first: its error is on stderr
            ready, problem = False, "an extraction worker ended as it started (its error is logged above)"
        if not ready:
            worker.stop(kill=True)
            raise OSError(problem)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _run(self, worker: _Worker, document: Document, job: bytes) -> tuple[Outcome, _Worker | None]:
        """The worker's outcome for the job; a worker that failed on it is ended (None in its place)."""
        try:
            worker.to_worker.send_bytes(job)
            if worker.from_worker.poll(self.timeout):
                outcome, going_on, records, worker.cpu = pickle.loads(worker.from_worker.recv_bytes())
                _emit(records)
                if going_on:
                    return outcome, worker
                self._end(worker)
                return outcome, None
            reason = f"extraction took longer than {self.timeout:g} s: stopped"
            self._end(worker, kill=True)
        except Exception:  # it died (EOFError, OSError) or its answer was cut short: ended either way
            code = self._end(worker, kill=True)
            reason = f"extraction crashed (worker process ended with status {code})"
        log.warning("extract: %s: %s", document.location, reason)
        return Rejected(document.location, reason), None

    def _end(self, worker: _Worker, *, kill: bool = False) -> int | None:
        with self._lock:
            if worker in self._workers:
                self._ended_cpu += worker.cpu
            self._workers.discard(worker)
            self.replaced += 0 if self._closed else 1
        return worker.stop(kill=kill)

    def close(self) -> None:
        """End every worker; calls made afterwards extract in the calling thread."""
        self._closed = True
        atexit.unregister(self.close)
        with self._lock:
            workers, self._workers = list(self._workers), set()
            self._ended_cpu += sum(worker.cpu for worker in workers)
        for worker in workers:
            worker.stop()


def make_extractor(processes: int, timeout: float) -> tuple[Extractor, Callable[[], None]]:
    """The extractor the settings ask for (``extract_processes``, ``extract_timeout``) and how to close it."""
    if processes == 0:
        return in_thread, lambda: None
    pool = ExtractionPool(processes, timeout=timeout)
    return pool, pool.close


def _own_mb() -> float:
    """This process's own memory: its private pages (what its pages added, and the fork server's
    pages it wrote to), not those it still shares; its resident size where the kernel has no
    smaps_rollup."""
    totals = smaps_rollup()
    if "Private_Clean" in totals and "Private_Dirty" in totals:
        return (totals["Private_Clean"] + totals["Private_Dirty"]) / 1024
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, IndexError, ValueError):
        return 0.0


class _Kept(logging.handlers.QueueHandler):
    """A worker's log records, kept to go back with the page's answer (their message formatted,
    the traceback as text: what pickles), for the ingesting process's own handlers to write, in
    its format (text or JSON lines) and at its levels."""

    def __init__(self) -> None:
        self.records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        super().__init__(self.records)

    def taken(self) -> list[logging.LogRecord]:
        found = []
        while not self.records.empty():
            found.append(self.records.get())
        return found


def _emit(records: list[logging.LogRecord]) -> None:
    """Hand a worker's records to this process's loggers, as if logged here."""
    for record in records:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)


def serve(
    jobs: Connection, answers: Connection, recycle_mb: int = RECYCLE_MB, level: int = logging.WARNING
) -> None:
    """A worker's loop: extract each job it is sent and answer with the outcome and the records
    logged meanwhile, until its input ends."""
    kept = _Kept()
    root = logging.getLogger()
    root.handlers, root.level = [kept], level  # the ingesting process's: it filters them again
    answers.send_bytes(READY)
    done = 0
    while True:
        try:
            document, max_bytes, read = pickle.loads(jobs.recv_bytes())
        except EOFError:
            return
        outcome = extract_outcome(document, max_bytes, read)
        done += 1  # its memory is looked at after its first page, then every MEASURE_EVERY pages
        going_on = (done - 1) % MEASURE_EVERY != 0 or _own_mb() < recycle_mb
        answer = (outcome, going_on, kept.taken(), time.process_time())
        answers.send_bytes(pickle.dumps(answer, pickle.HIGHEST_PROTOCOL))
        if not going_on:
            return


def work(jobs: Connection, answers: Connection, address_mb: int, recycle_mb: int, level: int) -> None:
    """A worker process: capped, deaf to the process group's signals, serving until its input ends."""
    limit = address_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Ctrl-C or a service manager's stop reaches the whole process group: the ingesting process
    # decides when its workers end (it closes their input), so a page in work is not cut short and
    # recorded as a crash
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the answers
    serve(jobs, answers, recycle_mb, level)
