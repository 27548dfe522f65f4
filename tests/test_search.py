"""Search on both backends: Arabic and French variants, filters, grouping, index updates on ingest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from akhbar.models import Article, Document, Rejected
from akhbar.search import Filters, QueryProblem
from akhbar.services import search
from akhbar.services.ingest import record_outcome
from akhbar.services.stories import Grouping
from akhbar.store import Store, articles, documents
from akhbar.store.tables import articles as articles_table
from search_fixtures import BACKENDS, open_store

NOW = datetime(2024, 10, 20, tzinfo=UTC)
ARTICLES = {
    "nato-ar": Article(
        title="الناتو يعقد قمة في بروكسل",
        body_paragraphs=("اجتمع قادة حلف شمال الأطلسي لبحث الدفاع المشترك، وقال مسؤول إن «OTAN» مستعد.",),
        language="ar",
        published="2024-10-18",
        story_id=7,
    ),
    "nato-ar-old": Article(
        title="وزراء دفاع الحلف",
        body_paragraphs=("اجتمع وزراء دفاع حلف الناتو في العاصمة البلجيكية.",),
        language="ar",
        published="2020-01-01",
    ),
    "nato-fr": Article(
        title="L'OTAN renforce sa défense",
        body_paragraphs=("Les ministres de la Défense de l'Alliance se sont réunis à Bruxelles.",),
        language="fr",
        published="2024-10-18",
        story_id=7,
    ),
    "school-ar": Article(
        title="افتتاح مدرسة جديدة في الرباط",
        body_paragraphs=("افتُتِحَتْ المدرسةُ الجديدة بحضور وزير التعليم، ووعد بالمزيد من المدارس.",),
        language="ar",
        published="2024-10-19",
    ),
    "election-en": Article(
        title="Elections in Tunisia",
        body_paragraphs=("Tunisians voted on Sunday in presidential elections marked by low turnout.",),
        language="en",
        published="2024-10-07",
    ),
}


def _store(store: Store, key: str, article: Article) -> int:
    """Through ingestion's own step (index update in the article's transaction)."""
    document = Document(location=key, data=key.encode(), url=f"https://example.org/{key}")
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, document, None)
    result = record_outcome(store, raw_id, document, article, None, Grouping())
    assert result.article_id is not None
    return result.article_id


def _put(store: Store, key: str, article: Article) -> int:
    """Stored and indexed directly (no story placement: fast), with the story the test wants."""
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, Document(location=key, data=key.encode()), None)
        article_id, _ = articles.upsert_article(connection, key, raw_id, article, None)
        search.index_article(connection, article_id, article, None)
        story = article.story_id or 1000 + article_id
        connection.execute(
            sa.update(articles_table).where(articles_table.c.id == article_id).values(story_id=story)
        )
    return article_id


@pytest.fixture(scope="module", params=BACKENDS)
def searched(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One filled database per backend for the read-only tests of this module."""
    opened = open_store(request, tmp_path_factory)
    for key, article in ARTICLES.items():
        _put(opened, key, article)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def corpus(searched: Store) -> dict[str, int]:
    with searched.reading() as connection:
        rows = connection.execute(sa.select(articles_table.c.key, articles_table.c.id)).all()
    return {str(k): int(v) for k, v in rows}


def _ids(store: Store, text: str, **kwargs: object) -> list[int]:
    results = search.search(store, text, now=NOW, **kwargs)  # type: ignore[arg-type]  # test passthrough
    assert not isinstance(results, QueryProblem), results
    return [h.article_id for h in results.hits]


def _all_ids(store: Store, text: str) -> list[int]:
    """Every matched article, those grouped under their story's first match included."""
    results = search.search(store, text, now=NOW)
    assert not isinstance(results, QueryProblem), results
    return [i for h in results.hits for i in (h.article_id, *h.story_matches)]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("ناتو", "nato-ar"),
        ("الناتو", "nato-ar"),
        ("والنّاتو", "nato-ar"),
        ("بالناتو", "nato-ar"),
        ("الاطلسي", "nato-ar"),
        ("الأَطْلَسِيّ", "nato-ar"),
        ("حلف شمال الأطلسي", "nato-ar"),
        ("مسئول", "nato-ar"),
        ("مدرسه", "school-ar"),
        ("المدارس", "school-ar"),
        ("مدرسة", "school-ar"),
        ("defense", "nato-fr"),
        ("DÉFENSE", "nato-fr"),
        ("l'otan", "nato-fr"),
        ("otan", "nato-ar"),
        ("election", "election-en"),
        ('"presidential elections"', "election-en"),
        ("tunisia OR بروكسل", "election-en"),
    ],
)
def test_variants_find_the_article(searched: Store, corpus: dict[str, int], query: str, key: str) -> None:
    assert corpus[key] in _all_ids(searched, query)


