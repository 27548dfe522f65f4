"""From raw bytes to text: decompression, binary detection and charsets.

Everything here is about whether the bytes can be read as a page at all; a failure raises
:class:`akhbar.errors.InputError` with a one-line reason, before anything is stored.

Charsets, in order: a byte-order mark; valid UTF-8 (whatever is declared: a page that declares
ISO-8859-1 but is UTF-8 is common, while legacy text that happens to be valid UTF-8 is all but
impossible), or UTF-8 with a little damage (see :func:`_damaged_utf8`: a stray byte costs one
U+FFFD, not the page); the declared charset (HTTP ``Content-Type``, then ``<meta charset>`` or
``<?xml encoding>``), unless it cannot decode the bytes or what it gives looks garbled (Arabic bytes
read as Latin letters, Latin letters glued inside Arabic words, C1 control characters); then
charset-normalizer's guess. ISO-8859-1 and ASCII labels mean windows-1252, as in browsers; a guessed
Latin code page other than windows-1252 gives way to windows-1252 when that reads the page as
French or English text.

:func:`decode_document` says which codec was used and how many undecodable byte sequences became
U+FFFD (``replaced``); :func:`decode` logs that count when it is not zero.
"""

from __future__ import annotations

import codecs
import logging
import re
import zlib
from dataclasses import dataclass, replace

from charset_normalizer import from_bytes

from akhbar.errors import InputError
from akhbar.models import Document

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Decoded",
    "codec_name",
    "decode",
    "decode_bytes",
    "decode_document",
    "decode_text",
    "is_html",
    "looks_garbled",
    "payload",
]

logger = logging.getLogger(__name__)

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
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""",
    re.I,
)
_META_BYTES = 8192
_SNIFF_BYTES = 2048  # where a page's first tag must be for bytes to count as HTML
_BINARY_SAMPLE = 8192  # bytes looked at for NULs and control characters
_MAX_CONTROL_SHARE = 20  # more than 1 control byte in this many is binary
_GUESS_BYTES = 256 * 1024
# Labels browsers read as windows-1252 (WHATWG Encoding Standard), as Python names them.
_WEB_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252", "latin-1": "cp1252"}
_LATIN_LOOKALIKES = frozenset(
    {
        "cp1250",
        "cp1252",
        "cp1254",
        "cp1257",
        "cp1258",
        "iso8859-2",
        "iso8859-3",
        "iso8859-4",
        "iso8859-9",
        "iso8859-10",
        "iso8859-13",
        "iso8859-14",
        "iso8859-15",
        "iso8859-16",
        "mac-roman",
        "mac-latin2",
        "cp850",
        "cp437",
        "latin-1",
        "iso8859-1",
    }
)
_WESTERN_LETTERS = frozenset("àâäáçéèêëîïíìôöóòùûüúÿñœæÀÂÄÁÇÉÈÊËÎÏÍÌÔÖÓÒÙÛÜÚŸÑŒÆß")
_NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")
_C1_CONTROLS = re.compile(r"[\x80-\x9f]")
_LATIN_NON_ASCII = re.compile(r"[\u00c0-\u024f]+")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
_LATIN_IN_ARABIC = re.compile(r"(?<=[\u0621-\u064a])[\u00c0-\u024f]|[\u00c0-\u024f](?=[\u0621-\u064a])")
_MIN_GARBLED = 8
_GLUED_SHARE = 0.5
_MIN_GLUED = 3
_GLUED_IN_ARABIC = 0.01
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]+)", re.I)
# UTF-8 with damage is still UTF-8 when at least this many of its non-ASCII sequences are valid
# UTF-8 for each invalid one (90 %). Legacy bytes almost never form valid UTF-8 by accident: the 33
# real French and Arabic pages of shared/data re-encoded as windows-1252, -1250, -1256 and
# ISO-8859-6 give at most 31 accidental sequences against 8,240 invalid ones (0.4 %; an Arabic
# letter before an Arabic comma, "é" + no-break space + "»"), while a UTF-8 page with one stray
# byte has 89 to 19,000 valid sequences beside it. A rule per byte ("fewer than 1 bad sequence
# per 1,000 bytes") would be wrong both ways: a mostly-ASCII windows-1252 page with five accented
# letters in 20 kB passes it and would lose all five, while a short UTF-8 article with two stray
# bytes fails it.
_VALID_PER_INVALID = 9
# Control bytes that text does not hold (tab, line feed, carriage return, form feed and escape are
# text): counted by deleting them, not byte by byte in Python.
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in b"\t\n\r\f\x1b")


@dataclass(frozen=True)
class Decoded:
    """Bytes read as text: the codec used and how many undecodable byte sequences became U+FFFD."""

    text: str
    encoding: str
    replaced: int = 0
    html: bool = False


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
    head = data[:_SNIFF_BYTES].lstrip(codecs.BOM_UTF8)
    return bool(_HTML_START.match(head))


def _declared_charset(document: Document, data: bytes, html: bool) -> str | None:
    for name, value in document.headers:
        if name.lower() == "content-type" and (found := _HEADER_CHARSET.search(value)):
            return found.group(1)
    if document.content_type and (found := _HEADER_CHARSET.search(document.content_type)):
        return found.group(1)
    if html and (meta := _META_CHARSET.search(data[:_META_BYTES])):
        return (meta.group(1) or meta.group(2)).decode("ascii")
    return None


def _refuse_binary(data: bytes) -> None:
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise InputError(f"binary file: {what}, not a page")
    sample = data[:_BINARY_SAMPLE]
    if any(sample.startswith(bom) for bom, _ in _BOMS[1:]):
        return  # UTF-16/32 text legitimately holds NUL bytes
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if b"\x00" in sample or controls > len(sample) // _MAX_CONTROL_SHARE:
        raise InputError("binary file: control bytes where text should be, not a page")


def decode(document: Document, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, bool]:
    """The document as text and whether it is HTML. Raises InputError when it cannot be a page.

    Undecodable byte sequences replaced by U+FFFD are logged; :func:`decode_document` counts them.
    """
    decoded = decode_document(document, max_bytes=max_bytes)
    if decoded.replaced:
        plural = "sequence" if decoded.replaced == 1 else "sequences"
        logger.info(
            "decode: %s: %d undecodable byte %s replaced (read as %s)",
            document.location,
            decoded.replaced,
            plural,
            decoded.encoding,
        )
    return decoded.text, decoded.html


def decode_document(document: Document, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Decoded:
    """The document as text, whether it is HTML, the codec used and how many characters were replaced.

    Raises InputError when it cannot be a page.
    """
    data = payload(document, max_bytes=max_bytes)
    _refuse_binary(data)
    html = is_html(document, data)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            decoded = _decode(data[len(bom) :], encoding)
            break
    else:
        decoded = decode_bytes(data, _declared_charset(document, data, html))
    return replace(decoded, html=html)


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes without a BOM as text (see :func:`decode_bytes`). Raises InputError when nothing fits."""
    return decode_bytes(data, declared).text


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Bytes without a BOM as text: UTF-8 if valid or barely damaged, else the declared charset if
    it fits, else a guess.

    Raises InputError when no character encoding fits the bytes.
    """
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    damaged = _damaged_utf8(data)
    if damaged is not None:
        return damaged
    encoding = codec_name(declared)
    candidate: str | None = None
    if encoding is not None and encoding != "utf-8":
        try:
            candidate = data.decode(encoding)
        except UnicodeDecodeError:
            logger.debug("declared charset %s cannot decode the page; guessing", encoding)
        if candidate is not None and not looks_garbled(candidate):
            return Decoded(candidate, encoding)
        if candidate is not None:
            logger.debug("declared charset %s gives garbled text; guessing", encoding)
    guessed = _guess(data)
    if guessed is not None:
        return _decode(data, guessed)
    if candidate is not None and encoding is not None:
        return Decoded(candidate, encoding)
    raise InputError("undecodable: no character encoding fits these bytes")


def _decode(data: bytes, encoding: str) -> Decoded:
    """``data`` in ``encoding``, undecodable sequences replaced by U+FFFD and counted."""
    text = data.decode(encoding, errors="replace")
    try:
        genuine = data.count("\ufffd".encode(encoding))  # U+FFFD written in the page itself
    except (UnicodeEncodeError, LookupError):
        genuine = 0
    return Decoded(text, encoding, max(0, text.count("\ufffd") - genuine))


def _damaged_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with a few undecodable sequences replaced, when nearly all its non-ASCII is valid UTF-8.

    None when the invalid sequences are more than one per ``_VALID_PER_INVALID`` valid ones: then
    the bytes are some other charset (or a mix, left to the declared charset and the guess).
    """
    decoded = _decode(data, "utf-8")
    non_ascii = len(decoded.text) - len(decoded.text.encode("ascii", errors="ignore"))
    valid = non_ascii - decoded.replaced
    if decoded.replaced * _VALID_PER_INVALID > valid:
        return None
    return decoded


