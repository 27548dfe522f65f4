"""Rows of ``images`` and ``article_images`` (the files themselves are akhbar.services.images')."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from akhbar.models import as_utc
from akhbar.store import prepared
from akhbar.store.engine import upsert_into
from akhbar.store.tables import article_images, articles, images

__all__ = [
    "ArticleImage",
    "ImageRow",
    "claim_due",
    "find_by_key",
    "get_image",
    "image_url_of",
    "images_version",
    "insert_image",
    "link",
    "request",
    "set_status",
    "shown_for",
    "wanted",
]


@dataclass(frozen=True)
class ImageRow:
    """An image akhbar keeps: its copies are ``<key>-<w>.webp`` for each ``w`` of ``widths``."""

    id: int
    key: str
    width: int
    height: int
    widths: tuple[int, ...]
    format: str
    source_url: str | None
    alt: str | None
    caption: str | None
    credit: str | None


@dataclass(frozen=True)
class ArticleImage:
    """An article's photo as the portal shows it: the image, and the article's own caption, title
    and source (for the alt text and credit when the image has none)."""

    article_id: int
    image: ImageRow
    caption: str | None
    title: str
    site_name: str | None


def _row(m: Any) -> ImageRow:
    """An image from a row holding the columns of ``images`` (read by name)."""
    return ImageRow(
        int(m.id),
        str(m.key),
        int(m.width),
        int(m.height),
        tuple(int(w) for w in m.widths),
        str(m.format),
        m.source_url,
        m.alt,
        m.caption,
        m.credit,
    )


def find_by_key(connection: sa.Connection, key: str) -> ImageRow | None:
    found = connection.execute(sa.select(images).where(images.c.key == key)).first()
    return _row(found) if found is not None else None


def get_image(connection: sa.Connection, image_id: int) -> ImageRow | None:
    found = connection.execute(sa.select(images).where(images.c.id == image_id)).first()
    return _row(found) if found is not None else None


def insert_image(connection: sa.Connection, values: dict[str, Any]) -> ImageRow:
    """Insert the image unless its key is there already (another worker may store the same bytes);
    returns the stored row either way."""
    statement = upsert_into(connection, images).values(**values)
    connection.execute(statement.on_conflict_do_nothing(index_elements=["key"]))
    row = find_by_key(connection, str(values["key"]))
    if row is None:  # pragma: no cover - the row was just written or already there
        raise RuntimeError(f"store: image {values['key']} vanished")
    return row


def link(
    connection: sa.Connection,
    article_id: int,
    *,
    image_url: str | None,
    image_id: int | None,
    status: str,
    reason: str | None,
    now: datetime,
) -> int:
    """Record how the photo of ``article_id`` (the one at ``image_url``) went; one row per article.
    Returns how many times that address was tried (counting this one)."""
    values = {
        "image_url": image_url,
        "image_id": image_id,
        "status": status,
        "reason": reason,
        "updated_at": now,
    }
    statement = upsert_into(connection, article_images).values(article_id=article_id, attempts=1, **values)
    same = article_images.c.image_url == image_url if image_url is not None else sa.false()
    tries = sa.case((same, article_images.c.attempts + 1), else_=1)
    connection.execute(
        statement.on_conflict_do_update(index_elements=["article_id"], set_={**values, "attempts": tries})
    )
    found = connection.execute(
        sa.select(article_images.c.attempts).where(article_images.c.article_id == article_id)
    ).scalar_one()
    return int(found)


OPEN = ("pending", "queued", "retry")  # statuses of a photo still to fetch


def wanted(connection: sa.Connection, article_id: int) -> str | None:
    """The image_url of ``article_id`` when its photo still has to be fetched: the article names
    one, and nothing final (stored, failed) was recorded for that very address."""
    found = connection.execute(
        sa.select(articles.c.image_url, article_images.c.image_url.label("linked"), article_images.c.status)
        .select_from(articles.outerjoin(article_images, article_images.c.article_id == articles.c.id))
        .where(articles.c.id == article_id)
    ).first()
    if found is None or not found.image_url:
        return None
    done = found.linked == found.image_url and found.status not in (None, *OPEN)
    return None if done else str(found.image_url)


def request(connection: sa.Connection, article_id: int, now: datetime, *, status: str = "pending") -> bool:
    """Ask for the article's photo (``pending``, or ``queued`` when its job is deferred at once)
    unless that address was already asked for; whether it was asked now."""
    image_url = image_url_of(connection, article_id)
    found = connection.execute(
        sa.select(article_images.c.image_url, article_images.c.status).where(
            article_images.c.article_id == article_id
        )
    ).first()
    if image_url is None or (found is not None and found.image_url == image_url):
        return False
    values = {"image_url": image_url, "image_id": None, "status": status, "reason": None, "updated_at": now}
    statement = upsert_into(connection, article_images).values(article_id=article_id, attempts=0, **values)
    connection.execute(
        statement.on_conflict_do_update(index_elements=["article_id"], set_={**values, "attempts": 0})
    )
    return True


def claim_due(
    connection: sa.Connection, now: datetime, retry_after: Callable[[int], timedelta], limit: int
) -> list[int]:
    """Articles whose photo is to be fetched now, marked ``queued``: pending ones, failed tries due
    again (``retry_after(attempts)`` after the last), and queued ones left behind for an hour (a
    worker died)."""
    rows = connection.execute(
        sa.select(
            article_images.c.article_id,
            article_images.c.status,
            article_images.c.attempts,
            article_images.c.updated_at,
        )
        .where(article_images.c.status.in_(OPEN))
        .order_by(article_images.c.updated_at)
        .limit(limit * 4)
    ).all()
    due = []
    for row in rows:
        since = now - as_utc(row.updated_at)
        if (
            row.status == "pending"
            or (row.status == "retry" and since >= retry_after(row.attempts))
            or (row.status == "queued" and since >= timedelta(hours=1))
        ):
            due.append(int(row.article_id))
    due = due[:limit]
    if due:
        connection.execute(
            sa.update(article_images)
            .where(article_images.c.article_id.in_(due))
            .values(status="queued", updated_at=now)
        )
    return due


def set_status(connection: sa.Connection, article_id: int, status: str) -> None:
    connection.execute(
        sa.update(article_images).where(article_images.c.article_id == article_id).values(status=status)
    )


def image_url_of(connection: sa.Connection, article_id: int) -> str | None:
    """The image_url the article names today."""
    found = connection.execute(sa.select(articles.c.image_url).where(articles.c.id == article_id)).first()
    return None if found is None or not found.image_url else str(found.image_url)


def _same_url() -> sa.ColumnElement[bool]:
    return sa.or_(
        article_images.c.image_url == articles.c.image_url,
        sa.and_(article_images.c.image_url.is_(None), articles.c.image_url.is_(None)),
    )


_SHOWN = (
    sa.select(
        images, article_images.c.article_id, articles.c.image_caption, articles.c.title, articles.c.site_name
    )
    .select_from(
        article_images.join(articles, articles.c.id == article_images.c.article_id).join(
            images, images.c.id == article_images.c.image_id
        )
    )
    .where(
        article_images.c.article_id.in_(sa.bindparam("ids", expanding=True)),
        article_images.c.status == "stored",
        _same_url(),
    )
)  # built once: pages bind their articles' ids


def shown_for(connection: sa.Connection, article_ids: Iterable[int]) -> dict[int, ArticleImage]:
    """The photos to show with these articles: stored, and fetched for the address each article
    names today (an article whose image_url changed shows nothing until its new photo is in)."""
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return {}
    return {
        int(m.article_id): ArticleImage(
            int(m.article_id), _row(m), m.image_caption, str(m.title), m.site_name
        )
        for m in prepared.read(connection, _SHOWN, {"ids": ids})
    }


def images_version(connection: sa.Connection) -> str:
    """Changes whenever an article's photo is recorded (the newest record's time, read from its
    index): for the portal's data version."""
    found = connection.execute(sa.select(sa.func.max(article_images.c.updated_at))).scalar()
    return str(found)
