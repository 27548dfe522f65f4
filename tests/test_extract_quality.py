"""The extraction quality gate: no score below its recorded floor, and never below bare trafilatura."""

from __future__ import annotations

from pathlib import Path

import pytest

from akhbar.bench.quality.extraction import (
    evaluate_extraction,
    extraction_floors,
    format_report,
    unstated_dates,
)
from akhbar.bench.quality.world import evaluate_world
from conftest import needs_shared

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FLOORS = extraction_floors()
# Precision and recall may trade against each other; F1 and accuracy must hold against the baseline.
TRADED = {
    "precision",
    "recall",
    "body_precision",
    "body_recall",
    "rouge_lsum_precision",
    "rouge_lsum_recall",
}
WORLD = "pages-fundus-world"

pytestmark = [pytest.mark.slow, needs_shared(DATA)]

Results = dict[str, dict[str, dict[str, float]]]


@pytest.fixture(scope="module")
def results() -> Results:
    # pages-fundus-world with akhbar and bare trafilatura only: `akhbar eval extract` adds the others.
    return evaluate_extraction(DATA, world=evaluate_world(DATA, ("akhbar", "trafilatura")))


def test_every_score_has_a_floor(results: Results) -> None:
    scored = {(set_name, score) for set_name, scores in results["akhbar"].items() for score in scores}
    floored = {(set_name, score) for set_name, scores in FLOORS.items() for score in scores}
    assert scored == floored


@pytest.mark.parametrize(
    ("set_name", "score"),
    [(s, score) for s, scores in FLOORS.items() for score in scores],
    ids="{0[0]}:{0[1]}".format,
)
def test_score_is_not_below_its_floor(results: Results, set_name: str, score: str) -> None:
    value = results["akhbar"][set_name][score]
    assert value >= FLOORS[set_name][score], (
        f"{set_name} {score} fell to {value:.3f}\n{format_report(results, FLOORS)}"
    )


@pytest.mark.parametrize("set_name", sorted(FLOORS))
def test_akhbar_is_at_least_bare_trafilatura(results: Results, set_name: str) -> None:
    ours, theirs = results["akhbar"][set_name], results["trafilatura"][set_name]
    behind = {
        score: (ours[score], theirs[score])
        for score in ours
        if score not in TRADED and ours[score] < theirs[score]
    }
    assert not behind, f"below bare trafilatura on {set_name}: {behind}"


def test_akhbar_beats_bare_trafilatura_on_french_and_arabic_text(results: Results) -> None:
    assert results["akhbar"]["pages-trafilatura"]["f1"] > results["trafilatura"]["pages-trafilatura"]["f1"]
    assert results["akhbar"]["pages-fundus"]["body_f1"] > results["trafilatura"]["pages-fundus"]["body_f1"]


def test_targets_of_the_issue(results: Results) -> None:
    ours = results["akhbar"]
    for set_name in ("pages-trafilatura", "pages-fundus"):
        assert ours[set_name]["title_rate"] >= 0.9, set_name
        assert ours[set_name]["date_stated_rate"] >= 0.95, set_name
    assert ours["specimen"]["title_rate"] == 1.0 and ours["specimen"]["date_rate"] == 1.0


def test_targets_of_the_issue_on_pages_in_25_languages(results: Results) -> None:
    ours, theirs = results["akhbar"][WORLD], results["trafilatura"][WORLD]
    assert ours["body_f1"] >= 0.95 and ours["body_f1"] > theirs["body_f1"]
    assert ours["rouge_lsum_f1"] > theirs["rouge_lsum_f1"]
    assert ours["date_rate"] >= 0.97
    assert ours["title_rate"] >= 0.85
    assert ours["article_rate"] == 1.0  # no real article wrongly rejected


def test_akhbar_dates_more_french_pages_right_than_bare_trafilatura(results: Results) -> None:
    ours, theirs = results["akhbar"]["pages-trafilatura"], results["trafilatura"]["pages-trafilatura"]
    assert ours["date_stated_rate"] > theirs["date_stated_rate"]
    assert ours["date_rate"] > theirs["date_rate"]
    # Pages the set leaves undated, against akhbar's own labels (every such page): assabah.com.tn (Arabic)
    # shows its date field, which bare trafilatura passes over for the header's date widget.
    assert ours["added_date_rate"] > theirs["added_date_rate"]
    # The specimen (a Moroccan site's page, Arabic chrome): bare trafilatura finds no date in it.
    assert results["akhbar"]["specimen"]["date_rate"] > results["trafilatura"]["specimen"]["date_rate"]


def test_only_labels_missing_from_their_page_are_unstated() -> None:
    # aoc.media's label (2019-12-10) is nowhere on a page that says 2019-12-09 in every form.
    unstated = unstated_dates(DATA)
    assert [url.split("/")[2] for url in unstated] == ["aoc.media"]


def test_report_shows_both_systems_side_by_side(results: Results) -> None:
    report = format_report(results, FLOORS)
    assert "akhbar" in report.splitlines()[0] and "trafilatura" in report.splitlines()[0]
    assert all(set_name in report for set_name in FLOORS)
