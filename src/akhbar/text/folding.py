"""Folding: one table of the spellings akhbar treats as one, and the few variants a stage needs.

:data:`TABLE` (for :meth:`str.translate`) is the table:

- Arabic marks disappear: tashkeel and tanwin (U+064B-U+065F, كِتَابٌ → كتاب), the superscript alef
  (U+0670), Quranic annotation signs (U+0610-U+061A, U+06D6-U+06ED) and tatweel (كتـــاب → كتاب);
- the alef forms أ إ آ ٱ ٲ ٳ become ا;
- alef maqsura ى and the Persian and Urdu yeh forms ی ې ے become ي;
- a hamza on a carrier (ؤ ئ) becomes ء, so that مسؤول and مسئول meet (pyarabic's defaults would turn
  every hamza, the alef ones included, into ء); a bare ء stays;
- teh marbuta ة ۃ and the heh forms ہ ە ھ ۀ become ه (ta marbuta only ends words: folding it
  everywhere is folding it at word end); keheh ک ڪ becomes ك;
- Eastern Arabic and Persian digits become ASCII (:mod:`akhbar.text.digits`), ٪ becomes %;
- the apostrophes ’ ‘ ʼ ´ ` become '.

Latin letters keep their accents in the table: :func:`strip_accents` takes them off where a stage
wants it (before stemming, for instance); only the signature variant turns œ into oe.

Functions, each a documented use of the one table:

- :func:`fold`: NFKC, case folding, then the table. What the search index and queries see.
- :func:`fold_shape`: compatibility decomposition first, every combining mark dropped, case
  folding, then the table. Decomposing first takes a hamza off its carrier (ؤ → و, ئ → ي, أ → ا):
  letters are compared by their shape, as the date patterns match them.
- :func:`fold_for_signatures`: what near-duplicate shingles are made of: :data:`SIGNATURE_TABLE`
  (the table with œ → oe and æ → ae), invisible format characters out, a word-final hamza after
  yeh written the short way (شيء and شئ meet), digit groups joined (1 760, 1,760 and 1760 meet),
  Latin accents off.
- :func:`strip_accents`: canonical decomposition with every combining mark dropped (é → e).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

from akhbar.text.digits import TO_ASCII

__all__ = [
    "APOSTROPHES",
    "ARABIC_MARKS",
    "SIGNATURE_TABLE",
    "TABLE",
    "apply_table",
    "fold",
    "fold_for_signatures",
    "fold_shape",
    "strip_accents",
    "substitution",
]

#: Arabic marks that are not letters: Quranic annotation signs, tashkeel and tanwin, superscript
#: alef, Quranic small high and low signs, tatweel.
ARABIC_MARKS: tuple[int, ...] = (
    *range(0x0610, 0x061B),
    *range(0x064B, 0x0660),
    0x0670,
    *range(0x06D6, 0x06EE),
    0x0640,
)
#: Every way of writing an apostrophe that news pages use; all become U+0027.
APOSTROPHES = "’‘ʼ´`"

_ALPHABET: dict[str, str] = {
    **dict.fromkeys("أإآٱ", "ا"),
    "ى": "ي",
    "ة": "ه",
    **dict.fromkeys("ؤئ", "ء"),  # hamza seats: مسؤول and مسئول meet
}
# Letters of Persian, Urdu and other languages written in Arabic script, with the Arabic letter
# they stand for in Arabic text.
_EXTENDED: dict[str, str] = {
    **dict.fromkeys("ٲٳ", "ا"),
    **dict.fromkeys("یېے", "ي"),  # Persian yeh, yeh with two dots below, Urdu yeh barree
    **dict.fromkeys("ۃہەھۀ", "ه"),  # teh marbuta goal, heh goal, ae, heh doachashmee, heh with yeh
    **dict.fromkeys("کڪ", "ك"),  # keheh, swash kaf
}
_SIGNS: dict[str, str] = {"٪": "%", **dict.fromkeys(APOSTROPHES, "'")}


def _table(letters: dict[str, str]) -> dict[int, str | None]:
    table: dict[int, str | None] = dict.fromkeys(ARABIC_MARKS)
    table.update({ord(char): folded for char, folded in (letters | _SIGNS).items()})
    table.update(TO_ASCII)
    return table


#: The folding table (see the module docstring).
TABLE: dict[int, str | None] = _table(_ALPHABET | _EXTENDED)

_LIGATURES = {"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae"}
#: Near-duplicate signatures' variant: the table, and the Latin ligatures œ and æ open up (cœur and
#: coeur are one spelling of one word). Stored signatures were made with it since migration
#: 0014_containment; a change here needs ``akhbar reprocess`` to recompute them (the migration says why).
SIGNATURE_TABLE: dict[int, str | None] = {**TABLE, **{ord(k): v for k, v in _LIGATURES.items()}}

# Characters that change no letter but split a word for ``\w+``: soft hyphen, zero-width (non-)joiner
# and space, word joiner, bidi marks, Arabic letter mark, byte order mark.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# A number written with group separators: 1 760, 1,760, 1.760, 1 760 (thin or no-break space), 1٬760.
_DIGIT_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?:[ ,.'\u00a0\u2009\u202f\u066c]\d{3})+(?!\d|[.,]\d)")
_FINAL_YEH_HAMZA = re.compile(r"يء\b")  # شيء and شئ (folded شء) meet
_GROUPED = re.compile(r"\d[ ,.'\u00a0\u2009\u202f\u066c]\d\d\d")  # a quick test before the slower pattern
_GROUP_SEPARATOR = re.compile(r"\D")


def substitution(table: dict[int, str | None]) -> Callable[[str], str]:
    """``text.translate(table)`` as one substitution of the characters the table changes, a class
    of them all: several times faster on text where most characters stay as they are, where
    ``str.translate`` with a dictionary looks every character up (Arabic articles of 4,500
    characters: 60 µs against 183)."""
    letters = re.compile("[" + "".join(re.escape(chr(code)) for code in table) + "]")

    def replaced(match: re.Match[str]) -> str:
        return table[ord(match.group())] or ""

    return functools.partial(letters.sub, replaced)


_signature_letters = substitution(SIGNATURE_TABLE)
#: :data:`TABLE` applied as :func:`substitution` does: ``apply_table(text) == text.translate(TABLE)``.
apply_table = substitution(TABLE)


def fold(text: str) -> str:
    """NFKC, case folding, then :data:`TABLE`: Latin accents stay. Keeps the length of most text."""
    return unicodedata.normalize("NFKC", text).casefold().translate(TABLE)


def fold_shape(text: str) -> str:
    """NFKD without combining marks, case folding, then :data:`TABLE`: ``أؤئÉ`` → ``اويe``.

    For words matched by the shape of their letters (the date patterns): a hamza or madda written
    above or below a letter comes off with the accents, so ؤ and ئ are و and ي here, not ء.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.casefold().translate(TABLE)


