"""Quoted phrases match their words in order, exactly up to folding, not their stems; on both backends.

``"la retraite"`` must not find "chiffre d'affaires retraité" (the same stem, "la" a stop word), but
finds "LA RETRAITE" and "la retraité" (case and accents fold); an Arabic phrase finds its letter
variants and tashkeel, not the same words with a proclitic attached.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from akhbar.models import Article, Document
from akhbar.search import QueryProblem, parse
from akhbar.services import search
from akhbar.store import Store, articles, documents
from akhbar.store.tables import search_documents
from search_fixtures import BACKENDS, open_store

ARTICLES = {
    "pension": Article(
        "Le gouvernement présente la réforme",
        ("Le projet de loi sur la retraite sera examiné en janvier par les députés.",),
        language="fr",
    ),
    "upper": Article(
        "LA RETRAITE À 64 ANS", ("Les syndicats appellent à manifester jeudi dans toute la France.",), "fr"
    ),
    "accent": Article(
        "Témoignages", ("Pour la retraité de Lyon, rien n'a changé depuis vingt ans de travail.",), "fr"
    ),
    "turnover": Article(
        "Résultats annuels",
        ("Le groupe publie un chiffre d'affaires retraité des cessions, en hausse de trois pour cent.",),
        language="fr",
    ),
    "plural": Article(
        "Les retraites", ("Le débat sur les retraites reprend à l'Assemblée nationale.",), "fr"
    ),
    "un-ar": Article(
        "اجتماع في نيويورك",
        ("عقد مجلس الأمن التابع لـ الأُمَم المتحدة جلسة طارئة حول الوضع في المنطقة.",),
        language="ar",
    ),
    "un-ar-variant": Article("بيان", ("قالت الامم المتحده إن المساعدات ستصل قريبا إلى السكان.",), "ar"),
    "un-ar-clitic": Article(
        "تقرير", ("قدم الوفد تقريرا للأمم المتحدة عن أوضاع اللاجئين في المخيمات.",), "ar"
    ),
    "hamlet": Article("Hamlet", ("To be or not to be, that is the question the prince asks himself.",), "en"),
}


@pytest.fixture(scope="module", params=BACKENDS)
def phrased(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = open_store(request, tmp_path_factory)
    for key, article in ARTICLES.items():
        with opened.transaction() as connection:
            raw_id = documents.insert_raw(connection, Document(location=key, data=key.encode()), None)
            article_id, _ = articles.upsert_article(connection, key, raw_id, article, None)
            search.index_article(connection, article_id, article, None)
    yield opened
    opened.close()


def _found(store: Store, text: str) -> set[str]:
    results = search.search(store, text, limit=100)
    assert not isinstance(results, QueryProblem), results
    keys = {hit.article_id: hit for hit in results.hits}
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(sa.column("id"), sa.column("key")).select_from(sa.table("articles"))
        )
        names = {int(row.id): str(row.key) for row in rows}
    return {names[i] for hit in keys.values() for i in (hit.article_id, *hit.story_matches)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"la retraite"', {"pension", "upper", "accent"}),
        ("la retraite", {"pension", "upper", "accent", "turnover", "plural"}),
        ('"retraite la"', set()),
        ('"retraite"', {"pension", "upper", "accent", "turnover"}),
        ('"la retraite" -"la retraité"', set()),
        ('"la retraite" -syndicats', {"pension", "accent"}),
        ('"la retraite" OR "les retraites"', {"pension", "upper", "accent", "plural"}),
        ('"الأمم المتحدة"', {"un-ar", "un-ar-variant"}),
        ("الأمم المتحدة", {"un-ar", "un-ar-variant", "un-ar-clitic"}),
        ('"to be or not to be" question', {"hamlet"}),
        ('"to be or not to be" question -"that is the"', set()),
    ],
)
def test_a_quoted_phrase_matches_its_words_in_order(phrased: Store, query: str, expected: set[str]) -> None:
    assert _found(phrased, query) == expected


def test_a_phrase_of_stop_words_is_checked_beside_a_word_the_index_can_find() -> None:
    parsed = parse('"to be or not to be" question')
    assert not isinstance(parsed, QueryProblem)
    assert parsed.clauses[0].phrases[0].exact == ("to", "be", "or", "not", "to", "be")
    assert len(parsed.indexed()) == 1
    for alone in ('"to be or not to be"', "to be or not to be", '"to be" OR prince'):
        assert isinstance(parse(alone), QueryProblem), alone


def test_highlighting_still_marks_the_phrase(phrased: Store) -> None:
    results = search.search(phrased, '"la retraite"')
    assert not isinstance(results, QueryProblem)
    assert any("<mark>retraite</mark>" in hit.snippet_html for hit in results.hits)


def test_rows_indexed_before_exact_forms_match_by_terms_until_a_reindex(phrased: Store) -> None:
    with phrased.transaction() as connection:  # as migration 0013 leaves the rows written before it
        connection.execute(sa.update(search_documents).values(title_exact="", body_exact=""))
    assert _found(phrased, '"la retraite"') == _found(phrased, "la retraite")
    search.reindex(phrased)
    assert _found(phrased, '"la retraite"') == {"pension", "upper", "accent"}
