"""Near-duplicate detection: signatures, syndicated copies, edits, stored across restarts."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from akhbar.dedupe.anchors import anchors
from akhbar.dedupe.signatures import Signature, is_duplicate, normalise, read, shingles, signature
from akhbar.services import articles
from akhbar.store import Store
from akhbar.store import signatures as placements
from stories_helpers import store_article, version

BODY = (
    "Les ministres de la Défense de l'OTAN se réunissent jeudi à Bruxelles pour discuter du soutien à l'Ukraine.",
    "Le secrétaire général Mark Rutte a annoncé l'envoi de 1 760 soldats supplémentaires sur le flanc est.",
    "Plusieurs pays ont demandé une augmentation des budgets de défense au-delà de deux pour cent du PIB.",
    "La réunion doit se terminer vendredi par une conférence de presse commune des ministres présents.",
)


def test_normalise_folds_arabic_and_latin_variants() -> None:
    assert normalise("أحمد إلى مدرسةٍ ١٧٦٠") == normalise("احمد الى مدرسه 1760")
    assert normalise("Défense ÉTÉ") == "defense ete"


def test_short_text_still_has_a_shingle() -> None:
    assert shingles(["Une phrase"]) == {"une phrase"}
    assert shingles([]) == set()


def test_syndicated_copy_is_a_duplicate_but_a_rewrite_is_not() -> None:
    copy = ("Par Jean Dupont", "PARIS (AFP) - " + BODY[0], *BODY[1:3], "Lire aussi : nos autres articles")
    rewrite = (
        "Réunion à Bruxelles des ministres de la Défense de l'Alliance atlantique ce jeudi.",
        "Mark Rutte veut 1 760 militaires de plus à l'est, selon un communiqué publié mercredi soir.",
    )
    original = signature(BODY)
    assert is_duplicate(original, signature(copy))
    assert not is_duplicate(original, signature(rewrite))
    assert set(original.bands()) & set(signature(copy).bands())


def test_signature_round_trips_through_bytes() -> None:
    original = signature(BODY)
    again = Signature.from_bytes(original.to_bytes())
    assert again.size == original.size
    assert again.jaccard(original) == 1.0
    assert again.bands() == original.bands()


# Made with datasketch 2.0.0 (MinHash(num_perm=128, seed=7, scheme="affine32")), whose values the
# stored signatures hold: akhbar.dedupe.minhash must keep giving exactly these bytes. The shingles
# are those the first signature folding made (it wrote مسؤول as مسوول and رئيس as رييس, as below).
PINNED = (
    "أعلن رييس الوزراء المغربي، اليوم الجمعة ١٨ أكتوبر ٢٠٢٤، عن خطة جديدة لدعم المسوولين المحليين في الجهات.",
    "Le Premier ministre a présenté vendredi un plan de soutien aux élus locaux, qui doit être voté en novembre.",
)


def test_signature_bytes_stay_those_stored() -> None:
    found = signature(PINNED)
    assert found.size == 34
    assert [int(v) for v in found.hashvalues[:4]] == [59369289, 286734416, 21050370, 188704608]
    assert hashlib.sha256(found.to_bytes()).hexdigest() == (
        "587b300e1946039615d60c714e02063691036ad3768d6740cce59aee79182d72"
    )
    empty = signature([])
    assert empty.size == 0 and set(empty.hashvalues.tolist()) == {0xFFFFFFFF}


def test_anchors_stay_those_stored() -> None:
    """A new text's anchors are looked up among those stored (``dedupe_anchors``): the same words
    must keep giving exactly these keys, whether the text has more grams than a window or fewer."""
    words = read(PINNED).words
    assert anchors(words[:12]) == [1114145365842775390]  # 8 grams: the smallest of them
    assert anchors(words) == [388871194385808631, 1310771286751268812]
    longer = [f"{word}{at % 7}" for at, word in enumerate(words * 6)]
    found = anchors(longer)
    assert len(found) == 21 and found[:2] == [811626596657985744, 380302902831069594]
    assert hashlib.sha256(repr(found).encode()).hexdigest() == (
        "69cbaf38fbc05f1e8f16df165b511b00fb8a3aad0f7fccf118ffe6a0a3e37196"
    )


@pytest.mark.slow
def test_copy_on_another_site_links_to_the_earliest(store: Store) -> None:
    first = version("rt.com.91337", "en")
    copy = replace(
        first,
        url="https://amp.mirror.example.net/amp/story?utm_source=x",
        site_name="Mirror",
        body_paragraphs=(
            "By Staff",
            "LONDON (Reuters) - " + first.body_paragraphs[0],
            *first.body_paragraphs[1:-1],
        ),
    )
    original_id = store_article(store, first)
    copy_id = store_article(store, copy)
    second_copy_id = store_article(
        store, replace(copy, url="https://m.other.example.com/a", site_name="Other")
    )
    found = {a.id: a.article for a in articles.list_articles(store)}
    assert found[original_id].duplicate_of is None
    assert found[copy_id].duplicate_of == original_id
    assert found[second_copy_id].duplicate_of == original_id
    assert found[copy_id].story_id == found[original_id].story_id is not None
    translation_id = store_article(store, version("rt.com.91337", "fr"))
    assert found[original_id].story_id == articles.get_article(store, translation_id).article.story_id  # type: ignore[union-attr]  # stored above
    assert articles.get_article(store, translation_id).article.duplicate_of is None  # type: ignore[union-attr]  # stored above


@pytest.mark.slow
def test_edited_article_replaces_its_earlier_version(store: Store) -> None:
    first = version("rt.com.91337", "en")
    article_id = store_article(store, first)
    edited = replace(first, body_paragraphs=(*first.body_paragraphs, "Update: polls have now closed."))
    assert store_article(store, edited, raw=b"edited version") == article_id
    assert len(articles.list_articles(store)) == 1
    stored = articles.get_article(store, article_id)
    assert stored is not None
    assert stored.article.duplicate_of is None
    assert stored.article.story_id is not None
    with store.reading() as connection:
        placement = placements.get_placement(connection, article_id)
    assert placement is not None
    assert placement.story_id == stored.article.story_id
