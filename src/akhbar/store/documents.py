"""Raw documents and rejections: what was received, kept before anything else happens to it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

from akhbar.models import Document, Entry, StoredRejection, as_utc
from akhbar.store import packing, prepared
from akhbar.store.engine import built_upsert, inserted_id
from akhbar.store.tables import articles, raw_documents, rejections


@dataclass(frozen=True)
class RawRecord:
    """A stored raw document and whether extraction has already produced an outcome for it."""

    id: int
    document: Document
    has_outcome: bool
    source_id: int | None
    entry: Entry | None = None  # the listing entry the page came from (its fallbacks)


def raw_key(document: Document, entry: Entry | None = None) -> str:
    """A raw document's identity (its ``sha256`` column): the SHA-256 of its bytes, and for a page
    a source lists, of its bytes and the listed URL. The same page fetched again for the same item
    is the same document ("unchanged"); byte-identical pages of two different items (an app shell
    whose articles are only in the feed) are two documents, each completed from its own entry and
    each with its own outcome, so neither item is lost or replaces the other's article."""
    if entry is None:
        return document.sha256
    digest = hashlib.sha256(document.data)  # the bytes are not copied to append the URL
    digest.update(b"\0" + entry.url.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


# whether extraction has already produced an outcome for the raw document of the row (an article or
# a rejection), read with the row itself
_HAS_OUTCOME = sa.or_(
    sa.exists().where(articles.c.raw_id == raw_documents.c.id),
    sa.exists().where(rejections.c.raw_id == raw_documents.c.id),
).label("has_outcome")
_RAW = sa.select(raw_documents, _HAS_OUTCOME)
_BY_KEY = _RAW.where(raw_documents.c.sha256 == sa.bindparam("sha256"))  # read by the driver


class KnownRaw(NamedTuple):
    """A stored raw document's id, and whether extraction has already produced an outcome for it."""

    id: int
    has_outcome: bool


_KNOWN = sa.select(raw_documents.c.id, _HAS_OUTCOME).where(raw_documents.c.sha256 == sa.bindparam("sha256"))


def known_raw(connection: sa.Connection, sha256: str) -> KnownRaw | None:
    """What ingesting needs to know of the raw document stored under ``sha256``, in one read that
    leaves its bytes in the database (a page fetched again unchanged is not copied out)."""
    row = prepared.first(connection, _KNOWN, {"sha256": sha256})
    return None if row is None else KnownRaw(int(row.id), bool(row.has_outcome))


def find_raw(connection: sa.Connection, sha256: str) -> RawRecord | None:
    row = prepared.first(connection, _BY_KEY, {"sha256": sha256})
    return None if row is None else _record(row)


def _record(row: Any) -> RawRecord:
    """A raw document from a row of :data:`_RAW` (SQLAlchemy's, or :func:`prepared.read`'s)."""
    entry = Entry.from_json(row.entry) if row.entry else None
    return RawRecord(row.id, _document(row), bool(row.has_outcome), row.source_id, entry)


def _document(row: Any) -> Document:
    return Document(
        location=row.location,
        data=packing.unpack(row.data, row.compression),
        content_type=row.content_type,
        url=row.url,
        fetched_at=row.fetched_at,
        headers=tuple((str(k), str(v)) for k, v in row.headers),
    )


def _raw_values(
    document: Document,
    source_id: int | None,
    entry: Entry | None,
    key: str | None = None,
    packed: packing.Packed | None = None,
) -> dict[str, Any]:
    data, compression = packed or packing.pack(document.data)
    return {
        "sha256": key or raw_key(document, entry),
        "location": document.location,
        "url": document.url,
        "content_type": document.content_type,
        "headers": [list(pair) for pair in document.headers],
        "data": data,
        "compression": compression,
        "fetched_at": document.fetched_at,
        "source_id": source_id,
        "entry": entry.to_json() if entry else None,
    }


def insert_raw(
    connection: sa.Connection, document: Document, source_id: int | None, entry: Entry | None = None
) -> int:
    result = connection.execute(sa.insert(raw_documents).values(**_raw_values(document, source_id, entry)))
    return inserted_id(result, raw_documents)


_ID_BY_KEY = sa.select(raw_documents.c.id).where(raw_documents.c.sha256 == sa.bindparam("sha256"))


def _insert_once(insert: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: nothing when the key is stored already."""
    return insert.on_conflict_do_nothing(index_elements=["sha256"]).returning(raw_documents.c.id)


def insert_raw_once(
    connection: sa.Connection,
    document: Document,
    source_id: int | None,
    entry: Entry | None = None,
    *,
    key: str | None = None,
    packed: packing.Packed | None = None,
) -> tuple[int, bool]:
    """Insert the raw document unless its content is stored already (by another worker a moment
    ago, which this waits for on PostgreSQL): the stored row's id, and whether this call stored it.
    ``key`` is its :func:`raw_key` and ``packed`` its bytes as stored (:func:`packing.pack`) when
    the caller has them already: both take a while for a large page, better spent before a
    transaction than inside it."""
    values = _raw_values(document, source_id, entry, key, packed)
    inserted = connection.execute(
        built_upsert(connection, raw_documents, "once", _insert_once), values
    ).scalar()
    if inserted is not None:
        return int(inserted), True
    return int(connection.execute(_ID_BY_KEY, {"sha256": values["sha256"]}).scalar_one()), False


def raw_ids(connection: sa.Connection, source_id: int | None = None) -> list[int]:
    query = sa.select(raw_documents.c.id).order_by(raw_documents.c.id)
    if source_id is not None:
        query = query.where(raw_documents.c.source_id == source_id)
    return [int(raw_id) for raw_id in connection.execute(query).scalars()]


def get_raw(connection: sa.Connection, raw_id: int) -> RawRecord | None:
    row = connection.execute(_RAW.where(raw_documents.c.id == raw_id)).first()
    return None if row is None else _record(row)


def upsert_rejection(connection: sa.Connection, raw_id: int, location: str, reason: str) -> int:
    """Record (or replace) the rejection of a raw document; an article from it is removed."""
    connection.execute(sa.delete(rejections).where(rejections.c.raw_id == raw_id))
    result = connection.execute(
        sa.insert(rejections).values(
            raw_id=raw_id, location=location, reason=reason, created_at=datetime.now(UTC)
        )
    )
    return inserted_id(result, rejections)


_DROP_REJECTION = sa.delete(rejections).where(rejections.c.raw_id == sa.bindparam("rejected_raw_id"))


def delete_rejection(connection: sa.Connection, raw_id: int) -> None:
    connection.execute(_DROP_REJECTION, {"rejected_raw_id": raw_id})


def list_rejections(connection: sa.Connection, limit: int = 100) -> list[StoredRejection]:
    query = sa.select(rejections).order_by(rejections.c.id.desc()).limit(limit)
    return [
        StoredRejection(row.id, row.raw_id, row.location, row.reason, as_utc(row.created_at))
        for row in connection.execute(query)
    ]


def set_entry(connection: sa.Connection, raw_id: int, entry: Entry) -> None:
    """Keep the listing entry of an already stored raw page (the same bytes listed again)."""
    connection.execute(
        sa.update(raw_documents).where(raw_documents.c.id == raw_id).values(entry=entry.to_json())
    )
