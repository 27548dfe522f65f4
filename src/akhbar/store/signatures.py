"""Near-duplicate signatures of articles: MinHash bytes, LSH band keys, and where each was placed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from akhbar.store.tables import article_signatures, articles, dedupe_bands


@dataclass(frozen=True)
class Placement:
    """What is kept of an article's placement: its signature, story and original (when a copy)."""

    article_id: int
    minhash: bytes
    story_id: int | None
    duplicate_of: int | None


def _placement(row: sa.Row[tuple[object, ...]]) -> Placement:
    m = row._mapping
    return Placement(m["article_id"], bytes(m["minhash"]), m["story_id"], m["duplicate_of"])


BAND_LOCKS = 7_130_418  # the advisory-lock space of band keys (see distributed._SCHEMA_LOCK)
# Transaction-scoped advisory locks on the band keys, taken in ascending order (the subquery's
# order is kept by OFFSET 0, a planner fence), so two transactions never wait on each other in turn.
_LOCK_BANDS = sa.text(
    "SELECT count(pg_advisory_xact_lock(:space, key)) FROM (SELECT DISTINCT key"
    " FROM unnest(CAST(:keys AS integer[])) AS band(key) ORDER BY key OFFSET 0) AS ordered"
)


def lock_bands(connection: sa.Connection, bands: Sequence[int]) -> None:
    """Hold the article's band keys until the transaction ends (PostgreSQL), so two copies of one
    text placed by two workers at once take turns: the second sees the first and becomes its copy.

    SQLite needs none: a process's transactions take turns (:class:`akhbar.store.Store`).
    """
    if connection.dialect.name != "postgresql" or not bands:
        return
    keys = sorted({(band % 2**32) - 2**31 for band in bands})  # 64-bit keys folded into int4
    connection.execute(_LOCK_BANDS, {"space": BAND_LOCKS, "keys": keys})


def get_placement(connection: sa.Connection, article_id: int) -> Placement | None:
    query = sa.select(article_signatures).where(article_signatures.c.article_id == article_id)
    row = connection.execute(query).first()
    return _placement(row) if row else None


_DROP_BANDS = sa.delete(dedupe_bands).where(dedupe_bands.c.article_id == sa.bindparam("target_id"))
_DROP_SIGNATURE = sa.delete(article_signatures).where(
    article_signatures.c.article_id == sa.bindparam("target_id")
)
_ADD_SIGNATURE = sa.insert(article_signatures)
_LINK = sa.update(articles).where(articles.c.id == sa.bindparam("target_id"))


def save(
    connection: sa.Connection,
    placement: Placement,
    bands: Sequence[int],
    embedding: bytes | None,
    *,
    replace: bool = True,
) -> None:
    """Store the article's signature, bands and placement; with ``replace`` (an edit), the earlier
    version's go first. A new article has none, and skips those two deletes.
    """
    article_id = placement.article_id
    if replace:
        connection.execute(_DROP_BANDS, {"target_id": article_id})
        connection.execute(_DROP_SIGNATURE, {"target_id": article_id})
    connection.execute(
        _ADD_SIGNATURE,
        {
            "article_id": article_id,
            "minhash": placement.minhash,
            "embedding": embedding,
            "story_id": placement.story_id,
            "duplicate_of": placement.duplicate_of,
        },
    )
    rows = [{"band": band, "article_id": article_id} for band in sorted(set(bands))]
    if rows:
        connection.execute(sa.insert(dedupe_bands), rows)


# Near-duplicate candidates read per article, oldest first: copies of one text beyond this many are
# rare, and each candidate is verified in Python.
MAX_NEAR = 200
_BANDS: sa.BindParameter[list[int]] = sa.bindparam("bands", expanding=True)
_NEAR = (
    sa.select(article_signatures)
    .where(
        article_signatures.c.article_id.in_(
            sa.select(dedupe_bands.c.article_id).where(dedupe_bands.c.band.in_(_BANDS)).distinct()
        ),
        article_signatures.c.article_id != sa.bindparam("exclude"),
    )
    .order_by(article_signatures.c.article_id)
    .limit(MAX_NEAR)
)


def near(connection: sa.Connection, bands: Sequence[int], exclude: int) -> list[Placement]:
    """Articles sharing at least one band with the given ones (candidates to verify), oldest first."""
    rows = connection.execute(_NEAR, {"bands": list(bands), "exclude": exclude})
    return [_placement(row) for row in rows]


def link_article(
    connection: sa.Connection, article_id: int, story_id: int | None, duplicate_of: int | None
) -> None:
    connection.execute(_LINK, {"target_id": article_id, "story_id": story_id, "duplicate_of": duplicate_of})
