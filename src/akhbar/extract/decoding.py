"""From raw bytes to text: decompression, binary detection and charsets.

Everything here is about whether the bytes can be read as a page at all; a failure raises
:class:`akhbar.errors.InputError` with a one-line reason, before anything is stored.
"""

from __future__ import annotations

import codecs
import re
import zlib

from charset_normalizer import from_bytes

from akhbar.errors import InputError
from akhbar.models import Document

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_BINARY_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x7fELF", "an executable"),
    (b"RIFF", "a RIFF media file"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]+)", re.I)


def payload(document: Document, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The document's bytes, gunzipped when compressed, refusing more than ``max_bytes`` either way."""
    data = document.data
    if len(data) > max_bytes:
        raise InputError(f"too large: {len(data)} bytes (limit {max_bytes})")
    if data[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = inflater.decompress(data, max_bytes + 1)
        except zlib.error as exc:
            raise InputError(f"corrupt gzip data: {exc}") from exc
        if len(data) > max_bytes:
            raise InputError(f"too large once decompressed (limit {max_bytes} bytes)")
    if not data.strip():
        raise InputError("empty")
    return data


def is_html(document: Document, data: bytes) -> bool:
    content_type = (document.content_type or "").lower()
    if "html" in content_type or "xml" in content_type:
        return True
    location = document.location.lower().removesuffix(".gz")
    if location.endswith((".html", ".htm", ".xhtml")):
        return True
    head = data[:2048].lstrip(codecs.BOM_UTF8)
    return bool(_HTML_START.match(head))


def _declared_charset(document: Document, data: bytes, html: bool) -> str | None:
    for name, value in document.headers:
        if name.lower() == "content-type" and (found := _HEADER_CHARSET.search(value)):
            return found.group(1)
    if document.content_type and (found := _HEADER_CHARSET.search(document.content_type)):
        return found.group(1)
    if html and (meta := _META_CHARSET.search(data[:4096])):
        return meta.group(1).decode("ascii")
    return None


def _refuse_binary(data: bytes) -> None:
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise InputError(f"binary file: {what}, not a page")
    sample = data[:8192]
    if any(sample.startswith(bom) for bom, _ in _BOMS[1:]):
        return  # UTF-16/32 text legitimately holds NUL bytes
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\n\r\f\x1b")
    if b"\x00" in sample or controls > len(sample) // 20:
        raise InputError("binary file: control bytes where text should be, not a page")


def decode(document: Document, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, bool]:
    """The document as text and whether it is HTML. Raises InputError when it cannot be a page."""
    data = payload(document, max_bytes=max_bytes)
    _refuse_binary(data)
    html = is_html(document, data)
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(bom_encoding, errors="replace"), html
    for encoding in (_declared_charset(document, data, html), "utf-8"):
        if encoding is None:
            continue
        try:
            return data.decode(encoding), html
        except (LookupError, UnicodeDecodeError):
            continue
    best = from_bytes(data).best()
    if best is None:
        raise InputError("undecodable: no character encoding fits these bytes")
    return str(best), html
