"""The images stage: ``process(data, limits) -> Processed | Rejected``.

Bytes from anywhere (a fetched photo, an editor's upload, a demo file) are hostile until this says
otherwise. Pillow must recognise them as one of :data:`FORMATS` (an SVG, an HTML page or a truncated
file is refused); the pixel count is checked from the header before any pixel is decoded
(decompression bombs are refused unread); the photo is turned upright from its EXIF orientation
and then re-encoded from its pixels alone, so no metadata (EXIF, GPS, XMP, ICC, comments) survives;
copies are made at the :data:`WIDTHS` narrower than the original (never enlarged), as WebP.

Nothing here touches the network or the disk: :mod:`akhbar.services.images` does.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from akhbar.models import Rejected

__all__ = ["FORMATS", "WIDTHS", "Limits", "Processed", "Variant", "content_key", "process"]

FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP"})  # raster photos; SVG and the rest are refused
WIDTHS = (400, 800, 1200)  # the copies kept, in CSS pixels of a phone, a column, a wide screen
WEBP_QUALITY = 80


@dataclass(frozen=True)
class Limits:
    """What an image must be: at most ``max_pixels`` (width x height), at least ``min_width`` by
    ``min_height`` (smaller ones are icons, spacers and tracking pixels, not photos), at most
    ``max_bytes`` of encoded data."""

    max_pixels: int = 30_000_000
    min_width: int = 120
    min_height: int = 80
    max_bytes: int = 10_000_000
    max_aspect: float = 6.0  # wider or taller than this is a banner or a strip, not a photo


@dataclass(frozen=True)
class Variant:
    """One resized copy: its size in pixels and its WebP bytes."""

    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class Processed:
    """A checked image: ``key`` names it by its content (the same bytes always give the same key),
    ``width``/``height`` are its upright size, ``variants`` its copies, narrowest first."""

    key: str
    format: str
    width: int
    height: int
    variants: tuple[Variant, ...]


def content_key(data: bytes) -> str:
    """The name of an image's copies: the first 128 bits of the SHA-256 of the original bytes."""
    return hashlib.sha256(data).hexdigest()[:32]


def _widths(original: int) -> tuple[int, ...]:
    """The copies' widths: each of WIDTHS narrower than the original, then the original's capped at the
    widest (once: a 1600 px photo gives 400, 800, 1200, never 1200 twice)."""
    narrower = tuple(w for w in WIDTHS if w < original)
    widest = min(original, WIDTHS[-1])
    return narrower + ((widest,) if widest not in narrower else ())


def _open(data: bytes, where: str, limits: Limits) -> Image.Image | Rejected:
    if not data:
        return Rejected(where, "image: empty")
    if len(data) > limits.max_bytes:
        return Rejected(where, f"image: {len(data)} bytes (limit {limits.max_bytes})")
    try:
        with warnings.catch_warnings():  # Pillow warns past 89 Mpx: a refusal here, not a log line
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=sorted(FORMATS))
    except UnidentifiedImageError:
        return Rejected(where, "image: not a JPEG, PNG, GIF or WebP image")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return Rejected(where, f"image: too many pixels: {exc}")
    except (OSError, ValueError, SyntaxError) as exc:
        return Rejected(where, f"image: unreadable: {exc}")
    width, height = image.size
    if width * height > limits.max_pixels:
        return Rejected(where, f"image: {width}x{height} pixels (limit {limits.max_pixels:,} pixels)")
    if width < limits.min_width or height < limits.min_height:
        return Rejected(where, f"image: {width}x{height} is too small to be a photo")
    if max(width, height) / min(width, height) > limits.max_aspect:
        return Rejected(where, f"image: {width}x{height} is a strip, not a photo")
    return image


def _pixels(image: Image.Image, where: str) -> Image.Image | Rejected:
    """The decoded pixels of the first frame, upright, in RGB (RGBA when transparent)."""
    try:
        image.seek(0)
        upright = ImageOps.exif_transpose(image)
        mode = "RGBA" if upright.mode in {"RGBA", "LA", "PA"} or "transparency" in upright.info else "RGB"
        return upright.convert(mode)
    except (Image.DecompressionBombError, OSError, ValueError, SyntaxError, EOFError) as exc:
        return Rejected(where, f"image: unreadable: {exc}")


def _variant(pixels: Image.Image, width: int) -> Variant:
    height = max(1, round(pixels.height * width / pixels.width))
    resized = pixels if width == pixels.width else pixels.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    resized.save(out, "WEBP", quality=WEBP_QUALITY, method=4)  # pixels only: no exif, icc or xmp given
    return Variant(width, height, out.getvalue())


def process(data: bytes, *, where: str = "image", limits: Limits | None = None) -> Processed | Rejected:
    """Check ``data`` is a photo within ``limits`` and make its WebP copies; ``where`` names it in
    the reason of a rejection (its URL or file)."""
    limits = limits or Limits()
    opened = _open(data, where, limits)
    if isinstance(opened, Rejected):
        return opened
    with opened:
        source_format = str(opened.format)
        pixels = _pixels(opened, where)
    if isinstance(pixels, Rejected):
        return pixels
    variants = tuple(_variant(pixels, width) for width in _widths(pixels.width))
    return Processed(content_key(data), source_format, pixels.width, pixels.height, variants)
