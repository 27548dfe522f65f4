"""Statements read through the driver (akhbar.store.prepared) give what SQLAlchemy gives: the same
rows, values of the same types, the same errors, and the same query plans."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from akhbar.models import Article
from akhbar.services import search
from akhbar.store import Store, prepared
from akhbar.store.articles import _BY_ID, get_article
from akhbar.store.drafts import _PUBLISHED_AS
from akhbar.store.images import _SHOWN as _PHOTOS
from akhbar.store.portal import _LINKED, Filters, _bound, _statement, related
from akhbar.store.tables import articles, breaking, newsroom_entries

ARTICLES = [
    Article("Harbour news", ("The harbour opened.", "Ships «waited» & left."), language="en",
            published="2026-03-01T10:00:00+02:00", site_name="Port", url="https://p.example/1",
            authors=("A. Writer",), section="economy"),
    Article("ميناء المدينة", ("افتتح الميناء اليوم.",), language="ar", published="2026-03-02"),
    Article("Un port sans texte", (), language="fr", image_caption="Le port, vu du ciel", image_url="https://i/x.jpg"),
    Article("Harbour again", ("The harbour opened.", "Ships «waited» & left."), language=None),
]  # fmt: skip


@pytest.fixture
def loaded(store: Store) -> tuple[Store, list[int]]:
    with store.transaction() as connection:
        ids = search.bulk_load(connection, [(f"p:{n}", a) for n, a in enumerate(ARTICLES)])
        connection.execute(
            sa.update(articles)
            .where(articles.c.id == ids[3])
            .values(duplicate_of=ids[0], duplicate_kind="same", story_id=None)
        )
        now = datetime(2026, 3, 3, 12, tzinfo=UTC)
        connection.execute(
            sa.insert(newsroom_entries).values(
                key="e1", state="published", title="Harbour news", revision=1, article_id=ids[0],
                created_by="editor", created_at=now, updated_at=now, published_at=now,
            )
        )  # fmt: skip
    return store, ids


def _both(
    connection: sa.Connection, statement: sa.Select[Any], values: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """The rows :func:`prepared.read` gives, checked equal to SQLAlchemy's, value by value and type by type."""
    fast = [tuple(row) for row in prepared.read(connection, statement, values)]
    general = [tuple(row) for row in connection.execute(statement, values)]
    assert fast == general
    assert [[type(v) for v in row] for row in fast] == [[type(v) for v in row] for row in general]
    return fast


def test_reads_equal_sqlalchemys_rows(loaded: tuple[Store, list[int]]) -> None:
    store, ids = loaded
    with store.reading() as connection:
        article = _both(connection, _BY_ID, {"article_id": ids[0]})
        assert len(article) == 1  # not vacuous: JSON lists and dates converted alike
        assert _both(connection, _BY_ID, {"article_id": 999_999}) == []
        linked = {"own": [ids[0]], "roots": [ids[0], ids[3]], "article_id": ids[3]}
        assert len(_both(connection, _LINKED, linked)) == 1
        for own, roots in (([], [ids[0]]), ([], []), ([ids[1], ids[2]], [])):  # empty lists included
            _both(connection, _LINKED, {"own": own, "roots": roots, "article_id": ids[0]})
        assert _both(connection, _PHOTOS, {"ids": ids}) == []
        assert len(_both(connection, _PUBLISHED_AS, {"article_id": ids[0]})) == 1
        listed = Filters(language="en")
        assert len(_both(connection, _statement(connection, listed, None), _bound(listed, None, 10))) == 1
        dated = sa.select(breaking.c.id).where(breaking.c.until > sa.bindparam("now"))  # a date bound
        _both(connection, dated, {"now": datetime.now(UTC) - timedelta(days=1)})


def test_rows_are_read_by_name_as_sqlalchemys_are(loaded: tuple[Store, list[int]]) -> None:
    store, ids = loaded
    with store.reading() as connection:
        stored = get_article(connection, ids[0])
        copies = related(connection, ids[0])
        row = prepared.first(connection, _BY_ID, {"article_id": ids[0]})
    assert stored is not None and stored.article == replace(ARTICLES[0], story_id=stored.article.story_id)
    assert stored.created_at.tzinfo is not None
    assert [(summary.id, relation) for summary, relation in copies] == [(ids[3], "same")]
    assert row is not None and row.title == row[list(articles.c.keys()).index("title")] == "Harbour news"


def test_a_missing_value_and_a_failing_statement_are_sqlalchemys_errors(sqlite_store: Store) -> None:
    with sqlite_store.reading() as connection:
        with pytest.raises(sa.exc.ArgumentError, match="article_id"):
            prepared.read(connection, _BY_ID, {})
        missing = sa.select(sa.table("no_such_table", sa.column("x"))).where(
            sa.column("x") == sa.bindparam("x")
        )
        with pytest.raises(sa.exc.OperationalError, match="no such table"):
            prepared.read(connection, missing, {"x": 1})


