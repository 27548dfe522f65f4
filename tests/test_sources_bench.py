"""``akhbar bench ingest`` runs end to end on a handful of pages (a smoke test; the figures are the command's)."""

from __future__ import annotations

import pytest

from akhbar.bench.ingest import bench_ingest
from akhbar.services.stories import Grouping
from conftest import DATA


@pytest.mark.slow
def test_bench_ingest_runs_and_stores_every_page() -> None:
    result = bench_ingest(DATA / "pages-fundus", Grouping(), pages=3, sources=1, concurrency=2)
    assert (result.stored, result.errors) == (3, 0)
    assert result.end_to_end.per_second > 0 and result.baseline.per_second > 0 and result.peak_rss_mb > 0
    assert result.extract_only.pages == 3 and result.ingest_only.pages == 3
    assert result.without_grouping.pages == 3 and result.without_grouping.per_second > 0
    assert result.cpu.akhbar_ms > 0 and result.cpu.trafilatura_ms > 0
