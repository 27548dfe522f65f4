"""Photos kept and served by akhbar: readers' browsers never contact a source's host.

- :func:`store_image` is the one entry point for bytes from anywhere (a fetched photo, an upload of
  the newsroom, a demo file): checked and re-encoded by :mod:`akhbar.images`, its WebP copies
  written once under ``<data dir>/images/`` by content (a name never changes what it serves, so
  the portal serves them as immutable), one ``images`` row per content.
- :func:`fetch_for_article` fetches an article's photo with the runtime's guarded, polite fetcher
  (the job ``akhbar.fetch_image``, :mod:`akhbar.jobs`) and links it to the article *for the address
  the article names*: when an article's image_url changes, its old photo is no longer shown.
- :func:`pictures` gives the portal what to draw (``srcset``, size, alt, caption, credit) for the
  articles whose photo is in, and nothing for the others: a card without a photo, never a broken one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from akhbar import images as stage
from akhbar.config import Settings
from akhbar.errors import FetchError
from akhbar.models import Rejected
from akhbar.services.fetching import Runtime
from akhbar.store import Store
from akhbar.store import images as rows

__all__ = [
    "MEDIA_PREFIX",
    "ImageResult",
    "Picture",
    "StoredImage",
    "attach",
    "directory",
    "due_photos",
    "fetch_for_article",
    "fetch_photos",
    "file_for",
    "image_path",
    "picture",
    "pictures",
    "request_photo",
    "store_image",
    "wanted",
]

log = logging.getLogger(__name__)
MEDIA_PREFIX = "/media/images/"
_NAME = re.compile(r"([0-9a-f]{32})-([1-9][0-9]{1,3})\.webp")
DEFAULT_WIDTH = 800  # the copy named in ``src`` (browsers that ignore srcset)
MAX_ATTEMPTS = 3  # tries of one photo that failed for a reason that may pass (timeout, 5xx, 429)
RETRY_WAITS = (timedelta(minutes=10), timedelta(hours=1), timedelta(hours=6))


@dataclass(frozen=True)
class StoredImage:
    """An image akhbar keeps; :func:`image_path` names its copies."""

    id: int
    key: str
    width: int
    height: int
    widths: tuple[int, ...]


@dataclass(frozen=True)
class ImageResult:
    """What fetching an article's photo did: ``stored``, ``failed`` (``reason`` says why) or
    ``skipped`` (no photo named, or this one was already tried)."""

    article_id: int
    status: Literal["stored", "failed", "skipped"]
    reason: str | None = None
    image_id: int | None = None


@dataclass(frozen=True)
class Picture:
    """One photo as a page draws it. Paths are site-relative (``/media/images/...``)."""

    src: str
    srcset: str
    width: int
    height: int
    alt: str
    caption: str | None
    credit: str | None
    largest: str  # the widest copy: for og:image, JSON-LD, feeds
    largest_width: int
    largest_height: int


def image_path(key: str, width: int) -> str:
    return f"{MEDIA_PREFIX}{key}-{width}.webp"


def directory(settings: Settings) -> Path:
    """Where the copies are: ``<data dir>/images/``."""
    return Path(settings.data_dir) / "images"


def file_for(images_dir: Path, name: str) -> Path | None:
    """The file of copy ``name`` (``<key>-<width>.webp``) in ``images_dir``, or None for any other
    name (nothing but such names ever reaches the disk)."""
    if not _NAME.fullmatch(name):
        return None
    return images_dir / name[:2] / name


def _write_once(path: Path, data: bytes) -> None:
    """Write ``path`` unless it exists; atomically, so a reader never sees half a file."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _stored(row: rows.ImageRow) -> StoredImage:
    return StoredImage(row.id, row.key, row.width, row.height, row.widths)


def store_image(
    store: Store,
    settings: Settings,
    data: bytes,
    *,
    source_url: str | None = None,
    alt: str | None = None,
    caption: str | None = None,
    credit: str | None = None,
) -> StoredImage | Rejected:
    """Check ``data``, strip its metadata, keep its WebP copies and record it; the same bytes
    stored twice are one image (the first alt, caption and credit stay). A file that is no photo
    (or too big, too small, broken) is a :class:`Rejected` with the reason."""
    limits = stage.Limits(max_pixels=settings.image_max_pixels, max_bytes=settings.fetch_max_bytes)
    with store.reading() as connection:
        known = rows.find_by_key(connection, stage.content_key(data))
    if known is not None and all(
        (directory(settings) / known.key[:2] / f"{known.key}-{w}.webp").exists() for w in known.widths
    ):
        return _stored(known)
    processed = stage.process(data, where=source_url or "image", limits=limits)
    if isinstance(processed, Rejected):
        return processed
    for variant in processed.variants:
        name = f"{processed.key}-{variant.width}.webp"
        _write_once(directory(settings) / name[:2] / name, variant.data)
    values = {
        "key": processed.key,
        "width": processed.width,
        "height": processed.height,
        "widths": [v.width for v in processed.variants],
        "format": processed.format,
        "source_url": source_url,
        "alt": alt,
        "caption": caption,
        "credit": credit,
        "created_at": datetime.now(UTC),
    }
    with store.transaction() as connection:
        return _stored(rows.insert_image(connection, values))


