"""Containment-aware duplicates: anchors, the word-for-word decision, template texts, and placing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from akhbar.bench.quality.cables import CONGRATULATIONS_AR, POLICE_EN, cables
from akhbar.dedupe.anchors import anchors, expected_count
from akhbar.dedupe.compare import compare, conflicts
from akhbar.dedupe.signatures import read
from akhbar.models import Article
from akhbar.services import articles
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.store import signatures as placements
from akhbar.store.tables import dedupe_anchors
from conftest import DATA, needs_shared
from stories_helpers import store_article, version

OFF = Grouping(enabled=False)  # duplicates only: no model


def _roundup(*items: Article) -> Article:
    body = ["Here are the stories making the news this morning."]
    for item in items:
        body += [item.title, *item.body_paragraphs]
    return Article(
        "Morning briefing", tuple(body), "en", site_name="Briefing", url="https://briefing.example/today"
    )


def test_a_contained_text_shares_its_anchors_with_its_container() -> None:
    wire = read(version("rt.com.91337", "en").body_paragraphs)
    other = read(version("bbc.381669", "en").body_paragraphs)
    container = read((*other.words, *wire.words))
    mine = set(anchors(wire.words))
    assert len(mine) >= 0.6 * expected_count(len(wire.shingles))
    assert len(mine & set(anchors(container.words))) >= 0.9 * len(mine)
    assert not mine & set(anchors(other.words))


def test_anchors_are_signed_64_bit_and_need_five_words() -> None:
    assert anchors(["one", "two", "three", "four"]) == []
    keys = anchors(list("abcdefghijklmnopqrstuvwxyz"))
    assert keys and all(-(2**63) <= k < 2**63 for k in keys)


def test_relations_read_from_each_side() -> None:
    wire = version("rt.com.91337", "en")
    roundup = _roundup(version("bbc.381669", "en"), wire, version("bbc.381669", "fr"))
    inside = compare(read(wire.body_paragraphs), read(roundup.body_paragraphs))
    holding = compare(read(roundup.body_paragraphs), read(wire.body_paragraphs))
    assert inside is not None and inside.relation == "contained_in" and inside.containment == 1.0
    assert inside.jaccard < 0.5
    assert holding is not None and holding.relation == "contains"
    trimmed = compare(read(wire.body_paragraphs[:-1]), read(wire.body_paragraphs))
    assert trimmed is not None and trimmed.relation == "same"


@pytest.mark.parametrize("template", [CONGRATULATIONS_AR, POLICE_EN], ids=["ar", "en"])
def test_template_cables_differ_in_facts(template: object) -> None:
    """Cables of one template share nearly all their words; their names and numbers differ."""
    found = [c for c in cables() if c.language == getattr(template, "language", None)]
    first, second = (read(c.paragraphs, c.title) for c in found[:2])
    shared = len(first.shingles & second.shingles) / min(len(first.shingles), len(second.shingles))
    assert shared >= 0.5
    assert conflicts(first, second).total >= 1.0
    match = compare(first, second)
    assert match is None or not match.is_copy


def test_an_edit_of_words_or_a_new_frame_is_no_conflict() -> None:
    text = version("rt.com.91337", "ar").body_paragraphs
    edited = [p.replace("وقال", "وأكد", 1) for p in text]
    framed = ["الرباط - وكالات", *text, "تابعوا آخر الأخبار على موقعنا"]
    assert conflicts(read(text), read(edited)).total < 1.0
    assert conflicts(read(text), read(framed)).total == 0.0
    match = compare(read(edited), read(text))
    assert match is not None and match.is_copy


def test_spelling_habits_fold_before_shingles() -> None:
    one = read(["قال المسؤول إن الشيء الوحيد المؤكد هو أن ١ ٧٦٠ جندياً سيصلون إلى المدينة."])
    other = read(["قال المسئول ان الشئ الوحيد المؤكد هو ان 1760 جنديا سيصلون الي المدينه."])
    assert one.words == other.words
    assert (
        read(["Le cœur de l’État : 1 760 soldats"]).words == read(["le coeur de l'Etat: 1760 soldats"]).words
    )


@needs_shared(DATA / "parallel-news")
def test_a_wire_item_and_its_roundup_are_linked_both_ways(store: Store) -> None:
    wire = version("rt.com.91337", "en")
    roundup = _roundup(version("bbc.381669", "en"), wire)
    wire_id = store_article(store, wire, grouping=OFF)
    roundup_id = store_article(store, roundup, grouping=OFF)
    stored = articles.get_article(store, roundup_id)
    assert stored is not None
    assert (stored.article.duplicate_of, stored.article.duplicate_kind) == (wire_id, "contains")
    later = replace(wire, url="https://agency.example/wire", site_name="Agency")
    again = _roundup(version("bbc.381669", "fr"), later)
    again = replace(again, url="https://briefing.example/tomorrow")
    second_roundup = store_article(store, again, grouping=OFF)
    alone = store_article(
        store, replace(wire, url="https://mirror.example/x", site_name="Mirror"), grouping=OFF
    )
    found = {i: articles.get_article(store, i) for i in (second_roundup, alone)}
    assert found[alone] is not None and found[alone].article.duplicate_of == wire_id
    assert found[alone].article.duplicate_kind == "same", "the same text is preferred to a roundup"
    assert found[second_roundup] is not None
    assert found[second_roundup].article.duplicate_kind == "contains"
    with store.reading() as connection:
        placement = placements.get_placement(connection, roundup_id)
        anchored = connection.execute(
            dedupe_anchors.select().where(dedupe_anchors.c.article_id == wire_id)
        ).all()
    assert placement is not None and placement.duplicate_kind == "contains"
    assert anchored, "anchors are stored with the placement"


@needs_shared(DATA / "parallel-news")
def test_a_roundup_first_then_its_item_alone(store: Store) -> None:
    wire = version("rt.com.91337", "fr")
    roundup_id = store_article(store, _roundup(version("bbc.381669", "fr"), wire), grouping=OFF)
    wire_id = store_article(store, wire, grouping=OFF)
    stored = articles.get_article(store, wire_id)
    assert stored is not None
    assert (stored.article.duplicate_of, stored.article.duplicate_kind) == (roundup_id, "contained_in")


def test_template_cables_stay_apart_in_the_store(store: Store) -> None:
    """Never copies of one another, and never one story: another country is another event, though
    the texts read alike (the toy model puts them together otherwise; the case counts, whose
    numbers alone differ, may be updates of one story and do share one)."""
    grouping = Grouping(model="toy_models:Words")
    placed = {}
    for n, cable in enumerate(cables()):
        article = Article(cable.title, cable.paragraphs, cable.language, url=f"https://agency.example/{n}")
        placed[store_article(store, article, grouping=grouping)] = cable.truth
    found = articles.list_articles(store, limit=100)
    assert all(a.article.duplicate_of is None for a in found)
    congratulations = [a.article.story_id for a in found if placed[a.id] == "cable:0"]
    assert len(congratulations) == 5 and len(set(congratulations)) == 5


@needs_shared(DATA / "parallel-news")
def test_placing_an_original_again_never_links_it_to_its_copy(store: Store) -> None:
    """What ``akhbar reprocess`` does to every article: an original stays one, its copy stays a copy."""
    first = version("rt.com.91337", "en")
    original = store_article(store, first, grouping=OFF)
    copy = store_article(
        store, replace(first, url="https://mirror.example/a", site_name="Mirror"), grouping=OFF
    )
    assert store_article(store, first, raw=b"placed again", grouping=OFF) == original
    found = {a.id: a.article for a in articles.list_articles(store)}
    assert found[original].duplicate_of is None
    assert (found[copy].duplicate_of, found[copy].duplicate_kind) == (original, "same")


@needs_shared(DATA / "parallel-news")
def test_the_migration_calls_earlier_copies_the_same_text(store: Store) -> None:
    from alembic import command

    from akhbar.store.engine import _alembic_config, upgrade

    first = version("rt.com.91337", "en")
    original = store_article(store, first, grouping=OFF)
    copy = store_article(
        store, replace(first, url="https://mirror.example/b", site_name="Mirror"), grouping=OFF
    )
    with store.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0012_sign_in")
    upgrade(store.engine)
    with store.reading() as connection:
        placement = placements.get_placement(connection, copy)
        kinds = connection.execute(dedupe_anchors.select()).all()
    assert placement is not None and (placement.duplicate_of, placement.duplicate_kind) == (original, "same")
    assert kinds == [], "anchors come back with akhbar reprocess, not with the migration"
    stored = articles.get_article(store, copy)
    assert stored is not None and stored.article.duplicate_kind == "same"
