"""The storage suite: every test runs on SQLite and on the real PostgreSQL cluster."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from akhbar.errors import StoreError
from akhbar.models import Article, Document, Entry
from akhbar.store import Store, articles, documents, seen
from akhbar.store.engine import current_revision, head_revision, migration_heads
from akhbar.store.tables import is_search_private, metadata

ARABIC = Article(
    title="السفارة المغربية ببلجيكا تنظم حفل استقبال",
    body_paragraphs=("فقرة أولى عن الحفل.", "فقرة ثانية، مع «اقتباس» و OTAN."),
    language="ar",
    site_name="بلادي نيوز",
    published="2024-10-18",
    authors=("كاتب",),
    headlines=("عنوان آخر",),
)


def _document(data: bytes = b"<html>page</html>", location: str = "/tmp/page.html") -> Document:
    return Document(location=location, data=data, content_type="text/html", fetched_at=datetime.now(UTC))


def test_new_database_is_at_head_and_matches_the_tables(store: Store) -> None:
    assert current_revision(store.engine) == head_revision()
    with store.engine.connect() as connection:
        # the search index's backend-specific objects (FTS5 table, tsvector column) are not in tables.py
        opts = {
            "include_name": lambda name, *_: not is_search_private(name),
            "include_object": lambda _obj, name, *_: not is_search_private(name),
        }
        diff = compare_metadata(MigrationContext.configure(connection, opts=opts), metadata)
    assert diff == []


def test_the_schema_this_code_needs_is_the_migrations_head() -> None:
    assert migration_heads() == {head_revision()}


def test_opening_a_database_at_head_loads_no_alembic(tmp_path: Path) -> None:
    """Only migrating needs Alembic: a process that opens a current database does without it."""
    url = f"sqlite:///{tmp_path / 'a.db'}"
    Store(url).close()  # created and migrated here
    code = (
        "import sys\n"
        "from akhbar.store import Store\n"
        f"Store({url!r}, create=False).close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_raw_document_round_trip_keeps_bytes_and_headers(store: Store) -> None:
    data = bytes(range(256)) * 100
    doc = Document(
        "https://example.org/a", data, "text/html", "https://example.org/a", headers=(("ETag", "x"),)
    )
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, doc, None)
    with store.reading() as connection:
        found = documents.find_raw(connection, doc.sha256)
    assert found is not None
    assert found.id == raw_id
    assert not found.has_outcome
    assert found.document.data == data
    assert found.document.headers == (("ETag", "x"),)


def test_a_known_raw_document_says_its_id_and_whether_it_has_an_outcome(store: Store) -> None:
    rejected, stored = (
        _document(location="/rejected.html"),
        _document(location="/stored.html", data=b"<p>b</p>"),
    )
    with store.transaction() as connection:
        assert documents.known_raw(connection, rejected.sha256) is None
        rejected_id = documents.insert_raw(connection, rejected, None)
        stored_id = documents.insert_raw(connection, stored, None)
        assert documents.known_raw(connection, rejected.sha256) == (rejected_id, False)
        documents.upsert_rejection(connection, rejected_id, rejected.location, "too short")
        articles.upsert_article(connection, "k", stored_id, Article("T", ("Body.",), "en"), None)
    with store.reading() as connection:
        assert documents.known_raw(connection, rejected.sha256) == (rejected_id, True)
        assert documents.known_raw(connection, stored.sha256) == (stored_id, True)
        assert documents.known_raw(connection, "0" * 64) is None


def test_duplicate_raw_content_is_refused_by_the_schema(store: Store) -> None:
    with store.transaction() as connection:
        documents.insert_raw(connection, _document(), None)
    with pytest.raises(sa.exc.IntegrityError), store.transaction() as connection:
        documents.insert_raw(connection, _document(location="/elsewhere.html"), None)


def test_raw_content_stored_at_once_by_several_workers_is_one_row(store: Store) -> None:
    start = threading.Barrier(6)

    def store_once(n: int) -> tuple[int, bool]:
        start.wait()
        with store.transaction() as connection:
            return documents.insert_raw_once(connection, _document(location=f"/copy{n}.html"), None)

    with ThreadPoolExecutor(6) as workers:
        outcomes = list(workers.map(store_once, range(6)))
    assert len({raw_id for raw_id, _ in outcomes}) == 1
    assert [inserted for _, inserted in outcomes].count(True) == 1


def test_a_url_marked_at_once_by_several_workers_is_one_row_and_keeps_its_entry(store: Store) -> None:
    url = "https://example.com/news/1"
    with store.transaction() as connection:
        seen.mark_seen(connection, url, source_id=None, status="queued", entry=Entry(url, title="First"))
    start = threading.Barrier(6)

    def mark(n: int) -> None:
        start.wait()
        with store.transaction() as connection:
            seen.mark_seen(connection, url, source_id=None, status="error", reason=f"worker {n}", attempts=n)

    with ThreadPoolExecutor(6) as workers:
        list(workers.map(mark, range(6)))
    with store.reading() as connection:
        rows = connection.execute(sa.text("SELECT count(*) FROM seen_urls")).scalar()
        known = seen.find_seen(connection, url)
    assert rows == 1 and known is not None
    assert known.status == "error" and known.reason == f"worker {known.attempts}"
    assert known.entry is not None and known.entry.title == "First"  # a mark without an entry keeps it
    with store.transaction() as connection:
        seen.mark_seen(connection, url, source_id=None, status="stored", entry=Entry(url, title="Second"))
    with store.reading() as connection:
        again = seen.find_seen(connection, url)
    assert again is not None and again.status == "stored" and again.attempts == 0
    assert again.entry is not None and again.entry.title == "Second"


def test_article_insert_then_update_in_place(store: Store) -> None:
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, _document(), None)
        first_id, created = articles.upsert_article(connection, "k", raw_id, ARABIC, None)
    assert created
    edited = Article(title="عنوان معدل", body_paragraphs=("نص جديد.",), language="ar")
    with store.transaction() as connection:
        raw2 = documents.insert_raw(connection, _document(b"<html>edited</html>"), None)
        second_id, created = articles.upsert_article(connection, "k", raw2, edited, None)
    assert (second_id, created) == (first_id, False)
    with store.reading() as connection:
        stored = articles.get_article(connection, first_id)
        assert articles.count_articles(connection) == 1
    assert stored is not None
    assert stored.raw_id == raw2
    assert stored.article == edited


def test_unicode_fields_round_trip_exactly(store: Store) -> None:
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, _document(), None)
        article_id, _ = articles.upsert_article(connection, "k", raw_id, ARABIC, None)
    with store.reading() as connection:
        stored = articles.get_article(connection, article_id)
    assert stored is not None
    assert stored.article == ARABIC
    assert stored.created_at.tzinfo is not None


def test_json_columns_store_text_as_written_and_read_older_escaped_rows(store: Store) -> None:
    """An Arabic body is stored as UTF-8 text (2 bytes a letter), not as ``\\uXXXX`` escapes (6);
    a lone surrogate, which UTF-8 cannot hold, is stored escaped; rows stored escaped (by earlier
    versions) read as they did."""
    broken = Article(title="t", body_paragraphs=("a \udc80 b", "ب"), language="ar")
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, _document(), None)
        arabic_id, _ = articles.upsert_article(connection, "ar", raw_id, ARABIC, None)
        broken_id, _ = articles.upsert_article(connection, "broken", raw_id, broken, None)
        older_id, _ = articles.upsert_article(connection, "older", raw_id, ARABIC, None)
        older = json.dumps(list(ARABIC.body_paragraphs))  # as the json module writes it by default
        value = "CAST(:b AS JSON)" if store.dialect == "postgresql" else ":b"
        connection.execute(
            sa.text(f"UPDATE articles SET body_paragraphs = {value} WHERE id = :i"),
            {"b": older, "i": older_id},
        )
    with store.reading() as connection:
        stored = dict(
            connection.execute(sa.text("SELECT id, CAST(body_paragraphs AS TEXT) FROM articles")).all()
        )
        read = {i: articles.get_article(connection, i) for i in (arabic_id, broken_id, older_id)}
    assert "فقرة أولى" in stored[arabic_id] and "\\u" not in stored[arabic_id]
    assert "\\udc80" in stored[broken_id]
    assert "\\u0641" in stored[older_id]
    assert [r.article.body_paragraphs for r in read.values() if r is not None] == [
        ARABIC.body_paragraphs,
        broken.body_paragraphs,
        ARABIC.body_paragraphs,
    ]


def test_list_orders_newest_publication_first_and_filters(store: Store) -> None:
    dated = [("2024-10-18", "ar"), (None, "fr"), ("2024-10-19T08:00:00", "fr"), ("2023-01-02", "en")]
    with store.transaction() as connection:
        for n, (published, language) in enumerate(dated):
            raw_id = documents.insert_raw(connection, _document(f"<p>{n}</p>".encode()), None)
            article = Article(title=f"t{n}", body_paragraphs=("b",), language=language, published=published)
            articles.upsert_article(connection, f"k{n}", raw_id, article, None)
    with store.reading() as connection:
        titles = [s.article.title for s in articles.list_articles(connection)]
        french = [s.article.title for s in articles.list_articles(connection, language="fr")]
        page = [s.article.title for s in articles.list_articles(connection, limit=2, offset=1)]
    assert titles == ["t2", "t0", "t3", "t1"]
    assert french == ["t2", "t1"]
    assert page == ["t0", "t3"]


def test_rejection_replaces_itself_and_is_listed(store: Store) -> None:
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, _document(), None)
        documents.upsert_rejection(connection, raw_id, "/tmp/page.html", "no body")
        documents.upsert_rejection(connection, raw_id, "/tmp/page.html", "still no body")
    with store.reading() as connection:
        listed = documents.list_rejections(connection)
        found = documents.find_raw(connection, _document().sha256)
    assert [r.reason for r in listed] == ["still no body"]
    assert found is not None
    assert found.has_outcome


def test_outdated_schema_is_refused(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        connection.execute(sa.text("INSERT INTO alembic_version VALUES ('0000')"))
    engine.dispose()
    with pytest.raises(StoreError, match="akhbar db upgrade"):
        Store(database_url)


def test_unsupported_or_broken_urls_are_store_errors() -> None:
    with pytest.raises(StoreError, match="unsupported database"):
        Store("mysql://localhost/akhbar")
    with pytest.raises(StoreError, match="invalid database URL"):
        Store("not a url")


def test_sqlite_runs_in_wal_mode(sqlite_store: Store) -> None:
    with sqlite_store.reading() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA wal_autocheckpoint")).scalar() == 10000
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_threads_writing_at_once_neither_fail_nor_lose_updates(sqlite_store: Store) -> None:
    """Each transaction reads a count, then writes it back plus one: the others wait their turn (a
    thread whose snapshot went stale would otherwise fail with "database is locked")."""
    with sqlite_store.transaction() as connection:
        connection.execute(sa.text("CREATE TABLE tally (n INTEGER NOT NULL)"))
        connection.execute(sa.text("INSERT INTO tally VALUES (0)"))

    def add_one(_: int) -> None:
        with sqlite_store.transaction() as connection:
            n = connection.execute(sa.text("SELECT n FROM tally")).scalar_one()
            time.sleep(0.001)
            connection.execute(sa.text("UPDATE tally SET n = :n"), {"n": n + 1})

    try:
        with ThreadPoolExecutor(8) as threads:
            list(threads.map(add_one, range(200)))
        with sqlite_store.reading() as connection:
            assert connection.execute(sa.text("SELECT n FROM tally")).scalar_one() == 200
    finally:
        with sqlite_store.transaction() as connection:
            connection.execute(sa.text("DROP TABLE tally"))


def test_migrations_downgrade_to_base_and_back(store: Store) -> None:
    from alembic import command

    from akhbar.store.engine import _alembic_config, upgrade

    with store.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "base")
    assert current_revision(store.engine) is None
    with store.engine.connect() as connection:
        assert sa.inspect(connection).get_table_names() == ["alembic_version"]
    upgrade(store.engine)
    assert current_revision(store.engine) == head_revision()


def _connection_id(store: Store) -> int:
    with store.reading() as connection:
        return id(connection.connection.dbapi_connection)


def test_sqlite_readers_keep_one_connection_per_thread(sqlite_store: Store) -> None:
    """A thread reads on its own connection, kept open between reads; other threads get theirs."""
    mine = _connection_id(sqlite_store)
    assert _connection_id(sqlite_store) == mine
    with sqlite_store.reading() as outer, sqlite_store.reading() as inner:
        assert inner is outer  # a nested read shares the connection
    with ThreadPoolExecutor(4) as pool:
        others = set(pool.map(lambda _: _connection_id(sqlite_store), range(4)))
    assert mine not in others


def test_a_kept_reading_connection_sees_each_new_commit(sqlite_store: Store) -> None:
    """Each read ends its transaction: the next one sees what was committed meanwhile."""
    with sqlite_store.reading() as connection:
        before = connection.execute(sa.text("SELECT count(*) FROM raw_documents")).scalar_one()
    with sqlite_store.transaction() as connection:
        documents.insert_raw(connection, _document(b"<html>new</html>"), None)
    with sqlite_store.reading() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM raw_documents")).scalar_one() == before + 1


def test_closing_the_store_closes_every_kept_connection(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'kept.db'}")
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda _: _connection_id(store), range(6)))
    _connection_id(store)
    store.close()
    assert store.engine.pool.checkedout() == 0
