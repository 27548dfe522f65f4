"""The newsroom's media library: uploads through the portal's image pipeline, search, reuse.

An upload goes through :func:`akhbar.services.images.store_image`: its type and size are checked
(Pillow decodes it, within the pixel and byte limits), its metadata (EXIF, GPS, ICC) is dropped and
resized WebP copies are kept; the same file uploaded twice is one image. Alt text is required,
caption and credit are kept with it. Any article may show a library image, as its photo (its
address in "Image address") or inside its text (Markdown ``![alt](/media/images/…)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from akhbar.config import Settings
from akhbar.errors import InputError
from akhbar.models import Rejected
from akhbar.services import images
from akhbar.store import Store
from akhbar.store import audit as log_rows
from akhbar.store import images as image_rows
from akhbar.store import media as rows
from akhbar.store.users import User

__all__ = ["Entry", "library", "picture", "show_photo", "upload"]

MAX_ALT = 300
MAX_TEXT = 500
_COPY = re.compile(re.escape(images.MEDIA_PREFIX) + r"([0-9a-f]{32})-[0-9]{2,4}\.webp")
DISPLAY_WIDTH = 800


@dataclass(frozen=True)
class Entry:
    """One image of the library as the newsroom lists it."""

    id: int
    src: str  # a copy to show and to use in articles
    width: int
    height: int
    alt: str
    caption: str | None
    credit: str | None
    uses: int

    @property
    def markdown(self) -> str:
        return f"![{self.alt}]({self.src})"


def upload(
    store: Store,
    settings: Settings,
    user: User,
    data: bytes,
    *,
    alt: str,
    caption: str | None = None,
    credit: str | None = None,
) -> Entry:
    """Keep an uploaded image with its alt text, caption and credit; :class:`InputError` says why not."""
    alt, caption, credit = alt.strip(), (caption or "").strip() or None, (credit or "").strip() or None
    if not alt:
        raise InputError.about("describe the image for those who cannot see it (alt text)")
    if len(alt) > MAX_ALT or len(caption or "") > MAX_TEXT or len(credit or "") > MAX_TEXT:
        raise InputError.about("the alt text, caption or credit is too long")
    if not data:
        raise InputError.about("choose an image file")
    stored = images.store_image(store, settings, data, alt=alt, caption=caption, credit=credit)
    if isinstance(stored, Rejected):
        raise InputError.about("the file is not an image akhbar accepts: {reason}", reason=stored.reason)
    with store.transaction() as connection:
        log_rows.record(
            connection,
            actor=user.email,
            action="upload",
            target=f"image {stored.id}",
            now=datetime.now(UTC),
            detail=alt,
        )
    found = [e for e in library(store, limit=500) if e.id == stored.id]
    return found[0]


def library(store: Store, query: str | None = None, *, limit: int = 60) -> list[Entry]:
    """The library, newest first; matching ``query`` in alt text, caption or credit when given."""
    with store.reading() as connection:
        found = rows.search(connection, (query or "").strip()[:200] or None, limit=limit)
    shown = []
    for item in found:
        image = item.image
        width = max((w for w in image.widths if w <= DISPLAY_WIDTH), default=min(image.widths))
        shown.append(
            Entry(
                image.id,
                images.image_path(image.key, width),
                width,
                max(1, round(image.height * width / image.width)),
                image.alt or "",
                image.caption,
                image.credit,
                item.uses,
            )
        )
    return shown


def show_photo(store: Store, article_id: int, image_url: str | None) -> None:
    """Give a published article its photo: a library image at once, any other address fetched
    by the job sweep (akhbar.services.images)."""
    found = _COPY.fullmatch(image_url or "")
    if found is None:
        if image_url:
            images.request_photo(store, article_id)
        return
    with store.reading() as connection:
        image_id = rows.by_key(connection, found.group(1))
    if image_id is not None:
        images.attach(store, article_id, image_id)


def picture(store: Store, image_url: str | None, caption: str | None = None) -> images.Picture | None:
    """How the portal will draw a library image as an article's photo (the newsroom's preview);
    None for any other address (fetched only once the article is published)."""
    found = _COPY.fullmatch(image_url or "")
    if found is None:
        return None
    with store.reading() as connection:
        image_id = rows.by_key(connection, found.group(1))
        row = image_rows.get_image(connection, image_id) if image_id is not None else None
    if row is None:
        return None
    widths = sorted(row.widths)
    chosen = max((w for w in widths if w <= DISPLAY_WIDTH), default=widths[0])

    def height(width: int) -> int:
        return max(1, round(row.height * width / row.width))

    return images.Picture(
        src=images.image_path(row.key, chosen),
        srcset=", ".join(f"{images.image_path(row.key, w)} {w}w" for w in widths),
        width=chosen,
        height=height(chosen),
        alt=row.alt or caption or "",
        caption=caption or row.caption,
        credit=row.credit,
        largest=images.image_path(row.key, widths[-1]),
        largest_width=widths[-1],
        largest_height=height(widths[-1]),
    )