def fold_for_signatures(text: str, *, keep_case: bool = False) -> str:
    """NFKC, case folding, :data:`SIGNATURE_TABLE`, invisible characters out, a word-final يء as ء
    (شيء and شئ meet), digit groups joined, then no combining marks (Latin accents).

    What near-duplicate shingles are made of; stored signatures are recomputed when it changes.
    ``keep_case`` skips the case folding: a word's case is then still there to tell a name by, and
    ``fold_for_signatures(word, keep_case=True).casefold()`` is the word as folded here.
    """
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
    if not keep_case:
        text = text.casefold()
    text = _signature_letters(text)
    if "يء" in text:
        text = _FINAL_YEH_HAMZA.sub("ء", text)
    if _GROUPED.search(text):
        text = _DIGIT_GROUPS.sub(lambda match: _GROUP_SEPARATOR.sub("", match.group()), text)
    return _combining_marks().sub("", unicodedata.normalize("NFD", text))


@functools.cache
def _combining_marks() -> re.Pattern[str]:
    """Every combining mark of the Basic Multilingual Plane, as one character class (built once)."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]")


def strip_accents(text: str) -> str:
    """``text`` in canonical decomposition without its combining marks: défense → defense."""
    if text.isascii():  # nothing to decompose, no mark to drop (most English and many French words)
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))
