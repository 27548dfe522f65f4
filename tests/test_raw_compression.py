"""Raw documents are stored compressed (Zstandard) and read back byte for byte: pages ingested
now, pages stored as they came before revision 0026 (and ``akhbar db compress`` for them), small
documents kept as they are, and a downgrade that gives the earlier schema its bytes back."""

from __future__ import annotations

import gzip
import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from akhbar.errors import StoreError
from akhbar.models import Document
from akhbar.services import database, ingest
from akhbar.services.stories import Grouping
from akhbar.store import Store, documents, packing
from akhbar.store.tables import raw_documents
from cli_runner import LE_MONDE, run

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _page() -> bytes:
    return gzip.decompress(LE_MONDE.read_bytes())


def _stored(store: Store, raw_id: int) -> tuple[bytes, str | None]:
    with store.reading() as connection:
        row = connection.execute(
            sa.select(raw_documents.c.data, raw_documents.c.compression).where(raw_documents.c.id == raw_id)
        ).one()
    return bytes(row.data), row.compression


def _pages(path: Path) -> int:
    """The pages the SQLite database takes (its write-ahead log's included)."""
    with closing(sqlite3.connect(path)) as db:
        return int(db.execute("PRAGMA page_count").fetchone()[0])


def _as_they_came(store: Store, document: Document) -> int:
    """A raw document stored as before revision 0026: its bytes as they came, no compression."""
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, document, None)
        connection.execute(
            sa.update(raw_documents)
            .where(raw_documents.c.id == raw_id)
            .values(data=document.data, compression=None)
        )
    return raw_id


def test_an_ingested_page_is_stored_compressed_and_read_back_whole(store: Store) -> None:
    page = _page()
    document = Document("https://www.lemonde.fr/a.html", page, "text/html", "https://www.lemonde.fr/a.html")
    result = ingest.ingest_document(store, document, grouping=Grouping(enabled=False))
    assert result.status == "stored"
    with store.reading() as connection:
        (raw_id,) = documents.raw_ids(connection)
        record = documents.get_raw(connection, raw_id)
        found = documents.find_raw(connection, documents.raw_key(document))
    data, compression = _stored(store, raw_id)
    assert compression == packing.ZSTD
    assert data.startswith(ZSTD_MAGIC)
    assert len(data) * 3 < len(page)  # a news page compresses well: this one to under a third
    assert record is not None and found is not None
    assert record.document.data == page == found.document.data
    # re-extracted from the stored bytes, the same article
    again = ingest.reprocess(store, grouping=Grouping(enabled=False))
    assert len(again) == 1 and again[0].status in ("updated", "unchanged")
    assert again[0].article_id == result.article_id


def test_small_and_incompressible_documents_are_stored_as_they_came(store: Store) -> None:
    small = Document("/small.txt", b"<p>" + b"a" * 300 + b"</p>", "text/html")
    noise = Document("/noise.bin", random.Random(5).randbytes(4096), "text/html")
    with store.transaction() as connection:
        ids = [documents.insert_raw(connection, d, None) for d in (small, noise)]
    for raw_id, document in zip(ids, (small, noise), strict=True):
        assert _stored(store, raw_id) == (document.data, None)
        with store.reading() as connection:
            record = documents.get_raw(connection, raw_id)
        assert record is not None and record.document.data == document.data


def test_a_packed_page_holds_no_more_memory_than_its_frame() -> None:
    """A batch of pages waits compressed for its transaction (``db compress`` holds 200): each frame
    holds its own size, not the room python-zstandard made for the whole page."""
    import tracemalloc

    page = gzip.decompress(LE_MONDE.read_bytes())
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [packing.pack(page) for _ in range(10)]
        held = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    finally:
        tracemalloc.stop()
    frame = len(kept[0].data)
    assert kept[0].compression == packing.ZSTD and frame < len(page) / 3
    assert held < frame + 500, (held, frame)