def test_exclusion_phrase_and_filters(searched: Store, corpus: dict[str, int]) -> None:
    assert corpus["nato-fr"] not in _ids(searched, "otan -bruxelles")
    assert _ids(searched, '"presidential turnout"') == []
    assert _ids(searched, "otan", filters=Filters(language="fr")) == [corpus["nato-fr"]]
    assert _ids(searched, "الناتو", filters=Filters(since=date(2024, 1, 1))) == [corpus["nato-ar"]]
    assert _ids(searched, "الناتو", filters=Filters(until=date(2020, 1, 1))) == [corpus["nato-ar-old"]]
    assert _ids(searched, "otan", filters=Filters(story_id=7, language="ar")) == [corpus["nato-ar"]]


def test_recent_news_ranks_first_and_story_matches_are_grouped(
    searched: Store, corpus: dict[str, int]
) -> None:
    results = search.search(searched, "الناتو OR otan", now=NOW)
    assert not isinstance(results, QueryProblem)
    ids = [h.article_id for h in results.hits]
    assert ids.index(corpus["nato-ar"]) < ids.index(corpus["nato-ar-old"])
    first_of_story = next(h for h in results.hits if h.story_id == 7)
    assert len(first_of_story.story_matches) == 1  # the other article of story 7 is under it
    assert sum(1 for h in results.hits if h.story_id == 7) == 1


def test_snippets_mark_matches_in_the_readers_direction(searched: Store, corpus: dict[str, int]) -> None:
    results = search.search(searched, "المدرسة", now=NOW)
    assert not isinstance(results, QueryProblem)
    hit = results.hits[0]
    assert hit.direction == "rtl"
    assert "<mark>المدرسةُ</mark>" in hit.snippet_html
    assert "<mark>مدرسة</mark>" in hit.title_html
    fr = search.search(searched, "défense", now=NOW)
    assert not isinstance(fr, QueryProblem)
    assert fr.hits[0].direction == "ltr"
    assert "<mark>Défense</mark>" in fr.hits[0].snippet_html


def test_index_follows_updates_and_removals(store: Store) -> None:
    key = "election-en"
    article_id = _store(store, key, ARTICLES[key])
    assert _ids(store, "presidential") == [article_id]
    document = Document(location=key, data=b"edited", url=f"https://example.org/{key}")
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, document, None)
    edited = Article(title="Referendum in Tunisia", body_paragraphs=("A referendum.",), language="en")
    record_outcome(store, raw_id, document, edited, None, Grouping())
    assert _ids(store, "referendum") == [article_id]
    assert _ids(store, "presidential") == []
    record_outcome(store, raw_id, document, Rejected(key, "gone"), None, Grouping())
    assert _ids(store, "referendum") == []


def test_a_new_article_is_indexed_without_a_row_to_replace_even_under_a_reused_id(store: Store) -> None:
    """A new article's search row is written with no delete before it: rows go with their article.
    SQLite hands a deleted last article's id to the next one, and that article is found, alone."""
    first = _store(store, "election-en", ARTICLES["election-en"])
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(" ".join(statement.split()))

    with store.transaction() as connection:  # an editor's deletion, say
        connection.execute(sa.delete(articles_table).where(articles_table.c.id == first))
    assert _ids(store, "presidential") == []
    sa.event.listen(store.engine, "before_cursor_execute", seen)
    try:
        second = _store(store, "referendum", Article("Referendum in Tunisia", ("A referendum.",), "en"))
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", seen)
    if store.dialect == "sqlite":
        assert second == first, "SQLite gave the deleted article's id again"
    assert _ids(store, "referendum") == [second] and _ids(store, "presidential") == []
    assert not [s for s in statements if s.startswith("DELETE FROM search_documents")], statements
    assert [s for s in statements if s.startswith("INSERT INTO search_documents")]


def test_reindex_rebuilds_the_same_results(searched: Store, corpus: dict[str, int]) -> None:
    before = _ids(searched, "الناتو")
    assert search.reindex(searched, batch=2) == len(ARTICLES)
    assert _ids(searched, "الناتو") == before


@pytest.mark.parametrize(
    "text", ["", "   ", "the of", "-otan", '"', "(", "*", "AND OR NOT", "x" * 3000, "\x00\x1f"]
)
def test_unsearchable_strings_are_a_problem_value(searched: Store, text: str) -> None:
    result = search.search(searched, text)
    assert isinstance(result, QueryProblem)
    assert result.reason


def test_postgres_tolerates_typos_in_titles(searched: Store, corpus: dict[str, int]) -> None:
    if searched.dialect != "postgresql":
        pytest.skip("pg_trgm typo tolerance is PostgreSQL's")
    assert _ids(searched, "Tunisai") == [corpus["election-en"]]
