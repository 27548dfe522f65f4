"""Versions of one article in several languages end in one story, whichever arrives first: a
translation is told by its shape (as many paragraphs, their lengths rising and falling together,
the same numbers), so a version placed before its siblings follows them, and a version arriving
after them joins the story holding them even when that story reads far from it."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from akhbar.services import articles, stories
from akhbar.store import Store
from akhbar.store import stories as records
from akhbar.stories import grouping, versions
from akhbar.stories.embedding import from_bytes, to_bytes
from akhbar.stories.online import MemoryGrouper
from stories_helpers import store_article, version

T0 = datetime(2018, 9, 30, 12, tzinfo=UTC)


def shape(group: str, language: str) -> versions.Shape:
    found = version(group, language)
    return versions.shape_of(language, found.body_paragraphs)


@pytest.mark.parametrize("group", ["cnn.304489", "bbc.381705", "dailymail.co.uk.298696", "reuters.218932"])
def test_a_translation_has_its_article_s_shape(group: str) -> None:
    """Real parallel-news versions: every pair of languages is one article."""
    assert versions.same_article(shape(group, "ar"), shape(group, "en"))
    assert versions.same_article(shape(group, "fr"), shape(group, "ar"))
    assert versions.same_article(shape(group, "en"), shape(group, "fr"))


def test_two_articles_of_one_story_are_not_one_article() -> None:
    """Other articles about the same event, in other languages: as many paragraphs and lengths that
    correlate (0.87) are not enough when their numbers differ; other paragraph counts never are."""
    cnn, telegraph = shape("cnn.304521", "ar"), shape("telegraph.405413", "fr")
    assert (
        len(cnn.lengths) == len(telegraph.lengths) and np.corrcoef(cnn.lengths, telegraph.lengths)[0, 1] > 0.8
    )
    assert not versions.same_article(cnn, telegraph)
    assert not versions.same_article(shape("reuters.218863", "ar"), shape("reuters.218865", "en"))
    assert not versions.same_article(shape("bbc.381705", "en"), shape("bbc.381705", "en")), "one language"


def test_a_shape_needs_paragraphs_that_rise_and_fall() -> None:
    short = versions.Shape("ar", (120, 80))
    assert not versions.same_article(short, versions.Shape("en", (130, 90)))
    flat = versions.Shape("ar", (100, 100, 100))
    assert not versions.same_article(flat, versions.Shape("en", (100, 100, 100)))
    shaped = versions.Shape("ar", (100, 300, 50), "سقط ٢٠١٨ قتيلا")
    assert versions.same_article(shaped, versions.Shape("en", (120, 340, 70), "2018 were killed"))
    assert not versions.same_article(shaped, versions.Shape("en", (120, 340, 70), "1760 were killed"))


def test_a_home_story_is_joined_whatever_its_score() -> None:
    near = grouping.Candidate(1, np.array([1, 0], dtype=np.float32), 1, T0, T0)
    far = grouping.Candidate(2, np.array([0, 1], dtype=np.float32), 1, T0, T0)
    article = grouping.Features(np.array([1, 0], dtype=np.float32), frozenset(), T0)
    assert grouping.best(article, [near, far])[0] is near
    chosen, _, also = grouping.best(article, [near, far], home=2)
    assert chosen is far and also == [near]


def _story(store: Store, article_id: int) -> int:
    found = articles.get_article(store, article_id)
    assert found is not None and found.article.story_id is not None
    return found.article.story_id


@pytest.mark.slow  # the real model, as the other tests placing real articles
def test_a_lone_version_follows_a_later_translation_to_the_story_it_joins(store: Store) -> None:
    """A poor Arabic translation arrives first and starts a story; the French version does not read
    close enough to join it (0.71) and starts its own; the English version joins the French one and
    also fits the Arabic one alone, which is its translation: the Arabic version moves there."""
    arabic = store_article(store, version("cnn.304489", "ar"))
    french = store_article(store, version("cnn.304489", "fr"))
    assert _story(store, arabic) != _story(store, french), "the French must start its own story"
    english = store_article(store, version("cnn.304489", "en"))
    assert _story(store, arabic) == _story(store, french) == _story(store, english)
    story, timeline = stories.show_story(store, _story(store, english))  # type: ignore[misc]  # placed above
    assert sorted(row["id"] for row in timeline) == [arabic, french, english]
    assert (story.article_count, sorted(story.titles)) == (3, ["ar", "en", "fr"])


@pytest.mark.slow  # the real model, as the other tests placing real articles
def test_a_late_translation_joins_the_broad_story_holding_its_siblings(store: Store) -> None:
    """The English and French versions of a CNN article are in a story with another article's three
    versions (its Arabic one too): a poor Arabic translation of the CNN article, arriving last, reads
    far from that story (its language is there already) but is the translation of two of its
    members, which read closer to their story than to it: it joins them."""
    others = [store_article(store, version("newsweek.51328", language)) for language in ("en", "fr", "ar")]
    siblings = [store_article(store, version("cnn.304489", language)) for language in ("en", "fr")]
    broad, theirs = _story(store, others[0]), _story(store, siblings[0])
    assert theirs != broad and _story(store, siblings[1]) == theirs
    with store.transaction() as connection:  # as a stream of other articles on the topic merges them
        story, other = records.get_story(connection, broad), records.get_story(connection, theirs)
        assert story is not None and other is not None
        story.centroid = to_bytes(from_bytes(story.centroid) + from_bytes(other.centroid))
        story.article_count += other.article_count
        story.titles = {**other.titles, **story.titles}
        records.merge_into(connection, story, theirs)
    arabic = store_article(store, version("cnn.304489", "ar"))
    assert _story(store, arabic) == broad
    assert {_story(store, i) for i in (*others, *siblings)} == {broad}


def test_the_memory_grouper_folds_a_lone_version_into_its_translation_s_story() -> None:
    """As the service: a version alone in its story (nothing else to compare it with, so re-checking
    by score never moves it) follows a later translation, which joins another story and also fits
    it; without the translation's shape it stays."""
    lone, other, translation = unit(1, 0), unit(0, 1), unit(0.65, 0.76)
    shaped = versions.Shape("ar", (100, 300, 50))
    translated = versions.Shape("fr", (120, 340, 70))
    for known, expected in ((translated, [2, 2, 2]), (None, [1, 2, 2])):
        grouper = MemoryGrouper(use_index=False)
        grouper.add(grouping.Features(lone, frozenset(), T0, "ar", shape=shaped))
        grouper.add(grouping.Features(other, frozenset(), T0, "en"))
        assert grouper.story_of(1) == 2, "the other article must start its own story"
        grouper.add(grouping.Features(translation, frozenset(), T0, "fr", shape=known))
        assert [grouper.resolve(grouper.story_of(n)) for n in range(3)] == expected
        assert (1 in grouper.stories) == (known is None), "a story left with no member is folded"


def unit(*values: float) -> np.ndarray:
    vector = np.zeros(8, dtype=np.float32)
    vector[: len(values)] = values
    return (vector / np.linalg.norm(vector)).astype(np.float32)
