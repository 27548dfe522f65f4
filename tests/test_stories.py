"""Stories: names and numbers across scripts, the grouping rule, the index, the stored service, the CLI."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from akhbar.models import Document
from akhbar.services import articles, stories
from akhbar.services.stories import Grouping
from akhbar.store import Store, documents
from akhbar.store import articles as stored_articles
from akhbar.store import breaking as flags
from akhbar.store import stories as records
from akhbar.stories import entities, features, grouping, index, similarity
from akhbar.stories.embedding import normalise_rows, to_bytes
from stories_helpers import store_article, version
from test_cli import SPECIMEN, akhbar

T0 = datetime(2018, 9, 30, 10, tzinfo=UTC)


def unit(*values: float) -> np.ndarray:  # type: ignore[type-arg]  # test vectors
    vector = np.zeros(512, dtype=np.float32)
    vector[: len(values)] = values
    return normalise_rows(vector[None, :])[0]


def test_names_and_numbers_match_across_scripts() -> None:
    french = entities.keys(["Mark Rutte et l'OTAN envoient 1 760 soldats"])
    arabic = entities.keys(["روته والناتو يرسلان ١٧٦٠ جنديا"])
    english = entities.keys(["NATO chief Rutte sends 1,760 troops"])
    for key in ("~rt", "~nt", "#1760"):
        assert key in french and key in arabic and key in english


def test_entity_keys_take_title_names_and_long_numbers() -> None:
    keys = features.entity_keys(
        "Sulawesi earthquake kills 1,234", ["Rescuers in Palu said on 29 September that 832 died."]
    )
    assert {"#1234", "#832"} <= keys
    assert "#29" not in keys
    assert any(k.startswith("~") for k in keys)


def test_published_time_reads_dates_and_falls_back() -> None:
    assert features.published_time("2024-10-18", T0) == datetime(2024, 10, 18, 12, tzinfo=UTC)
    assert features.published_time("not a date", T0) == T0
    assert features.published_time(None, T0) == T0


def test_join_needs_a_close_story_and_a_long_topic_needs_more() -> None:
    story = grouping.Candidate(1, unit(1, 0.3), 1, T0, T0)
    near = grouping.Features(unit(1, 0.35), frozenset(), T0)
    far = grouping.Features(unit(0, 1), frozenset(), T0)
    assert grouping.best(near, [story])[0] is story
    assert grouping.best(far, [story])[0] is None
    week_long = grouping.Candidate(2, unit(1, 0.3), 40, T0 - timedelta(days=9), T0)
    settings = grouping.Settings()
    assert grouping.score(near, week_long, settings) < grouping.score(near, story, settings)
    borderline = grouping.Features(unit(1, 2.0), frozenset(), T0)  # cosine 0.69
    assert grouping.best(borderline, [story])[0] is story
    assert grouping.best(borderline, [week_long])[0] is None, "a long-running topic must not swallow it"


def test_shared_names_and_numbers_raise_the_score() -> None:
    story = grouping.Candidate(1, unit(1, 1.2), 1, T0, T0, {"#1760": 1, "~rt": 1})
    plain = grouping.Features(unit(1, 0), frozenset(), T0)
    named = replace(plain, entities=frozenset({"#1760", "~rt"}))
    assert grouping.score(named, story) > grouping.score(plain, story)


def test_stories_that_prove_to_be_one_merge() -> None:
    a = grouping.Candidate(1, unit(1, 0.1) * 3, 3, T0, T0)
    b = grouping.Candidate(2, unit(1, 0.12), 1, T0, T0 + timedelta(hours=2))
    assert grouping.should_merge(a, b)
    union = grouping.merged(a, b)
    assert union.count == 4 and union.story_id == 1
    assert not grouping.should_merge(a, grouping.Candidate(3, unit(0, 1), 1, T0, T0))


def test_index_keys_find_near_vectors_on_neighbouring_days() -> None:
    vector = unit(1, 0.2, 0.1)
    stored = set(index.store_keys(vector, T0))
    assert stored & set(index.lookup_keys(unit(1, 0.21, 0.1), T0 + timedelta(days=1)))
    assert not stored & set(index.lookup_keys(vector, T0 + timedelta(days=3)))


def test_candidates_come_from_the_index_not_a_scan(sqlite_store: Store) -> None:
    vector = unit(1, 0.2)
    with sqlite_store.transaction() as connection:
        for day in range(30):
            when = T0 - timedelta(days=day)
            record = records.StoryRecord(None, None, "x", when, when, to_bytes(vector * 1))
            records.add_keys(
                connection, records.insert_story(connection, record), index.store_keys(vector, when)
            )
        found = records.candidate_centroids(connection, index.lookup_keys(vector, T0))
    assert len(found) == 2  # today and yesterday only


def test_stories_out_of_reach_could_not_have_scored_the_join() -> None:
    """The centroid-only bound skips only stories that ``best`` would never pick nor merge."""
    for settings in (grouping.Settings(), grouping.Settings(weights=similarity.fitted())):
        _out_of_reach_never_joins(settings)


def _out_of_reach_never_joins(settings: grouping.Settings) -> None:
    rng = np.random.default_rng(7)
    names = [f"~n{n}" for n in range(12)] + [f"#{n}00" for n in range(10, 16)]
    skipped = 0
    for _ in range(300):
        embedding = normalise_rows(rng.standard_normal((1, 512)).astype(np.float32))[0]
        language = str(rng.choice(["ar", "fr"]))
        article = grouping.Features(embedding, frozenset(rng.choice(names, 5)), T0, language)
        stories_near = []
        for n in range(6):
            centroid = (embedding * rng.uniform(0, 1.5) + rng.standard_normal(512) * 0.04 * n).astype(
                np.float32
            )
            count = int(rng.integers(1, 5))
            entities = dict.fromkeys(rng.choice(names, 6), 1)
            languages = frozenset({str(rng.choice(["ar", "en"]))})
            stories_near.append(
                grouping.Candidate(n + 1, centroid * count, count, T0, T0, entities, languages)
            )
        centroids = [to_bytes(c.centroid) for c in stories_near]
        reach = grouping.within_reach(embedding, centroids, settings, article)
        assert all(
            grouping.within_reach(embedding, centroids, settings)[n] for n, near in enumerate(reach) if near
        )
        for story, near in zip(stories_near, reach, strict=True):
            if not near:
                skipped += 1
                assert grouping.score(article, story, settings) < settings.join
    assert skipped > 100  # the bound does skip stories here
    other_model = grouping.within_reach(unit(1.0), [to_bytes(np.ones(1024, dtype=np.float32))], settings)
    assert other_model == [False]


@pytest.mark.slow
def test_one_story_across_languages_and_a_separate_one(store: Store) -> None:
    english = store_article(store, version("rt.com.91337", "en", site_name="RT"))
    french = store_article(store, version("rt.com.91337", "fr", site_name="Le Monde"))
    arabic = store_article(store, version("rt.com.91337", "ar", site_name="الجزيرة"))
    other = store_article(store, version("cbsnews.248387", "en", site_name="CBS"))
    ids = {i: articles.get_article(store, i).article.story_id for i in (english, french, arabic, other)}  # type: ignore[union-attr]  # stored above
    assert ids[english] == ids[french] == ids[arabic] is not None
    assert ids[other] not in (None, ids[english])
    found = stories.show_story(store, ids[english])  # type: ignore[arg-type]  # checked not None above
    assert found is not None
    story, timeline = found
    assert sorted(story.titles) == ["ar", "en", "fr"]
    assert story.first_article_id == english and story.first_source == "rt"
    assert (story.article_count, story.source_count, story.language_count) == (3, 3, 3)
    assert [row["id"] for row in timeline] == [english, french, arabic]
    assert {s.id for s in stories.list_stories(store)} == {ids[english], ids[other]}


def test_articles_placed_at_once_into_one_story_are_all_counted(store: Store) -> None:
    """Ten workers place into one story at the same moment: none overwrites another's count."""
    first = version("rt.com.91337", "en", site_name="RT")
    store_article(store, first)
    copies = [replace(first, url=f"https://copy{n}.example/nato", site_name=f"Copy {n}") for n in range(8)]
    arrivals = [
        *copies,
        version("rt.com.91337", "fr", site_name="Le Monde"),
        version("rt.com.91337", "ar", site_name="الجزيرة"),
    ]
    prepared = stories.prepare_many(arrivals, Grouping())
    start = threading.Barrier(len(arrivals))

    def place(n: int) -> int | None:
        document = Document(f"/tmp/arrival{n}", f"arrival {n}".encode(), "text/plain")
        start.wait()
        with store.transaction() as connection:
            raw_id = documents.insert_raw(connection, document, None)
            article_id, _ = stored_articles.upsert_article(connection, f"n{n}", raw_id, arrivals[n], None)
            return stories.place(connection, article_id, arrivals[n], prepared[n], Grouping()).story_id

    with ThreadPoolExecutor(len(arrivals)) as workers:
        story_ids = set(workers.map(place, range(len(arrivals))))
    assert len(story_ids) == 1 and None not in story_ids
    found = stories.show_story(store, story_ids.pop())  # type: ignore[arg-type]  # checked above
    assert found is not None
    story, timeline = found
    assert story.article_count == len(timeline) == 1 + len(arrivals)
    assert story.source_count == 1 + len(arrivals)


