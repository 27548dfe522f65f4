"""Unicode hygiene shared by every extractor: one cleaning function and a few measures of a line.

``clean`` is what every piece of extracted text goes through: NFC, no invisible direction or
zero-width marks, one plain space for any run of whitespace (no-break and thin spaces included).
Logical (reading) order is kept: nothing here reorders right-to-left text.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "clean",
    "clean_lines",
    "has_inner_break",
    "is_sentence_end",
    "letter_count",
    "prose_words",
    "script_counts",
    "script_of",
    "word_count",
]

# Zero-width and bidirectional controls (U+200B-U+200F, U+202A-U+202E, U+2066-U+2069), the BOM /
# zero-width no-break space, the soft hyphen, and C0/C1 controls other than whitespace.
_INVISIBLE_CHARS = [
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0xFEFF,
    0x00AD,
    *range(0x00, 0x09),
    *range(0x0E, 0x1C),
    0x7F,
    *range(0x80, 0x85),
    *range(0x86, 0xA0),
]
_DELETE_INVISIBLE = dict.fromkeys(_INVISIBLE_CHARS)
_INVISIBLE = re.compile("[" + "".join(re.escape(chr(code)) for code in _INVISIBLE_CHARS) + "]")
_SPACES = re.compile(r"\s+")

# Script counting works on UTF-8 lead bytes, which is an order of magnitude faster than a regular
# expression per character: every character has exactly one lead byte, and the lead byte alone
# says which block of the Basic Multilingual Plane the character is in.
_ASCII_LETTERS = bytes(range(ord("A"), ord("Z") + 1)) + bytes(range(ord("a"), ord("z") + 1))
_LATIN_LEADS = bytes(range(0xC3, 0xCA))  # U+00C0-U+027F: Latin-1 letters, Latin Extended-A/B, IPA
_ARABIC_LEADS = bytes([0xD8, 0xD9, 0xDA, 0xDB, 0xDD])  # U+0600-U+06FF, U+0740-U+077F
# Greek, Cyrillic, Armenian, Hebrew (U+0380-U+05FF); Indic to Tibetan (U+0800-U+0FFF); Myanmar to
# Greek Extended (U+1000-U+1FFF); kana, CJK ideographs, Yi, Hangul (U+3000-U+D7FF).
_OTHER_LEADS = bytes([*range(0xCE, 0xD8), 0xE0, 0xE1, *range(0xE3, 0xEE)])
# A letter of any script (\w minus digits and underscore).
_LETTER = re.compile(r"[^\W\d_]")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
# Chinese characters and kana: scripts written without spaces between words.
_IDEOGRAPH = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_IDEOGRAPHS_PER_WORD = 2
# A sentence ending inside the text: two letters, terminal punctuation, closing marks, more text.
_INNER_BREAK = re.compile(r"[^\W\d_]{2} ?[.!?؟۔…][»”\"'’)\]]*\s+\S")
# A sentence ending at the end: terminal punctuation, possibly followed by closing quotes/brackets.
_TERMINALS = frozenset(".!?؟۔…")
_CLOSERS = " »”\"'’)]"


def _normal(text: str) -> str:
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _INVISIBLE.search(text) is not None:
        text = text.translate(_DELETE_INVISIBLE)
    return text


def clean(text: str) -> str:
    """Normalise one piece of text to a single line: NFC, no invisible controls, single spaces.

    >>> clean("  a\u00a0b\u200f  c\\n d ")
    'a b c d'
    """
    return _SPACES.sub(" ", _normal(text)).strip()


def clean_lines(text: str) -> list[str]:
    """Split text into cleaned lines, keeping empty ones (they mark block boundaries in dumps).

    Any line break counts (``\\r\\n``, ``\\r``, U+2028, ...); each line is cleaned like :func:`clean`.
    """
    return [" ".join(line.split()) if line else "" for line in _normal(text).splitlines()]


def _count(data: bytes, members: bytes) -> int:
    return len(data) - len(data.translate(None, members))


def script_counts(text: str) -> tuple[int, int, int]:
    """How many (Arabic, Latin, other-script) characters the text holds, letters or not.

    Counted by Unicode block, so Arabic punctuation and Arabic-Indic digits count as Arabic; use
    :func:`script_of` for the dominant script of the letters. Other scripts are counted only when
    Arabic and Latin together make less than half of the text (else they are reported as 0).
    """
    data = text.encode("utf-8", "surrogatepass")
    latin = _count(data, _ASCII_LETTERS)
    if len(data) == len(text):  # pure ASCII
        return 0, latin, 0
    latin += _count(data, _LATIN_LEADS)
    arabic = _count(data, _ARABIC_LEADS)
    if 2 * (arabic + latin) >= len(text):  # one of the two dominates whatever else there is
        return arabic, latin, 0
    return arabic, latin, _count(data, _OTHER_LEADS)


def script_of(text: str) -> str:
    """The dominant script of the text's letters: ``"arabic"``, ``"latin"``, ``"other"`` or ``"none"``."""
    if _LETTER.search(text) is None:
        return "none"
    data = text.encode("utf-8", "surrogatepass")
    arabic, ascii_latin = _count(data, _ARABIC_LEADS), _count(data, _ASCII_LETTERS)
    if 2 * max(arabic, ascii_latin) < len(text):  # no script fills half the text: count them all
        arabic, latin, other = script_counts(text)
    else:
        latin, other = ascii_latin, 0
    if arabic == latin == other == 0:
        return "other"
    if arabic >= latin and arabic >= other:
        return "arabic"
    if latin >= other:
        return "latin"
    return "other"


def letter_count(text: str) -> int:
    """Number of letters (of any script) in the text."""
    return sum(map(len, _LETTER_RUN.findall(text)))


def word_count(text: str) -> int:
    """Number of words: runs of letters or digits, apostrophes and hyphens kept inside a word."""
    return len(_WORD.findall(text))


def prose_words(text: str) -> int:
    """How many words of prose the text holds, in any script.

    Words are what spaces separate, except in Chinese and Japanese, which write none: there two
    characters (kanji, hanzi, kana) count as one word, about the length of a word in those languages,
    so that "25 words" asks as much of a Japanese page as of a French one. Korean spaces its words.
    """
    words = text.split()
    if text.isascii() or _IDEOGRAPH.search(text) is None:
        return len(words)
    count = 0
    for word in words:
        ideographs = len(_IDEOGRAPH.findall(word))
        count += max(1, (ideographs + 1) // _IDEOGRAPHS_PER_WORD) if ideographs else 1
    return count


def is_sentence_end(text: str) -> bool:
    """Whether the text ends with terminal punctuation (. ! ? ؟ …), closing quotes allowed after it."""
    return text.rstrip(_CLOSERS)[-1:] in _TERMINALS


def has_inner_break(text: str) -> bool:
    """Whether a sentence ends inside the text (terminal punctuation after a word, then more text)."""
    return _INNER_BREAK.search(text) is not None
