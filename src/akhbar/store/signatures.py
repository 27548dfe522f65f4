"""Near-duplicate signatures of articles: MinHash bytes, LSH band keys, anchors, and where each was
placed (its story, and the article it copies with the relation: same text, contained in, contains)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from akhbar.store import prepared
from akhbar.store.tables import article_signatures, articles, dedupe_anchors, dedupe_bands


@dataclass(frozen=True)
class Placement:
    """What is kept of an article's placement: its signature, story and original (when a copy).

    ``duplicate_kind`` says how it copies ``duplicate_of``: ``same`` (the same text), ``contained_in``
    (its whole text is printed inside the other), ``contains`` (it prints the other's whole text).
    """

    article_id: int
    minhash: bytes
    story_id: int | None
    duplicate_of: int | None
    duplicate_kind: str | None = None

    @property
    def root(self) -> int:
        """The first article of its text: its original when it is a copy of the same text, else itself."""
        if self.duplicate_of is not None and self.duplicate_kind in (None, "same"):
            return self.duplicate_of
        return self.article_id


def _placement(row: Any) -> Placement:
    """A placement from a row of ``article_signatures`` (SQLAlchemy's, or :func:`prepared.read`'s)."""
    kind = row.duplicate_kind or ("same" if row.duplicate_of is not None else None)
    return Placement(row.article_id, bytes(row.minhash), row.story_id, row.duplicate_of, kind)


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
_DROP_ANCHORS = sa.delete(dedupe_anchors).where(dedupe_anchors.c.article_id == sa.bindparam("target_id"))
_DROP_SIGNATURE = sa.delete(article_signatures).where(
    article_signatures.c.article_id == sa.bindparam("target_id")
)
_ADD_SIGNATURE = sa.insert(article_signatures)
_ADD_BANDS = sa.insert(dedupe_bands)
_ADD_ANCHORS = sa.insert(dedupe_anchors)
_LINK = sa.update(articles).where(articles.c.id == sa.bindparam("target_id"))


def save(
    connection: sa.Connection,
    placement: Placement,
    bands: Sequence[int],
    embedding: bytes | None,
    *,
    anchors: Sequence[int] = (),
    replace: bool = True,
) -> None:
    """Store the article's signature, bands, anchors and placement; with ``replace`` (an edit), the
    earlier version's go first. A new article has none, and skips those deletes.
    """
    article_id = placement.article_id
    if replace:
        connection.execute(_DROP_BANDS, {"target_id": article_id})
        connection.execute(_DROP_ANCHORS, {"target_id": article_id})
        connection.execute(_DROP_SIGNATURE, {"target_id": article_id})
    prepared.write(
        connection,
        _ADD_SIGNATURE,
        {
            "article_id": article_id,
            "minhash": placement.minhash,
            "embedding": embedding,
            "story_id": placement.story_id,
            "duplicate_of": placement.duplicate_of,
            "duplicate_kind": placement.duplicate_kind,
        },
    )
    rows = [{"band": band, "article_id": article_id} for band in sorted(set(bands))]
    prepared.write(connection, _ADD_BANDS, rows)
    distinct = sorted(set(anchors))
    keyed = [{"anchor": anchor, "article_id": article_id, "total": len(distinct)} for anchor in distinct]
    prepared.write(connection, _ADD_ANCHORS, keyed)


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
    rows = prepared.read(connection, _NEAR, {"bands": list(bands), "exclude": exclude})
    return [_placement(row) for row in rows]


# Articles sharing anchors with a new one, counted in the database: a contained text shares nearly
# all its anchors with its container, an article quoting a sentence of another a few. Each posting
# carries its article's anchor count, so the share is judged before any row leaves the database.
MAX_ANCHORED = 50
_ANCHORS: sa.BindParameter[list[int]] = sa.bindparam("anchors", expanding=True)
_SHARED_COUNT = sa.func.count()
_FEWER = sa.case(
    (dedupe_anchors.c.total < sa.bindparam("mine"), dedupe_anchors.c.total), else_=sa.bindparam("mine")
)
_SHARED = (
    sa.select(dedupe_anchors.c.article_id)
    .where(dedupe_anchors.c.anchor.in_(_ANCHORS), dedupe_anchors.c.article_id != sa.bindparam("exclude"))
    .group_by(dedupe_anchors.c.article_id, dedupe_anchors.c.total)
    .having(
        sa.case((_FEWER < 2, _FEWER), else_=2) <= _SHARED_COUNT,
        sa.bindparam("share") * _FEWER <= _SHARED_COUNT,
    )
    .order_by(_SHARED_COUNT.desc(), dedupe_anchors.c.article_id)
    .limit(MAX_ANCHORED)
)


def anchored(
    connection: sa.Connection, anchors: Sequence[int], exclude: int, share: float
) -> list[Placement]:
    """Articles sharing at least ``share`` of the anchors of the text with fewer (theirs or these),
    and two at least (one, when that text has one); most shared first, at most ``MAX_ANCHORED``."""
    keys = sorted(set(anchors))
    if not keys:
        return []
    found = prepared.read(
        connection, _SHARED, {"anchors": keys, "exclude": exclude, "mine": len(keys), "share": share}
    )
    ids = [int(row[0]) for row in found]
    by_id = {p.article_id: p for p in placements_of(connection, ids)}
    return [by_id[i] for i in ids if i in by_id]


_IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
_PLACEMENTS = sa.select(article_signatures).where(article_signatures.c.article_id.in_(_IDS))


def placements_of(connection: sa.Connection, ids: Sequence[int]) -> list[Placement]:
    if not ids:
        return []
    return [_placement(row) for row in prepared.read(connection, _PLACEMENTS, {"ids": list(ids)})]


_BODIES: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
_READ_BODIES = sa.select(articles.c.id, articles.c.title, articles.c.body_paragraphs).where(
    articles.c.id.in_(_BODIES)
)


def bodies(connection: sa.Connection, ids: Sequence[int]) -> dict[int, tuple[tuple[str, ...], str]]:
    """The texts signatures are made of (each article's body, or its title when it has none), with
    the article's title."""
    if not ids:
        return {}
    rows = connection.execute(_READ_BODIES, {"ids": sorted(set(ids))})
    return {int(i): (tuple(body) or (str(title),), str(title)) for i, title, body in rows}


def link_article(
    connection: sa.Connection,
    article_id: int,
    story_id: int | None,
    duplicate_of: int | None,
    duplicate_kind: str | None = None,
) -> None:
    values = {"story_id": story_id, "duplicate_of": duplicate_of, "duplicate_kind": duplicate_kind}
    connection.execute(_LINK, {"target_id": article_id, **values})