@pytest.mark.slow
def test_sources_piling_on_fast_make_a_story_breaking(sqlite_store: Store) -> None:
    now = datetime.now(UTC)
    quick = stories.Breaking(threshold=2.5, min_sources=3)
    placed = []
    for minutes, lang in enumerate(("en", "fr", "ar")):
        article = version("reuters.218863", lang, site_name=f"site {lang}")
        prepared = stories.prepare(article, Grouping())
        document = Document(f"/tmp/{lang}", lang.encode(), "text/plain")
        with sqlite_store.transaction() as connection:
            raw_id = documents.insert_raw(connection, document, None)
            article_id, _ = stored_articles.upsert_article(connection, lang, raw_id, article, None)
            when = now + timedelta(minutes=minutes)
            placed.append(
                stories.place(connection, article_id, article, prepared, Grouping(), now=when, breaking=quick)
            )
    with sqlite_store.reading() as connection:
        detected = [f for f in flags.list_flags(connection, active_at=now) if f.origin == "detected"]
    assert len({p.story_id for p in placed}) == 1
    assert [f.story_id for f in detected] == [placed[0].story_id]


@pytest.mark.slow
def test_cli_lists_and_shows_stories_and_articles_carry_story_id(tmp_path: Path) -> None:
    assert akhbar("ingest", str(SPECIMEN), data_dir=tmp_path).returncode == 0
    listed = [
        json.loads(line)
        for line in akhbar("articles", "list", "--format", "json", data_dir=tmp_path).stdout.splitlines()
    ]
    story_id = listed[0]["story_id"]
    assert isinstance(story_id, int)
    rows = [
        json.loads(line)
        for line in akhbar("stories", "list", "--format", "json", data_dir=tmp_path).stdout.splitlines()
    ]
    assert [r["id"] for r in rows] == [story_id]
    shown = akhbar("stories", "show", str(story_id), data_dir=tmp_path)
    assert shown.returncode == 0 and "بلادي نيوز" in shown.stdout


