"""Story grouping and duplicate quality must not fall below the recorded floors (stories_floors.json)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from akhbar.bench.quality import copies, stories_duplicates, stories_eval, stories_ingest
from akhbar.bench.quality.copies import syndicated
from akhbar.bench.quality.stories import bcubed, load_parallel
from akhbar.dedupe.signatures import read
from akhbar.services.stories import Grouping
from conftest import DATA, needs_shared

pytestmark = needs_shared(DATA / "parallel-news")
SMALL = 24  # articles (72 versions): the through-ingest evaluation at a scale make test affords
SMALL_FLOORS = {"f1_min": 0.94, "ar_in_group_min": 0.99}  # measured 0.945 and 1.0 (0.958 before versions)


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


def test_the_duplicates_set_has_every_kind_and_originals_come_first() -> None:
    entries = stories_duplicates.build(DATA, pages=[])
    kinds = Counter(e.kind for e in entries)
    assert all(kinds[k] >= 10 for k in ("syndicated", "spelling", "rewrite", "contained", "template"))
    assert kinds["contains"] >= 5 and kinds["amp"] == 0, "AMP copies are made of real pages only"
    position = {e.key: n for n, e in enumerate(entries)}
    assert all(position[s] < n for n, e in enumerate(entries) for s in e.sources)
    assert len(position) == len(entries), "keys are unique"


def test_a_spelling_copy_differs_in_letters_and_folds_back() -> None:
    item = next(i for i in load_parallel(DATA) if i.language == "ar")
    spelled, habits = copies.respelled(item, random.Random(3))
    assert habits and spelled.paragraphs != item.paragraphs
    same = read(spelled.paragraphs).shingles & read(item.paragraphs).shingles
    assert len(same) >= 0.9 * len(read(item.paragraphs).shingles)


def test_a_version_is_in_its_group_story_when_its_story_holds_most_of_the_group() -> None:
    items = load_parallel(DATA)[:6]
    groups = ["g1", "g1", "g1", "g2", "g2", "g2"]
    languages = [i.language for i in items]
    assert sorted(languages[:3]) == sorted(languages[3:]) == ["ar", "en", "fr"]
    together = stories_ingest.group_story_shares([1, 1, 1, 2, 2, 2], items, groups)
    assert together == {"ar": 1.0, "fr": 1.0, "en": 1.0}
    alone = [1 if languages[n] != "ar" else 9 for n in range(3)] + [2, 2, 2]
    shares = stories_ingest.group_story_shares(alone, items, groups)  # group 1 keeps ar apart
    assert shares == {"ar": 0.5, "fr": 1.0, "en": 1.0}
    split = [n + 10 for n in range(6)]  # every version alone: only the English original is "in"
    assert stories_ingest.group_story_shares(split, items, groups) == {"ar": 0.0, "fr": 0.0, "en": 1.0}


def test_parallel_news_ingested_as_text_dumps_groups_its_versions_in_any_order() -> None:
    results = stories_ingest.through_ingest(DATA, Grouping().embedder, seeds=(1, 2), first=SMALL)
    assert [r.seed for r in results] == [1, 2]
    summary = stories_ingest.summary(results)
    assert summary["f1_min"] >= SMALL_FLOORS["f1_min"], results
    assert summary["ar_in_group_min"] >= SMALL_FLOORS["ar_in_group_min"], results