def wanted(store: Store, article_id: int) -> str | None:
    """The address of the article's photo when it still has to be fetched."""
    with store.reading() as connection:
        return rows.wanted(connection, article_id)


def request_photo(store: Store, article_id: int, *, queued: bool = False) -> bool:
    """Ask for the photo the article names (the newsroom, a page job): the job sweep
    (:func:`due_photos`) fetches it, unless ``queued`` says its job is deferred already. False
    when the article names none or that address was asked for before."""
    with store.transaction() as connection:
        return rows.request(
            connection, article_id, datetime.now(UTC), status="queued" if queued else "pending"
        )


def _retry_after(attempts: int) -> timedelta:
    return RETRY_WAITS[min(attempts, len(RETRY_WAITS)) - 1] if attempts > 0 else timedelta(0)


def due_photos(store: Store, *, limit: int = 100) -> list[int]:
    """Claim the articles whose photo is to be fetched now (asked for, or a failed try due again)."""
    with store.transaction() as connection:
        return rows.claim_due(connection, datetime.now(UTC), _retry_after, limit)


def attach(store: Store, article_id: int, image_id: int) -> None:
    """Make a stored image the article's photo (an editor's choice, the demo's own photos): it is
    shown while the article names the image_url it names now."""
    with store.transaction() as connection:
        rows.link(
            connection,
            article_id,
            image_url=rows.image_url_of(connection, article_id),
            image_id=image_id,
            status="stored",
            reason=None,
            now=datetime.now(UTC),
        )


def _record(
    store: Store, article_id: int, url: str, outcome: StoredImage | Rejected, *, transient: bool = False
) -> ImageResult:
    """Record the outcome; a transient failure (timeout, 5xx, 429) is tried again later, up to
    ``MAX_ATTEMPTS`` tries in all."""
    stored = isinstance(outcome, StoredImage)
    status = "stored" if stored else ("retry" if transient else "failed")
    with store.transaction() as connection:
        tries = rows.link(
            connection,
            article_id,
            image_url=url,
            image_id=outcome.id if isinstance(outcome, StoredImage) else None,
            status=status,
            reason=None if isinstance(outcome, StoredImage) else outcome.reason,
            now=datetime.now(UTC),
        )
        if status == "retry" and tries >= MAX_ATTEMPTS:
            status = "failed"
            rows.set_status(connection, article_id, status)
    if isinstance(outcome, StoredImage):
        return ImageResult(article_id, "stored", image_id=outcome.id)
    log.info(
        "image: article #%s: %s%s", article_id, outcome.reason, " (again later)" if status == "retry" else ""
    )
    return ImageResult(article_id, "failed", reason=outcome.reason)


async def fetch_for_article(
    runtime: Runtime, article_id: int, *, patience: float | None = None
) -> ImageResult:
    """Fetch, check and keep the photo the article names, under every rule of the fetcher
    (address guard, robots.txt, per-host politeness, size caps); the outcome is recorded. With
    ``patience``, a host not free within that many seconds raises :class:`~akhbar.errors.HostBusy`,
    nothing fetched or recorded."""
    url = await asyncio.to_thread(wanted, runtime.store, article_id)
    if url is None:
        return ImageResult(article_id, "skipped")
    try:
        fetched = await runtime.fetcher.fetch(url, patience=patience)
    except FetchError as exc:
        refused = Rejected(url, str(exc))
        return await asyncio.to_thread(
            _record, runtime.store, article_id, url, refused, transient=exc.transient
        )
    outcome = await asyncio.to_thread(
        store_image, runtime.store, runtime.settings, fetched.data, source_url=fetched.url
    )
    return await asyncio.to_thread(_record, runtime.store, article_id, url, outcome)


async def fetch_photos(runtime: Runtime, article_ids: Iterable[int]) -> list[ImageResult]:
    """Fetch the photos these articles still need, one after the other (``akhbar ingest``)."""
    return [await fetch_for_article(runtime, article_id) for article_id in dict.fromkeys(article_ids)]


def _picture(found: rows.ArticleImage) -> Picture:
    image = found.image
    widths = sorted(set(image.widths))  # photos kept before the fix to _widths list their widest twice
    chosen = max((w for w in widths if w <= DEFAULT_WIDTH), default=widths[0])
    largest = widths[-1]

    def height(width: int) -> int:
        return max(1, round(image.height * width / image.width))

    caption = found.caption or image.caption
    return Picture(
        src=image_path(image.key, chosen),
        srcset=", ".join(f"{image_path(image.key, w)} {w}w" for w in widths),
        width=chosen,
        height=height(chosen),
        alt=image.alt or caption or found.title,
        caption=caption,
        credit=image.credit or found.site_name,
        largest=image_path(image.key, largest),
        largest_width=largest,
        largest_height=height(largest),
    )


def pictures(store: Store, article_ids: Iterable[int]) -> dict[int, Picture]:
    """The photos of these articles that are in and still theirs; the others have none."""
    with store.reading() as connection:
        found = rows.shown_for(connection, article_ids)
    return {article_id: _picture(one) for article_id, one in found.items()}


def picture(store: Store, article_id: int) -> Picture | None:
    return pictures(store, [article_id]).get(article_id)