def test_article_vector_blends_title_and_body_cosines() -> None:
    model = Grouping().embedder
    a, b = version("rt.com.91337", "fr"), version("rt.com.91337", "ar")
    joined = features.embed_many(model, [(a.title, a.body_paragraphs), (b.title, b.body_paragraphs)])
    assert joined[0].shape == (2 * model.dimension,)
    assert abs(float(np.linalg.norm(joined[0])) - 1.0) < 1e-5
    heads = model.embed([a.title, b.title])
    bodies = model.embed([features.body_text(x.title, x.body_paragraphs) for x in (a, b)])
    share = features.TITLE_SHARE
    expected = share * float(heads[0] @ heads[1]) + (1 - share) * float(bodies[0] @ bodies[1])
    assert abs(float(joined[0] @ joined[1]) - expected) < 1e-4


def test_stories_of_another_model_dimension_are_never_joined() -> None:
    old = grouping.Candidate(1, unit(1, 0.1), 1, T0, T0)
    article = grouping.Features(np.concatenate([unit(1, 0.1), unit(1, 0.1)]) / np.sqrt(2), frozenset(), T0)
    assert grouping.similarity(article, old) == 0.0
    assert grouping.best(article, [old])[0] is None
    wide = grouping.Candidate(2, article.embedding.copy(), 1, T0, T0)
    assert not grouping.should_merge(old, wide)


