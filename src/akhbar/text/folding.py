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
wants it (before stemming, for instance), and nothing here turns œ into oe.

Functions, each a documented use of the one table:

- :func:`fold`: NFKC, case folding, then the table. What the search index and queries see.
- :func:`fold_shape`: compatibility decomposition first, every combining mark dropped, case
  folding, then the table. Decomposing first takes a hamza off its carrier (ؤ → و, ئ → ي, أ → ا):
  letters are compared by their shape, as the date patterns match them.
- :func:`fold_for_signatures`: the variant table :data:`SIGNATURE_TABLE`, then Latin accents off.
- :func:`strip_accents`: canonical decomposition with every combining mark dropped (é → e).
"""

from __future__ import annotations

import unicodedata

from akhbar.text.digits import TO_ASCII

__all__ = [
    "APOSTROPHES",
    "ARABIC_MARKS",
    "SIGNATURE_TABLE",
    "TABLE",
    "fold",
    "fold_for_signatures",
    "fold_shape",
    "strip_accents",
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

#: Near-duplicate signatures' variant: hamza seats fold to their carrier letter (ؤ → و, ئ → ي) and
#: Persian and Urdu letters stay, because the MinHash signatures stored in the database were made so.
SIGNATURE_TABLE: dict[int, str | None] = _table(_ALPHABET | dict(zip("ؤئ", "وي", strict=True)))


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


def fold_for_signatures(text: str) -> str:
    """NFKC, case folding, :data:`SIGNATURE_TABLE`, then no combining marks outside the Arabic block.

    What near-duplicate shingles are made of; it must stay as it is while stored signatures do.
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(SIGNATURE_TABLE)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c) or "\u0600" <= c <= "\u06ff")


def strip_accents(text: str) -> str:
    """``text`` in canonical decomposition without its combining marks: défense → defense."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))