def test_db_compress_compresses_what_was_stored_as_it_came(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert run("db", "upgrade", data_dir=data_dir).code == 0
    store = Store(f"sqlite:///{data_dir / 'akhbar.db'}")
    page = _page()
    old = [Document(f"/old/{n}.html", page + f"<!-- {n} -->".encode(), "text/html") for n in range(30)]
    small = Document("/old/small.html", b"<p>short</p>", "text/html")
    try:
        ids = [_as_they_came(store, d) for d in [*old, small]]
        before = _pages(data_dir / "akhbar.db")
        done = run("db", "compress", "--vacuum", data_dir=data_dir)
        assert done.code == 0, done.err
        assert "compressed 30 raw documents" in done.out and "times smaller" in done.out
        assert "space given back to the disk" in done.out
        for raw_id, document in zip(ids, [*old, small], strict=True):
            with store.reading() as connection:
                record = documents.get_raw(connection, raw_id)
            assert record is not None and record.document.data == document.data
        assert [_stored(store, i)[1] for i in ids] == [packing.ZSTD] * 30 + [None]
        assert _pages(data_dir / "akhbar.db") * 3 < before
        again = run("db", "compress", data_dir=data_dir)
        assert again.code == 0 and "compressed 0 raw documents" in again.out
    finally:
        store.close()


def test_compress_raw_on_both_databases(store: Store) -> None:
    page = _page()
    raw_id = _as_they_came(store, Document("/old.html", page, "text/html"))
    with store.transaction() as connection:  # stored after it, with nothing to compress
        last = documents.insert_raw(connection, Document("/new.html", b"<p>short</p>", "text/html"), None)
    reached: list[int] = []
    done = database.compress_raw(store, batch=1, progress=reached.append)
    assert reached == [raw_id, last] and database.last_raw_id(store) == last
    assert (done.documents, done.before) == (1, len(page))
    assert done.after == len(_stored(store, raw_id)[0]) < len(page) // 3
    database.vacuum(store)
    with store.reading() as connection:
        record = documents.get_raw(connection, raw_id)
    assert record is not None and record.document.data == page
    assert database.compress_raw(store).documents == 0


def test_a_stored_document_that_cannot_be_read_back_is_a_store_error() -> None:
    packed = packing.pack(_page())
    assert packing.unpack(packed.data, packed.compression) == _page()
    with pytest.raises(StoreError, match="cannot read"):
        packing.unpack(packed.data, "lzma")
    with pytest.raises(StoreError, match="does not decompress"):
        packing.unpack(packed.data[: len(packed.data) // 2], packed.compression)


def test_downgrading_gives_the_earlier_schema_its_bytes(store: Store) -> None:
    from alembic import command

    from akhbar.store.engine import _alembic_config, upgrade

    page = _page()
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, Document("/a.html", page, "text/html"), None)
    assert _stored(store, raw_id)[1] == packing.ZSTD
    with store.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0025_most_read_totals")
    with store.engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("raw_documents")}
        data = connection.execute(sa.text("SELECT data FROM raw_documents WHERE id = :i"), {"i": raw_id})
        assert bytes(data.scalar_one()) == page
    assert "compression" not in columns
    upgrade(store.engine)
    with store.reading() as connection:
        record = documents.get_raw(connection, raw_id)
    assert record is not None and record.document.data == page
    assert _stored(store, raw_id)[1] is None  # as it came, until `akhbar db compress`


def test_sqlite_file_holds_the_compressed_bytes(tmp_path: Path) -> None:
    """What is on disk is the frame, not the page (read with SQLite itself, not through akhbar)."""
    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = Store(url)
    page = _page()
    try:
        with store.transaction() as connection:
            raw_id = documents.insert_raw(connection, Document("/a.html", page, "text/html"), None)
    finally:
        store.close()
    with closing(sqlite3.connect(tmp_path / "a.db")) as db:
        (data, compression) = db.execute(
            "SELECT data, compression FROM raw_documents WHERE id = ?", (raw_id,)
        ).fetchone()
    assert compression == "zstd" and data.startswith(ZSTD_MAGIC) and len(data) < len(page) // 3


def test_postgresql_does_not_compress_the_column_again(pg_store: Store) -> None:
    """TOAST leaves ``data`` as akhbar stored it (``STORAGE EXTERNAL``): a frame does not shrink."""
    with pg_store.reading() as connection:
        storage = connection.exec_driver_sql(
            "SELECT attstorage FROM pg_attribute"
            " WHERE attrelid = 'raw_documents'::regclass AND attname = 'data'"
        ).scalar_one()
    assert storage == "e"
