"""The newsroom's media library: the images akhbar keeps (table ``images``), searched by their
alt text, caption and credit, with how many articles show each."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from akhbar.store.images import ImageRow
from akhbar.store.images import _row as image_row
from akhbar.store.tables import article_images, images


@dataclass(frozen=True)
class Item:
    image: ImageRow
    uses: int  # articles that show it


def search(connection: sa.Connection, query: str | None = None, *, limit: int = 60) -> list[Item]:
    """Images newest first; those whose alt text, caption or credit contains ``query`` when given."""
    uses = (
        sa.select(sa.func.count())
        .where(article_images.c.image_id == images.c.id, article_images.c.status == "stored")
        .scalar_subquery()
    )
    select = sa.select(images, uses.label("uses"))
    if query:
        pattern = f"%{query.lower()}%"
        fields = (images.c.alt, images.c.caption, images.c.credit)
        select = select.where(sa.or_(*(sa.func.lower(field).like(pattern) for field in fields)))
    rows = connection.execute(select.order_by(images.c.id.desc()).limit(limit))
    return [Item(image_row(row._mapping), int(row.uses or 0)) for row in rows]


def by_key(connection: sa.Connection, key: str) -> int | None:
    """The id of the image with content key ``key``."""
    found = connection.execute(sa.select(images.c.id).where(images.c.key == key)).scalar()
    return None if found is None else int(found)