def test_a_merged_story_hands_its_breaking_flags_to_the_surviving_one(store: Store) -> None:
    first = store_article(store, version("rt.com.91337", "en", site_name="RT"))
    second = store_article(store, version("cbsnews.248387", "en", site_name="CBS"))
    story_ids = [articles.get_article(store, i).article.story_id for i in (first, second)]  # type: ignore[union-attr]  # stored above
    assert story_ids[0] != story_ids[1]
    until = datetime.now(UTC) + timedelta(hours=1)
    with store.transaction() as connection:
        flags.add_flag(connection, article_id=None, story_id=story_ids[1], until=until, origin="detected")
        into = records.get_story(connection, story_ids[0])  # type: ignore[arg-type]  # checked above
        assert into is not None
        records.merge_into(connection, into, story_ids[1])  # type: ignore[arg-type]  # checked above
    with store.reading() as connection:
        active = flags.list_flags(connection, active_at=datetime.now(UTC))
    assert [f.story_id for f in active] == [story_ids[0]]


@pytest.mark.slow
def test_grouping_can_be_turned_off_and_duplicates_are_still_found(tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_text(
        SPECIMEN.read_text(encoding="utf-8") + "\nتابعوا آخر الأخبار على موقعنا\n", encoding="utf-8"
    )
    off = {"AKHBAR_STORIES": "off"}
    done = akhbar("ingest", str(SPECIMEN), str(copy), data_dir=tmp_path, env=off)
    assert done.returncode == 0, done.stderr
    listed = akhbar("articles", "list", "--format", "json", data_dir=tmp_path).stdout.splitlines()
    rows = sorted((json.loads(line) for line in listed), key=lambda row: row["id"])
    assert [row["story_id"] for row in rows] == [None, None]
    assert rows[1]["duplicate_of"] == rows[0]["id"]
    assert akhbar("stories", "list", "--format", "json", data_dir=tmp_path).stdout.strip() == ""
    refused = akhbar("config", data_dir=tmp_path, env={"AKHBAR_STORIES": "sometimes"})
    assert refused.returncode != 0 and "stories" in refused.stderr


def test_a_year_is_no_event_number() -> None:
    keys = features.entity_keys(
        "Budget 2019: 1,250 posts cut", ["The 2019 budget cuts 1,250 posts, the minister said."]
    )
    assert "#1250" in keys and "#2019" not in keys


def test_the_fitted_similarity_weighs_each_part_it_keeps() -> None:
    weights = similarity.fitted()
    assert weights.cosine + weights.body == pytest.approx(1.0)
    assert weights.cross_language > 0 and weights.numbers > 0
    assert 0.6 <= weights.join <= 0.85, "the join is fitted on the stream: a story's centroid reads nearer"
    article = grouping.Features(unit(1, 0.5), frozenset({"#1250"}), T0, "ar")
    english = grouping.Candidate(1, unit(1, 0.5), 1, T0, T0, {"#1250": 1}, frozenset({"en", "fr"}))
    parts = grouping.parts(article, english)
    assert (parts.numbers, parts.cross_language, parts.conflict) == (1.0, 1.0, 0.0)
    arabic = replace(english, languages=frozenset({"ar"}), entities={"#999": 1})
    assert grouping.parts(article, arabic).conflict == 1.0
    assert weights.combine(parts) == pytest.approx(1.0 + weights.numbers + weights.cross_language)
    alone = weights.embeddings_only()
    assert alone.used() == ("cosine",) and alone.join == weights.join
    without_body = weights.without("body")
    assert without_body.cosine == 1.0 and "body" not in without_body.used()
    with pytest.raises(ValueError, match="cosine"):
        weights.without("cosine", "body")


def test_logistic_weights_read_on_the_cosine_scale() -> None:
    weights = similarity.from_logistic({"intercept": -7.0, "cosine": 4.0, "body": 6.0, "numbers": 2.0})
    assert (weights.cosine, weights.body, weights.numbers, weights.join) == pytest.approx(
        (0.4, 0.6, 0.2, 0.7)
    )
    with pytest.raises(ValueError, match="positive"):
        similarity.from_logistic({"intercept": -1.0, "cosine": -1.0, "body": 0.5})


def test_the_fit_recovers_a_known_model() -> None:
    from akhbar.bench.quality import stories_fit

    rng = np.random.default_rng(3)
    parts = rng.uniform(0, 1, (4000, len(stories_fit.COLUMNS)))
    truth = np.array([-6.0, 4.0, 6.0, 0.0, 2.0, 0.0, 1.5])
    odds = np.hstack([np.ones((4000, 1)), parts]) @ truth
    labels = (rng.uniform(0, 1, 4000) < 1 / (1 + np.exp(-odds))).astype(float)
    beta = stories_fit.fit(parts, labels, np.ones(4000), range(len(stories_fit.COLUMNS)), 0.01)
    assert np.allclose(beta, truth, atol=0.8), beta