def test_an_empty_list_keeps_the_indexes(sqlite_store: Store) -> None:
    """``IN ()`` beside an ``OR`` made SQLite scan every article; the empty set SQLAlchemy writes
    keeps both sides on their indexes."""
    plan = prepared._plan(_LINKED, sqlite_store.engine.dialect)
    assert plan is not None
    sql, values = plan.sql({"own": [], "roots": [7], "article_id": 7})
    with sqlite_store.reading() as connection:
        steps = [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", values)]
    assert steps and not any(step.startswith("SCAN articles") for step in steps), steps


def test_a_plan_is_made_once_per_statement_and_dropped_with_it(sqlite_store: Store) -> None:
    statement = sa.select(articles.c.id).where(articles.c.id == sa.bindparam("article_id"))
    with sqlite_store.reading() as connection:
        prepared.read(connection, statement, {"article_id": 1})
        kept = prepared._plans[connection.dialect]
        assert id(statement) in kept
        made = kept[id(statement)]
        prepared.read(connection, statement, {"article_id": 2})
        assert kept[id(statement)] is made
        key = id(statement)
        del statement
        assert key not in kept


def _rows(connection: sa.Connection, table: sa.Table) -> list[tuple[Any, ...]]:
    """The table's rows as SQLAlchemy reads them, each followed by what SQLite holds (JSON text, say)."""
    order = ", ".join(c.name for c in table.primary_key.columns)
    stored = connection.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY {order}").all()
    read = connection.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
    return [(*row, *raw) for row, raw in zip(read, stored, strict=True)]


def _written(
    connection: sa.Connection, table: sa.Table, statement: Any, batches: list[Any]
) -> list[tuple[Any, ...]]:
    """The rows ``batches`` of values leave in ``table`` through the driver, checked equal, value by
    value and type by type, to those SQLAlchemy leaves from an empty table."""
    connection.execute(sa.delete(table))
    for values in batches:
        prepared.write(connection, statement, values)
    fast = _rows(connection, table)
    connection.execute(sa.delete(table))
    for values in batches:
        connection.execute(statement, values)
    general = _rows(connection, table)
    assert fast == general
    assert [[type(v) for v in row] for row in fast] == [[type(v) for v in row] for row in general]
    return fast


def test_writes_store_what_sqlalchemy_stores(sqlite_store: Store) -> None:
    """The ingest path's writes through the driver: an upsert with dates, JSON and NULLs, blobs,
    64-bit keys, rows skipped when already there; and SQLAlchemy's errors."""
    from akhbar.models import Entry
    from akhbar.store import seen
    from akhbar.store.engine import built_upsert
    from akhbar.store.tables import article_signatures, dedupe_bands, seen_urls, stories, story_keys

    when = datetime(2026, 3, 3, 12, 30, 15, 250, tzinfo=UTC)
    with sqlite_store.transaction() as connection:
        [article_id] = search.bulk_load(connection, [("k", ARTICLES[0])])
        columns = (*seen._MARKED, "entry")
        upsert = built_upsert(connection, seen_urls, columns, lambda insert: seen._mark(insert, columns))
        url = "https://p.example/a"
        first = {
            "url_hash": seen.url_hash(url),
            "url": url,
            "source_id": None,
            "status": "stored",
            "updated": None,
            "reason": None,
            "article_id": article_id,
            "seen_at": when,
            "attempts": 0,
            "retry_at": when,
            "entry": Entry(url, title="Un «titre»").to_json(),
        }
        again = {**first, "status": "retry", "reason": "HTTP 503", "retry_at": None, "entry": None}
        [row] = _written(connection, seen_urls, upsert, [first, again])
        assert row[-1] == "null", "no entry: JSON null, as SQLAlchemy writes it, not SQL NULL"

        signature = {
            "article_id": article_id,
            "minhash": b"\x00\x01",
            "embedding": None,
            "story_id": None,
            "duplicate_of": None,
            "duplicate_kind": None,
        }
        _written(connection, article_signatures, sa.insert(article_signatures), [signature])
        bands = [{"band": band, "article_id": article_id} for band in (-(2**63), 0, 2**63 - 1)]
        assert len(_written(connection, dedupe_bands, sa.insert(dedupe_bands), [bands])) == 3

        [story_id] = connection.execute(
            sa.insert(stories)
            .values(first_seen=when, last_seen=when, titles={}, sources=[], entities=[], centroid=b"")
            .returning(stories.c.id)
        ).scalars()
        keys = built_upsert(
            connection, story_keys, "ignoring", lambda insert: insert.on_conflict_do_nothing()
        )
        batch = [{"key": key, "story_id": story_id} for key in (2**62, -7)]
        assert len(_written(connection, story_keys, keys, [batch, batch[1:]])) == 2

        with pytest.raises(sa.exc.IntegrityError):  # the error SQLAlchemy raises
            prepared.write(connection, sa.insert(dedupe_bands), bands[:1])
        with pytest.raises(sa.exc.ArgumentError):
            prepared.write(
                connection, sa.update(dedupe_bands).values(band=sa.bindparam("new_band")), {"x": 1}
            )
