"""The search's fast paths (SQLite through the driver's cursor, ranking on integer times) return
exactly what the general paths return."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.models import Article, as_utc
from akhbar.search import Filters, QueryProblem, parse, sqlite
from akhbar.search.index import Candidate
from akhbar.search.query import Query
from akhbar.search.ranking import HALF_LIFE_DAYS, RECENCY_SHARE, TITLE_SHARE, Ranked, rank
from akhbar.services import search
from akhbar.store import Store
from akhbar.store.portal import summary_of

ARTICLES = [
    Article("Harbour news", ("The harbour opened.", "Ships «waited» & left."), language="en",
            published="2026-03-01T10:00:00+02:00", site_name="Port", url="https://p.example/1", section="economy"),
    Article("ميناء المدينة", ("افتتح الميناء اليوم.",), language="ar", published="2026-03-02"),
    Article("Un port sans texte", (), language="fr", image_caption="Le port, vu du ciel", image_url="https://i/x.jpg"),
    Article("Harbour again", ("",), language=None, published="not a date"),
    Article("Harbour, the story", ("Another harbour report.",), language="en", published="2026-02-27T08:30:00"),
]  # fmt: skip


def _query(text: str) -> Query:
    parsed = parse(text)
    assert not isinstance(parsed, QueryProblem)
    return parsed


@pytest.fixture
def loaded(sqlite_store: Store) -> tuple[Store, list[int]]:
    with sqlite_store.transaction() as connection:
        ids = search.bulk_load(connection, [(f"f:{n}", a) for n, a in enumerate(ARTICLES)])
        connection.execute(
            sa.text("UPDATE articles SET story_id = 3 WHERE id IN (:a, :b)"), {"a": ids[0], "b": ids[4]}
        )
    return sqlite_store, ids


def test_the_plain_query_returns_what_the_built_one_does(loaded: tuple[Store, list[int]]) -> None:
    store, _ = loaded
    with store.reading() as connection:
        for text in ("harbour", "ميناء", "port", "harbour story", "nothing"):
            for window, limit in ((1000, 100), (2, 100), (1000, 1)):
                fast = sqlite.candidates(connection, _query(text), Filters(), limit, window)
                general = sqlite.built(connection, _query(text), [], limit, window)
                assert fast == general, text
                assert all(type(c) is Candidate for c in fast)
        assert sqlite.candidates(connection, _query("harbour"), Filters())  # not vacuous


def test_the_plain_querys_scores_are_bm25s_to_the_last_bit(sqlite_store: Store) -> None:
    """The plain query hands its rows over as JSON: each score must read back as the same float
    (and the rows as the same rows) for texts of every length, on many matching articles."""
    vocabulary = [f"w{n}" for n in range(40)]
    made = [
        Article(
            " ".join(vocabulary[(n * 7 + k) % 40] for k in range(1 + n % 5)),
            tuple(
                " ".join(vocabulary[(n * k + 3) % 40] for k in range(n % 17 + 1)) for _ in range(1 + n % 3)
            ),
            language="en",
            published=(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n)).isoformat(),
        )
        for n in range(300)
    ]
    with sqlite_store.transaction() as connection:
        search.bulk_load(connection, [(f"m:{n}", a) for n, a in enumerate(made)])
    with sqlite_store.reading() as connection:
        compared = 0
        for word in vocabulary:
            for window, limit in ((1000, 100), (50, 10)):
                fast = sqlite.candidates(connection, _query(word), Filters(), limit, window)
                assert fast == sqlite.built(connection, _query(word), [], limit, window), word
                compared += len(fast)
        assert compared > 1000, "not vacuous"


def test_shown_rows_read_through_the_driver_equal_sqlalchemys(loaded: tuple[Store, list[int]]) -> None:
    store, ids = loaded
    with store.reading() as connection:
        fast = search._shown(connection, [*ids, 999_999])
        rows = connection.execute(search._SHOWN, {"ids": [*ids, 999_999]})
        general = {
            row.id: search._Shown(summary_of(row), search._body(row.body_paragraphs, row.image_caption))
            for row in rows
        }
    assert fast == general and set(fast) == set(ids)
    assert fast[ids[2]].body == "Le port, vu du ciel"  # no paragraph: the caption
    assert fast[ids[0]].summary.updated_at.tzinfo is not None
    assert fast[ids[0]].summary.section == "economy"


def test_a_failing_statement_is_raised_as_sqlalchemys_error(sqlite_store: Store) -> None:
    with sqlite_store.reading() as connection, pytest.raises(sa.exc.OperationalError, match="no such table"):
        sqlite.fetched(connection, "SELECT * FROM no_such_table WHERE x = ?", (1,))


def _blended(c: Candidate, terms: frozenset[str], now: datetime) -> float:
    """The blend as first written, on datetimes (the reference the ranking must equal)."""
    title = set(c.title_terms.split())
    title_fraction = len(terms & title) / len(terms) if terms else 0.0
    try:
        when = as_utc(datetime.fromisoformat(c.published)) if c.published else None
    except ValueError:
        when = None
    age = None if when is None else max(0.0, (now - when).total_seconds() / 86400)
    decay = 0.0 if age is None else math.pow(0.5, age / HALF_LIFE_DAYS)
    return c.relevance * (1 + TITLE_SHARE * title_fraction) * ((1 - RECENCY_SHARE) + RECENCY_SHARE * decay)


def _reference(candidates: list[Candidate], terms: frozenset[str], now: datetime) -> list[Ranked]:
    unique = {c.article_id: c for c in candidates}.values()
    scored = sorted(((_blended(c, terms, now), c) for c in unique), key=lambda p: (-p[0], -p[1].article_id))
    entries: list[Ranked] = []
    at: dict[int, int] = {}
    for score, c in scored:
        if c.story_id is not None and c.story_id in at:
            first = entries[at[c.story_id]]
            entries[at[c.story_id]] = first._replace(grouped=(*first.grouped, c.article_id))
            continue
        if c.story_id is not None:
            at[c.story_id] = len(entries)
        entries.append(Ranked(c.article_id, score, c.story_id))
    return entries


_PUBLISHED = st.one_of(
    st.none(),
    st.just("yesterday"),
    st.datetimes(datetime(2020, 1, 1), datetime(2027, 1, 1)).map(lambda d: d.isoformat()),
    st.datetimes(datetime(2020, 1, 1), datetime(2027, 1, 1)).map(lambda d: d.date().isoformat()),
    st.datetimes(datetime(2020, 1, 1), datetime(2027, 1, 1)).map(lambda d: d.isoformat() + "+05:30"),
)
_CANDIDATE = st.builds(
    Candidate,
    st.integers(1, 40),
    st.floats(0.01, 50, allow_nan=False),
    _PUBLISHED,
    st.one_of(st.none(), st.integers(1, 5)),
    st.lists(st.sampled_from(["port", "ship", "vote", "ميناء"]), max_size=4).map(" ".join),
)


@given(
    st.lists(_CANDIDATE, max_size=30),
    st.frozensets(st.sampled_from(["port", "ship", "vote", "ميناء"]), max_size=3),
    st.datetimes(datetime(2020, 1, 1), datetime(2027, 1, 1)),
    st.sampled_from([UTC, timezone(timedelta(hours=-3))]),
)
@settings(max_examples=300, deadline=None)
def test_ranking_on_integer_times_equals_the_blend_on_datetimes(
    candidates: list[Candidate], terms: frozenset[str], now: datetime, zone: timezone
) -> None:
    aware = now.replace(tzinfo=zone)
    assert rank(candidates, terms, aware) == _reference(candidates, terms, aware)


def _cache_kib(connection: sa.Connection) -> int:
    return -int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())


def test_a_connection_that_searches_gets_the_larger_page_cache_once(loaded: tuple[Store, list[int]]) -> None:
    """A connection that searches reads the index with :data:`sqlite.SEARCH_CACHE_KIB` of cache, and
    keeps it; one that never searched (a writer's, before any search) has SQLite's default."""
    store, _ = loaded
    with store.transaction() as writer:
        default = _cache_kib(writer)
    assert default < sqlite.SEARCH_CACHE_KIB
    with store.reading() as connection:
        assert _cache_kib(connection) == default
        assert sqlite.candidates(connection, _query("harbour"), Filters())
        assert _cache_kib(connection) == sqlite.SEARCH_CACHE_KIB
        connection.exec_driver_sql(f"PRAGMA cache_size=-{default}")  # set once: not set again
        assert sqlite.candidates(connection, _query("port"), Filters())
        assert _cache_kib(connection) == default

    def searched_elsewhere() -> int:  # another thread, its own connection, through the service
        assert search.search(store, "harbour").hits
        with store.reading() as its_own:
            return _cache_kib(its_own)

    with ThreadPoolExecutor(1) as other:
        assert other.submit(searched_elsewhere).result() == sqlite.SEARCH_CACHE_KIB
