"""Names and numbers that identify an event, comparable across Latin and Arabic script.

Numbers are normalised (Eastern Arabic digits, thousands separators: ``1 760``, ``1,760``, ``١٧٦٠``
all give ``#1760``). Names are reduced to a consonant skeleton that Latin and Arabic spellings share
(``Rutte`` and ``روته`` both give ``~rt``; ``NATO``, ``OTAN`` and ``الناتو`` give ``~nt``). Latin text
contributes its capitalised words; Arabic script has no capitals, so it contributes every word and
the comparison counts only keys that the other side offers as a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from akhbar.text import ascii_digits, strip_accents

_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f,.]\d{3})+(?!\d)|\d+")
_LATIN_NAME = re.compile(r"\b[A-Z][A-Za-z\u00c0-\u024f'-]{2,}")
_ARABIC_WORD = re.compile(r"[\u0621-\u064a]{3,}")
_ALIASES = {"otan": "nato", "onu": "un", "ue": "eu", "etats-unis": "usa", "russie": "russia"}
_LATIN_SKELETON = str.maketrans(
    dict.fromkeys("aeiouyhw'-", "") | {"c": "k", "q": "k", "v": "f", "p": "b", "z": "s"}
)
_ARABIC_LETTERS = {
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "", "خ": "k", "د": "d", "ذ": "d", "ر": "r", "ز": "s",
    "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "d", "ع": "", "غ": "g", "ف": "f", "ق": "k",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "", "و": "", "ي": "", "ى": "", "ا": "", "أ": "",
    "إ": "", "آ": "", "ء": "", "ؤ": "", "ئ": "", "ة": "",
}  # fmt: skip
_ARABIC_PREFIXES = ("وال", "بال", "لل", "فال", "كال", "ال")
MIN_NUMBER_DIGITS = 2  # a single digit (3 killed, 5 points) identifies no event
MIN_ROOT = 3  # letters left after an Arabic prefix comes off (الناتو → ناتو, but الى stays)
MIN_KEY = 3  # "~" and two consonants: shorter skeletons match too many words
_STOP = {"the", "and", "but", "for", "les", "des", "une", "pour", "dans", "mais", "this", "that", "with"}


def numbers(text: str) -> set[str]:
    """Numbers of two digits or more, separators removed: ``#1760``."""
    found = set()
    for match in _NUMBER.finditer(ascii_digits(text)):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) >= MIN_NUMBER_DIGITS:
            found.add("#" + digits.lstrip("0"))
    return found


def _fold(word: str) -> str:
    return strip_accents(word.casefold())


def latin_skeleton(word: str) -> str:
    folded = _fold(word)
    folded = _ALIASES.get(folded, folded)
    return _collapse(folded.translate(_LATIN_SKELETON))


def arabic_skeleton(word: str) -> str:
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_ROOT:
            word = word[len(prefix) :]
            break
    return _collapse("".join(_ARABIC_LETTERS.get(c, "") for c in word))


def _collapse(skeleton: str) -> str:
    return re.sub(r"(.)\1+", r"\1", skeleton)


def names(text: str) -> set[str]:
    """Skeleton keys (``~rt``) of capitalised Latin words and of every Arabic word."""
    found = set()
    for match in _LATIN_NAME.finditer(text):
        if _fold(match.group()) not in _STOP:
            found.add("~" + latin_skeleton(match.group()))
    for match in _ARABIC_WORD.finditer(text):
        found.add("~" + arabic_skeleton(match.group()))
    return {key for key in found if len(key) >= MIN_KEY}


def keys(texts: Iterable[str]) -> set[str]:
    """Entity and number keys of an article's title and lead."""
    joined = "\n".join(texts)
    return names(joined) | numbers(joined)
