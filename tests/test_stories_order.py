"""Stories that do not depend on the order articles arrive in: a version finds its siblings inside a
broad story (compared through the members nearest it), the index finds a story across a hyperplane
that falls between a translation and its original (probed buckets), and a version placed before
its siblings moves to their story when they come (members re-checked)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from akhbar.bench.quality.cables import cables
from akhbar.bench.quality.stories import Item
from akhbar.models import Article
from akhbar.services import articles, stories, story_moves
from akhbar.store import Store, story_members
from akhbar.store import stories as records
from akhbar.stories import grouping, index, similarity
from akhbar.stories.embedding import from_bytes, normalise_rows
from akhbar.stories.online import MemoryGrouper
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
    """Pairs at a translation's angle whose own buckets meet in no table: many are found through
    the probed buckets (the flip of a sign near zero), and no own bucket is lost."""
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
    assert missed >= 5, "the seed must give pairs whose own buckets miss, or this proves nothing"
    assert rescued >= missed / 3


def test_only_tables_with_a_sign_near_zero_are_probed() -> None:
    vector = normalise_rows(np.random.default_rng(5).standard_normal((1, 64)).astype(np.float32))[0]
    projections = (index.planes(64) @ vector).reshape(index.TABLES, index.BITS)
    probes = index.probe_values(vector)
    assert [values[0] for values in probes] == index.band_values(vector)
    for values, row in zip(probes, projections, strict=True):
        bit = int(np.argmin(np.abs(row)))
        expected = [values[0] ^ (1 << bit)] if abs(row[bit]) < index.PROBE_MARGIN else []
        assert values[1:] == expected
    assert 0 < sum(len(values) > 1 for values in probes) < index.TABLES
    assert index.probe_values(vector, margin=0.0) == [[value] for value in index.band_values(vector)]


@pytest.mark.slow  # the real model, as the other tests placing real articles
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


def test_a_member_placed_before_the_story_it_belongs_to_moves_there() -> None:
    """b, then m (joins b's story: nothing nearer yet), then a, then an article that joins a's story
    and also fits b's: m reads closer to a's story than to b alone, so it moves; b stays."""
    b, m, a, bridge = unit(1, 0, 0), unit(0.75, 0.66, 0), unit(0.2, 1, 0.1), unit(0.45, 1, 0)
    grouper = MemoryGrouper(use_index=False)
    assert [grouper.add(grouping.Features(v, frozenset(), T0)) for v in (b, m, a)] == [1, 1, 2]
    assert grouper.story_of(1) == 1, "m must first join b's story, or this proves nothing"
    assert grouper.add(grouping.Features(bridge, frozenset(), T0)) == 2
    assert [grouper.story_of(n) for n in range(4)] == [1, 2, 2, 2]
    assert grouper.stories[1].count == 1 and grouper.stories[2].count == 3
    assert np.allclose(grouper.stories[1].centroid, b) and np.allclose(
        grouper.stories[2].centroid, m + a + bridge
    )


def test_members_all_closer_elsewhere_stay_without_a_merge() -> None:
    """When every member would leave, the stories did not prove to be one: nobody moves."""
    members = [
        grouping.Features(unit(1, 0.1), frozenset(), T0),
        grouping.Features(unit(1, -0.1), frozenset(), T0),
    ]
    joined = grouping.story_of(2, [grouping.Features(unit(1, 0), frozenset(), T0)] * 3)
    assert grouping.leaving(joined, members) == []
    far = grouping.Features(unit(0, 1), frozenset(), T0)
    assert grouping.leaving(joined, [members[0], far]) == [0]


@pytest.mark.slow  # the real model, as the other tests placing real articles
def test_a_translation_placed_before_its_siblings_moves_to_their_story(store: Store) -> None:
    """Real articles: the Arabic version of one CNBC article arrives before its siblings and joins
    a BBC story (its language is new there); the French and English versions start their own story,
    and the Arabic version moves to it. The BBC story keeps its own articles and counts."""
    bbc = [store_article(store, version("bbc.381736", language)) for language in ("en", "fr")]
    arabic = store_article(store, version("cnbc.com.6790", "ar", site_name="الجزيرة"))
    story_of = {i: articles.get_article(store, i).article.story_id for i in (*bbc, arabic)}  # type: ignore[union-attr]  # stored above
    assert story_of[arabic] == story_of[bbc[0]], "the Arabic version must first join the BBC story"
    siblings = [store_article(store, version("cnbc.com.6790", language)) for language in ("fr", "en")]
    now = {i: articles.get_article(store, i).article.story_id for i in (*bbc, arabic, *siblings)}  # type: ignore[union-attr]  # stored above
    assert now[arabic] == now[siblings[0]] == now[siblings[1]] != now[bbc[0]] == now[bbc[1]]
    cnbc_story, timeline = stories.show_story(store, now[arabic])  # type: ignore[arg-type,misc]  # placed above
    bbc_story, bbc_timeline = stories.show_story(store, now[bbc[0]])  # type: ignore[arg-type,misc]  # placed above
    assert sorted(row["id"] for row in timeline) == sorted([arabic, *siblings])
    assert (cnbc_story.article_count, sorted(cnbc_story.titles)) == (3, ["ar", "en", "fr"])
    assert "الجزيرة" in cnbc_story.sources and "الجزيرة" not in bbc_story.sources
    assert (bbc_story.article_count, sorted(bbc_story.titles)) == (2, ["en", "fr"])
    assert [row["id"] for row in bbc_timeline] == bbc and bbc_story.first_article_id == bbc[0]
    with store.reading() as connection:
        centroid = records.get_story(connection, now[bbc[0]]).centroid  # type: ignore[union-attr]  # stored above
        kept = records.member_embeddings(connection, [now[bbc[0]]], 10)[now[bbc[0]]]
    assert np.allclose(from_bytes(centroid), np.sum([from_bytes(e) for e in kept], axis=0), atol=1e-5)


@pytest.mark.slow  # the real model, as the other tests placing real articles
def test_a_member_never_moves_to_a_story_holding_its_template_with_other_names(sqlite_store: Store) -> None:
    """Two cables of one template (other countries: other events) and a member that reads closer
    to the other cable's story than to its own: re-checking leaves it where it is, as a new article
    never joins a story holding its template filled with other names."""
    first, second = cables()[:2]
    assert first.truth == second.truth, "two cables of one template"

    def cable(item: Item, n: int) -> Article:
        return Article(
            item.title, item.paragraphs, item.language, site_name=f"agency{n}", url=f"https://a{n}.example/c"
        )

    held = store_article(sqlite_store, cable(first, 1))
    member = store_article(sqlite_store, cable(second, 2))
    neighbours = [store_article(sqlite_store, version("rt.com.91337", language)) for language in ("en", "fr")]
    story_of = {i: _story(sqlite_store, i) for i in (held, member, *neighbours)}
    assert story_of[held] != story_of[member], "a template's cables are other events"
    own, theirs = story_of[neighbours[0]], story_of[held]
    anything = grouping.Settings(
        weights=replace(similarity.fitted(), join=-10.0)
    )  # any closer story takes it
    with sqlite_store.transaction() as connection:
        story_members.move(connection, [member], own)  # as if placed with the neighbours
        target = records.get_story(connection, theirs)
        assert target is not None
        rows = story_members.members(connection, own)
        mine = [story_moves.member_features(row) for row in story_members.members(connection, theirs)]
        joined = grouping.story_of(theirs, mine)
        other = grouping.story_of(own, [story_moves.member_features(row) for row in rows])
        assert [row.article_id for row in story_moves.leavers(joined, rows, anything)] == [member]
        moved = story_moves.rehome(connection, target, joined, [other], anything, lambda _row: "x")
    assert moved == [] and _story(sqlite_store, member) == own


def _story(store: Store, article_id: int) -> int:
    found = articles.get_article(store, article_id)
    assert found is not None and found.article.story_id is not None
    return found.article.story_id
