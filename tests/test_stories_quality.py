"""Story grouping and duplicate quality must not fall below the recorded floors (stories_floors.json)."""

from __future__ import annotations

import pytest

from akhbar.bench.quality import stories_eval
from akhbar.bench.quality.stories import bcubed, load_parallel
from akhbar.bench.quality.stories_pairs import syndicated
from akhbar.services.stories import Grouping
from conftest import DATA, needs_shared

pytestmark = needs_shared(DATA / "parallel-news")


def test_bcubed_ignores_pairs_inside_a_same_topic_cluster() -> None:
    items = load_parallel(DATA)
    perfect = [hash(i.truth) for i in items]
    assert bcubed(perfect, items) == (1.0, 1.0, 1.0)
    by_topic = [hash(i.topic or i.truth) for i in items]
    assert bcubed(by_topic, items)[0] == 1.0
    assert bcubed(by_topic, items)[1] == 1.0
    assert bcubed([0] * len(items), items)[0] < 0.1


def test_syndicated_copy_keeps_most_of_the_text() -> None:
    item = load_parallel(DATA)[0]
    copy = syndicated(item, 3)
    assert copy.title == item.title
    assert copy.paragraphs[0] == "By Staff Writer 3"
    assert copy.paragraphs != item.paragraphs


@pytest.mark.slow
def test_story_quality_is_not_below_the_floors() -> None:
    report = stories_eval.evaluate(DATA, Grouping().embedder, with_baselines=False)
    assert stories_eval.below_floors(report) == []
    assert set(stories_eval.floors()) == set(report)