def codec_name(label: str | None) -> str | None:
    """Python's codec for a charset label, with the web's aliases; None for unknown or impossible labels."""
    if not label:
        return None
    cleaned = label.strip().strip("\"'").lower()
    cleaned = re.sub(r"^(iso-8859-[0-9]+)-[ie]$", r"\1", cleaned)  # iso-8859-6-i / -e: same bytes
    try:
        name = codecs.lookup(cleaned).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None  # declared in an ASCII-compatible document, it cannot be true (browsers read UTF-8)
    return _WEB_ALIASES.get(name, name)


def looks_garbled(text: str) -> bool:
    """Whether decoded text shows the marks of a wrong single-byte charset."""
    if _C1_CONTROLS.search(text):
        return True
    latin = _LATIN_NON_ASCII.findall(text)
    if len(latin) >= _MIN_GARBLED and sum(len(run) for run in latin if len(run) > 1) > _GLUED_SHARE * sum(
        map(len, latin)
    ):
        return True  # Arabic or Cyrillic bytes read as runs of accented Latin letters
    arabic = len(_ARABIC_LETTER.findall(text))
    glued = len(_LATIN_IN_ARABIC.findall(text))
    return glued >= _MIN_GLUED and glued > _GLUED_IN_ARABIC * arabic


def _guess(data: bytes) -> str | None:
    best = from_bytes(data[:_GUESS_BYTES]).best()
    if best is None:
        return None
    encoding = codec_name(best.encoding) or best.encoding
    if encoding in _LATIN_LOOKALIKES and encoding != "cp1252":
        try:
            western = data.decode("cp1252")
        except UnicodeDecodeError:
            return encoding
        if set(_NON_ASCII_LETTER.findall(western)) <= _WESTERN_LETTERS:
            return "cp1252"
    return encoding
