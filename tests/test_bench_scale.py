"""``akhbar bench search --keep/--reuse`` and ``akhbar bench fleet``'s own checks: a corpus kept is
timed again without rebuilding; politeness is judged from a server log; a small fleet runs for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from akhbar.bench.fleet import FleetBench, FleetRun
from akhbar.bench.fleetchecks import politeness
from akhbar.bench.fleetsite import Request
from cli_runner import run
from conftest import DATA, _postgres_url, needs_shared

PARALLEL = DATA / "parallel-news"


@needs_shared(PARALLEL)
def test_a_kept_corpus_is_reused_and_a_full_database_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.db"
    args = ("bench", "search", "--articles", "300", "--queries", "10", "--data", str(DATA))
    built = run(*args, "--sqlite-file", str(corpus), "--keep", data_dir=tmp_path)
    assert built.code == 0, built.err
    assert "sqlite, 300 articles: loaded in" in built.out and "reused" not in built.out
    again = run(
        *args, "--sqlite-file", str(corpus), "--reuse", "--json", str(tmp_path / "r.json"), data_dir=tmp_path
    )
    assert again.code == 0, again.err
    assert "corpus reused; built" in again.out
    assert "loading" not in again.err  # no article written again
    refused = run(*args, "--sqlite-file", str(corpus), data_dir=tmp_path)  # no --reuse: not empty
    assert refused.code == 2
    assert "holds a kept corpus of 300 articles" in refused.err
    other_size = run(*args[:3], "400", *args[4:], "--sqlite-file", str(corpus), "--reuse", data_dir=tmp_path)
    assert other_size.code == 2 and "not an empty database" in other_size.err


def test_bench_search_on_postgresql_needs_its_database(tmp_path: Path) -> None:
    refused = run("bench", "search", "--backend", "postgresql", "--articles", "100", data_dir=tmp_path)
    assert refused.code == 2
    assert "--database-url" in refused.err


def _request(host: str, path: str, started: float, ended: float) -> Request:
    return Request(host, path, started, ended, 200)


def test_politeness_is_judged_from_the_server_log() -> None:
    polite = [
        _request("a:1", "/robots.txt", 0.0, 0.3),
        _request("a:1", "/s/1/feed.xml", 1.0, 3.5),  # slow: still in flight when the next two start
        _request("a:1", "/s/1/p/0", 2.0, 2.4),
        _request("b:1", "/s/2/feed.xml", 2.1, 2.2),  # another host: no gap to keep with a:1
        _request("a:1", "/s/1/p/1", 3.0, 3.2),
    ]
    violations, most, gap, examples = politeness(polite, 1.0, 2)
    assert (violations, most, examples) == (0, 2, []) and gap == pytest.approx(1.0)
    too_close = [*polite, _request("b:1", "/s/2/p/0", 2.6, 2.7)]
    violations, _, gap, examples = politeness(too_close, 1.0, 2)
    assert violations == 1 and gap == pytest.approx(0.5)
    assert examples == ["b:1: /s/2/p/0 started 0.500 s after /s/2/feed.xml (delay 1 s)"]
    crowded = [*polite, _request("a:1", "/s/1/p/2", 3.1, 3.3)]  # 3 in flight at 3.1 (and 0.1 s apart)
    violations, most, _, examples = politeness(crowded, 1.0, 2)
    assert most == 3 and violations == 2
    assert "a:1: 3 requests in flight (limit 2)" in examples
    assert politeness(too_close, 1.0, 2, tolerance=0.6)[0] == 0  # within a lagging clock's error


def _run(workers: int, stories: bool, pages: float, memory: tuple[float, ...], lost: int = 0) -> FleetRun:
    return FleetRun(
        workers, stories, 60, pages, pages * 2, memory, 10, 0, lost, 0, 0, 2, 1.0, (), 0.01, 0.5, 0
    )


def test_fleet_targets_compare_runs_of_one_bench() -> None:
    runs = (
        _run(1, False, 2.0, (120,)),
        _run(4, False, 6.2, (120,) * 4),
        _run(1, True, 1.0, (520,)),
        _run(2, True, 1.4, (520, 510)),
    )
    targets = {t.name: t for t in FleetBench(100, 8, 1.0, 2, 4, runs).targets()}
    assert targets["4 workers / 1 worker, pages/s"].value == pytest.approx(3.1)
    assert targets["4 workers / 1 worker, pages/s"].met
    assert not targets["2 workers / 1 worker, pages/s, stories on"].met  # 1.4x
    assert targets["memory per extra worker, stories on"].value == 510
    assert not targets["memory per extra worker, stories on"].met
    assert targets["politeness violations"].met and targets["duplicate articles"].met
    assert targets["lost pages"].met
    lossy = {
        t.name: t
        for t in FleetBench(100, 8, 1.0, 2, 4, (*runs, _run(2, False, 4.0, (120,) * 2, lost=3))).targets()
    }
    assert lossy["lost pages"].value == 3 and not lossy["lost pages"].met


@pytest.mark.postgres
@pytest.mark.slow
def test_a_small_fleet_polls_politely_and_stores_each_page_once(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = _postgres_url(request)
    ran = run(
        "bench", "fleet", "--database-url", url, "--sources", "60", "--seconds", "12", "--warmup", "3",
        "--workers", "1", "--workers", "2", "--stories-workers", "0", "--extract-processes", "1",
        "--json", str(tmp_path / "f.json"), data_dir=tmp_path,
    )  # fmt: skip
    assert "1 worker(s), stories off" in ran.out and "2 worker(s), stories off" in ran.out, ran.err
    import json

    figures = json.loads((tmp_path / "f.json").read_text())["figures"]
    assert figures["extract_processes"] == 1  # each worker extracted in a process of its own
    for fleet_run in figures["runs"]:
        assert fleet_run["requests_per_second"] > 0
        assert fleet_run["articles"] > 0
        assert fleet_run["duplicate_articles"] == 0
        assert fleet_run["lost_pages"] == 0
        assert fleet_run["max_in_flight"] <= 2
        assert all(mb > 20 for mb in fleet_run["worker_peak_mb"])
    assert "target duplicate articles" in ran.out and "target lost pages" in ran.out
