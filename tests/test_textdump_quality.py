"""Quality floors of the text-dump extractor on real labelled pages (shared/data) and the specimen.

A score below its floor in ``akhbar/bench/quality/floors.json`` fails: lower a floor only on purpose,
in the same commit as the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from akhbar.bench.quality import floors
from akhbar.bench.quality.textdump import evaluate
from conftest import needs_shared

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FLOORS = floors("textdump")

SETS = ("pages-fundus", "pages-trafilatura", "parallel-news")

pytestmark = needs_shared(*(DATA / name for name in SETS), DATA.parent / "seed")


@pytest.fixture(scope="module")
def scores() -> dict[str, float]:
    return evaluate(DATA)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_score_not_below_floor(scores: dict[str, float], name: str) -> None:
    assert scores[name] >= FLOORS[name], f"{name} = {scores[name]:.3f}, floor {FLOORS[name]}"


@pytest.mark.slow
def test_every_score_has_a_floor(scores: dict[str, float]) -> None:
    assert set(scores) == set(FLOORS)


def test_floors_are_scores_between_0_and_1() -> None:
    assert FLOORS
    assert all(0.0 <= value <= 1.0 for value in FLOORS.values())
