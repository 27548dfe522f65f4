"""Any string a reader types gives results or a clear problem value: never an FTS or tsquery error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akhbar.models import Article, Document
from akhbar.search import QueryProblem, parse
from akhbar.search.sqlite import match_expression
from akhbar.services import search
from akhbar.services.search import index_article
from akhbar.store import Store, articles, documents
from search_fixtures import BACKENDS, open_store

NASTY = [
    '"unbalanced',
    'a "b c',
    "NEAR(otan défense, 3)",
    "title_terms: otan",
    "otan*",
    "^otan",
    "otan AND OR NOT",
    "'; DROP TABLE articles; --",
    "otan & !défense | (:*",
    "x" * 10_000,
    "الناتو \x00\x07 OTAN",
    "\u202eالناتو\u202c",
    "ﷺ ﻻ ﷲ",
    "😀 otan",
    "OR OR OR otan",
    "-otan -défense",
    "((((((((((",
]
TEXT = st.text(
    alphabet=st.sampled_from(list("aéz \"'-()*:^&|!\\OR~ابةىأ\u064b\u0640١\x00\n")) | st.characters(),
    max_size=80,
)


@pytest.fixture(scope="module", params=BACKENDS)
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store(request, tmp_path_factory)
    article = Article("L'OTAN et الناتو", ("Défense commune « OTAN » — حلف شمال الأطلسي.",), language="fr")
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, Document("k", b"k"), None)
        article_id, _ = articles.upsert_article(connection, "k", raw_id, article, None)
        index_article(connection, article_id, article, None)
    yield store
    store.close()


@pytest.mark.parametrize("text", NASTY)
def test_nasty_strings_give_results_or_a_problem(filled: Store, text: str) -> None:
    result = search.search(filled, text)
    if isinstance(result, QueryProblem):
        assert result.reason
    else:
        assert result.total >= 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_parser_never_raises_and_quotes_every_term(text: str) -> None:
    parsed = parse(text)
    if isinstance(parsed, QueryProblem):
        return
    expression = match_expression(parsed)
    assert expression.count('"') % 2 == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_backend_accepts_any_string(filled: Store, text: str) -> None:
    result = search.search(filled, text)
    assert isinstance(result, QueryProblem) or result.total >= 0
