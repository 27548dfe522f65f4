"""Stories that do not depend on the order articles arrive in: a version finds its siblings inside a
broad story (compared through the members nearest it), and the index finds a story across a
hyperplane that falls between a translation and its original (probed buckets)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from akhbar.services import articles
from akhbar.store import Store
from akhbar.store import stories as records
from akhbar.stories import grouping, index
from akhbar.stories.embedding import normalise_rows
from stories_helpers import store_article, version

T0 = datetime(2018, 9, 30, 12, tzinfo=UTC)


def unit(*values: float) -> np.ndarray:
    vector = np.zeros(8, dtype=np.float32)
    vector[: len(values)] = values
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def test_a_broad_story_is_compared_through_the_members_nearest_the_article() -> None:
    """Two members about the article's event and three about another event: the centroid reads far
    from the article, its two nearest members read close, and the story takes it."""
    siblings = [unit(1, 0.1), unit(1, -0.1)]
    others = [unit(0, 1, 0.3), unit(0, 1, -0.3), unit(0, 1)]
    members = (*siblings, *others)
    story = grouping.Candidate(1, np.sum(members, axis=0), len(members), T0, T0, members=members)
    article = grouping.Features(unit(1, 0, 0.05), frozenset(), T0)
    settings = grouping.Settings()
    through_centroid = settings.weights.combine(grouping.parts(article, story))
    assert through_centroid < settings.join, "the centroid alone must not take it, or this proves nothing"
    assert grouping.similarity(article, story, settings) >= settings.join
    assert grouping.best(article, [story], settings)[0] is story
    unknown = grouping.Candidate(1, story.centroid, len(members), T0, T0)  # members not loaded
    assert grouping.best(article, [unknown], settings)[0] is None
    pair = grouping.Candidate(2, np.sum(siblings, axis=0), 2, T0, T0, members=tuple(siblings))
    assert grouping.nearest_members(article, pair) is None  # two members: the centroid is their sum


def test_a_story_keeps_its_latest_members_as_it_grows_and_merges() -> None:
    story = grouping.Candidate(1, np.zeros(8, dtype=np.float32), 0, T0, T0)
    vectors = normalise_rows(np.random.default_rng(3).standard_normal((70, 8)).astype(np.float32))
    for vector in vectors[:40]:
        grouping.absorb(story, grouping.Features(vector, frozenset(), T0))
    other = grouping.Candidate(2, np.zeros(8, dtype=np.float32), 0, T0, T0)
    for vector in vectors[40:]:
        grouping.absorb(other, grouping.Features(vector, frozenset(), T0))
    assert np.array_equal(np.stack(story.members), vectors[:40])
    union = grouping.merged(story, other)
    assert np.array_equal(np.stack(union.members), vectors[70 - grouping.MEMBERS_KEPT :])


def test_a_lookup_probes_the_bucket_across_its_least_certain_plane() -> None:
    """Pairs at a translation's angle whose own buckets meet in no table: most are found through
    the probed buckets (the flip of the sign nearest zero, per table), and no own bucket is lost."""
    rng = np.random.default_rng(11)
    missed = rescued = 0
    for _ in range(1000):
        story = normalise_rows(rng.standard_normal((1, 64)).astype(np.float32))[0]
        noise = normalise_rows(rng.standard_normal((1, 64)).astype(np.float32))[0]
        article = normalise_rows((story + noise)[None, :])[0]  # cosine about 0.7
        stored = set(index.store_keys(story, T0))
        own = set(index.keys_for_day(article, index.day_bucket(T0)))
        assert own <= set(index.lookup_keys(article, T0))
        if stored & own:
            continue
        missed += 1
        rescued += bool(stored & set(index.lookup_keys(article, T0)))
        probes = index.probe_values(article)
        assert [values[0] for values in probes] == index.band_values(article)
        assert all(len(values) == 1 + index.PROBES for values in probes)
    assert missed >= 5, "the seed must give pairs whose own buckets miss, or this proves nothing"
    assert rescued >= missed / 2


def test_member_embeddings_are_read_per_story_latest_first(store: Store) -> None:
    """The grouping reads a candidate story's latest members from the store, following merges."""
    ids = [
        store_article(store, version(group, language))
        for group in ("rt.com.91337", "cbsnews.248387")
        for language in ("en", "fr", "ar")
    ]
    stories = {articles.get_article(store, i).article.story_id for i in ids}  # type: ignore[union-attr]  # stored above
    assert None not in stories and len(stories) == 2
    with store.reading() as connection:
        found = records.member_embeddings(connection, sorted(stories), 2)  # type: ignore[arg-type]  # None ruled out
        everything = records.member_embeddings(connection, sorted(stories), 10)  # type: ignore[arg-type]  # as above
    assert sorted(len(v) for v in found.values()) == [2, 2]
    assert sorted(len(v) for v in everything.values()) == [3, 3]
    for story_id, latest in found.items():
        assert latest == everything[story_id][:2]
        assert all(len(member) == len(everything[story_id][0]) for member in latest)
