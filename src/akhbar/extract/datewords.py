"""Word tables for :mod:`akhbar.extract.dates`: month, weekday and relative-time words.

Every word is written here as people write it; :func:`fold` turns it into its lookup key with the
shape variant of akhbar's folding table (:func:`akhbar.text.fold_shape`: no accents, no tashkeel,
one alef, ``ى → ي``, ``ة → ه``, ``ؤ → و``, lower case), and :func:`tolerant` into a regular-expression
fragment that matches the common spelling variants (``أ إ آ ا``, ``é/e``, ``ة/ه``, Persian ``ی ک``).
Arabic months differ by region, so each region has its own row; all rows are merged into one table,
which is safe because no spelling means two different months.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from akhbar.text import fold_shape

__all__ = [
    "AMPM",
    "ARABIC_KEYS",
    "BARE_RELATIVE",
    "LATIN_KEYS",
    "MONTHS",
    "NUMBER_WORDS",
    "PREFIXES",
    "REMOVABLE",
    "TIME_LINKS",
    "UNITS",
    "WEEKDAYS",
    "WORDY_KEYS",
    "alternation",
    "fold",
    "initials",
    "tolerant",
]

_MONTH_ROWS: dict[str, tuple[tuple[str, ...], ...]] = {
    "fr": (
        ("janvier", "janv", "jan"),
        ("février", "févr", "fév"),
        ("mars",),
        ("avril", "avr"),
        ("mai",),
        ("juin",),
        ("juillet", "juil"),
        ("août", "aoû"),
        ("septembre", "sept", "sep"),
        ("octobre", "oct"),
        ("novembre", "nov"),
        ("décembre", "déc"),
    ),
    "en": (
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may",),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sept", "sep"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ),
    # Egypt, the Gulf and most pan-Arab media (Egypt also writes يونيه / يوليه).
    "ar-EG": (
        ("يناير",),
        ("فبراير",),
        ("مارس",),
        ("أبريل", "إبريل"),
        ("مايو",),
        ("يونيو", "يونيه"),
        ("يوليو", "يوليه"),
        ("أغسطس",),
        ("سبتمبر",),
        ("أكتوبر",),
        ("نوفمبر",),
        ("ديسمبر",),
    ),
    "ar-MA": (
        ("يناير", "ينير"),
        ("فبراير",),
        ("مارس",),
        ("أبريل",),
        ("ماي",),
        ("يونيو",),
        ("يوليوز",),
        ("غشت", "أغشت"),
        ("شتنبر", "شتمبر"),
        ("أكتوبر",),
        ("نونبر",),
        ("دجنبر",),
    ),
    # Algeria and Tunisia (months borrowed from French).
    "ar-DZ": (
        ("جانفي",),
        ("فيفري",),
        ("مارس",),
        ("أفريل",),
        ("ماي",),
        ("جوان",),
        ("جويلية",),
        ("أوت",),
        ("سبتمبر",),
        ("أكتوبر",),
        ("نوفمبر",),
        ("ديسمبر",),
    ),
    # Levant and Iraq (Syriac month names); "الأول" is often written without the article.
    "ar-LB": (
        ("كانون الثاني", "كانون ثاني"),
        ("شباط",),
        ("آذار",),
        ("نيسان",),
        ("أيار",),
        ("حزيران",),
        ("تموز",),
        ("آب",),
        ("أيلول",),
        ("تشرين الأول", "تشرين أول"),
        ("تشرين الثاني", "تشرين ثاني"),
        ("كانون الأول", "كانون أول"),
    ),
}

WEEKDAYS: tuple[str, ...] = (
    *("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    # "mar" (mardi) is left out on purpose: it is also March.
    *("lun", "mer", "jeu", "ven", "sam", "dim"),
    *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    *("mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"),
    *("الاثنين", "الإثنين", "الاتنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
)

# Words that may come before a date in a "date line" and carry no date themselves.
PREFIXES: tuple[str, ...] = (
    *("publié le", "publié", "mis à jour le", "mis à jour", "mise à jour le", "mise à jour"),
    *("dernière mise à jour le", "dernière mise à jour", "modifié le", "modifié", "date de publication"),
    *("le", "du", "date", "posted on", "posted", "published on", "published", "updated on"),
    *("updated", "last updated", "on"),
    *("نشر في", "نشر بتاريخ", "نشر يوم", "نشر", "تم النشر في", "تم النشر", "تاريخ النشر"),
    *("آخر تحديث", "تم التحديث", "تحديث", "بتاريخ", "في", "يوم"),
)

# Words that may link a date to its time: "18/10/2024 à 14h30", "18 أكتوبر 2024 على الساعة 14:30".
TIME_LINKS: tuple[str, ...] = (
    *("à", "at", "vers"),
    *("على الساعة", "في تمام الساعة", "في الساعة", "الساعة", "في"),
)

# Morning / afternoon markers after a time: True means p.m.
AMPM: dict[str, bool] = {
    "am": False,
    "a.m.": False,
    "a.m": False,
    "pm": True,
    "p.m.": True,
    "p.m": True,
    "ص": False,
    "صباحا": False,
    "صباح": False,
    "م": True,
    "مساء": True,
    "مساءا": True,
    "ظهرا": True,
    "عصرا": True,
}

# Relative units: word -> (unit, count implied by the word itself or None).
# Units are "s", "m", "h" (give a time) and "d", "w" (give a day).
UNITS: dict[str, dict[str, tuple[str, int | None]]] = {
    "fr": {
        **dict.fromkeys(("seconde", "secondes", "sec", "s"), ("s", None)),
        **dict.fromkeys(("minute", "minutes", "min", "mins", "mn"), ("m", None)),
        **dict.fromkeys(("heure", "heures", "h"), ("h", None)),
        **dict.fromkeys(("jour", "jours"), ("d", None)),
        **dict.fromkeys(("semaine", "semaines"), ("w", None)),
    },
    "en": {
        **dict.fromkeys(("second", "seconds", "sec", "secs", "s"), ("s", None)),
        **dict.fromkeys(("minute", "minutes", "min", "mins"), ("m", None)),
        **dict.fromkeys(("hour", "hours", "hr", "hrs", "h"), ("h", None)),
        **dict.fromkeys(("day", "days", "d"), ("d", None)),
        **dict.fromkeys(("week", "weeks", "wk", "wks"), ("w", None)),
    },
    # Arabic has singular (one), dual (two) and plural (needs a number) forms.
    "ar": {
        "ثانية": ("s", 1),
        **dict.fromkeys(("ثانيتين", "ثانيتان"), ("s", 2)),
        **dict.fromkeys(("ثوان", "ثواني"), ("s", None)),
        "دقيقة": ("m", 1),
        **dict.fromkeys(("دقيقتين", "دقيقتان"), ("m", 2)),
        "دقائق": ("m", None),
        "ساعة": ("h", 1),
        **dict.fromkeys(("ساعتين", "ساعتان"), ("h", 2)),
        "ساعات": ("h", None),
        "يوم": ("d", 1),
        **dict.fromkeys(("يومين", "يومان"), ("d", 2)),
        "أيام": ("d", None),
        "أسبوع": ("w", 1),
        **dict.fromkeys(("أسبوعين", "أسبوعان"), ("w", 2)),
        "أسابيع": ("w", None),
    },
}

# Number words that may replace the count: "il y a une heure", "an hour ago".
NUMBER_WORDS: dict[str, int] = {"un": 1, "une": 1, "a": 1, "an": 1, "one": 1}

# Single words that name a day: word -> offset in days from the reference date.
BARE_RELATIVE: dict[str, int] = {
    "avant-hier": -2,
    "hier": -1,
    "aujourd'hui": 0,
    "yesterday": -1,
    "today": 0,
    "أول أمس": -2,
    "أمس": -1,
    "البارحة": -1,
    "اليوم": 0,
}

# Words found in every relative expression, as usually written: find_date looks for these with plain
# substring searches (far cheaper than a regex over a long line) before trying the relative patterns.
LATIN_KEYS = ("y a", "ago", "hier", "Hier", "aujourd", "Aujourd", "yesterday", "Yesterday", "today", "Today")
ARABIC_KEYS = ("منذ", "أمس", "امس", "البارح", "اليوم")
# Without a digit, only these can hold a date inside a longer line ("il y a une heure", "منذ ساعتين").
WORDY_KEYS = ("y a", "ago", "منذ")

# Characters removed before matching (regex class body): combining accents, tashkeel and Quranic
# marks, tatweel, the Arabic letter mark, soft hyphen, zero-width and bidirectional controls, BOM.
REMOVABLE = (
    "\u0300-\u036f\u0610-\u061a\u061c\u0640\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed"
    "\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
)

_SPACES = re.compile(r"\s+")

# The spellings each folded letter stands for in real text (each folds to its key with :func:`fold`);
# any other character is matched literally.
_SPELLINGS: dict[str, str] = {
    "ا": "اأإآٱ",
    "ي": "يىیئ",
    "و": "وؤ",
    "ه": "هة",
    "ك": "كک",
    "a": "aàâäá",
    "e": "eéèêë",
    "i": "iîïí",
    "o": "oôöó",
    "u": "uûùüú",
    "c": "cç",
    "'": "'’ʼ",
}


def fold(word: str) -> str:
    """The lookup key of a word: letters by their shape (:func:`akhbar.text.fold_shape`: no accents
    or tashkeel, one alef, ؤ → و, ئ → ي, lower case), single spaces."""
    return _SPACES.sub(" ", fold_shape(word)).strip()


def tolerant(key: str) -> str:
    """A regex fragment matching the folded ``key`` in any of its usual spellings."""
    return "".join(_char_pattern(char) for char in key)


def _char_pattern(char: str) -> str:
    if char == " ":
        return r"\s+"
    spellings = _SPELLINGS.get(char)
    return f"[{spellings}]" if spellings else re.escape(char)


def alternation(words: Iterable[str]) -> str:
    """One group matching any of ``words`` in any usual spelling, preferring the longest.

    The words are laid out as a trie (``j(?:an(?:vier|v)?|uin|...)``): the regex engine then rejects a
    position after a character or two instead of trying every word in turn.
    """
    return "(?:" + _trie({fold(word) for word in words}) + ")"


def _trie(keys: set[str]) -> str:
    children: dict[str, set[str]] = {}
    for key in keys:
        if key:
            children.setdefault(key[0], set()).add(key[1:])
    if not children:
        return ""
    branches = [_char_pattern(char) + _trie(rest) for char, rest in sorted(children.items())]
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in keys else body


def initials(words: Iterable[str]) -> str:
    """A regex character class of the letters ``words`` can start with (a cheap look-ahead guard)."""
    firsts = {fold(word)[:1] for word in words} - {"", " "}
    members = sorted({char for first in firsts for char in _SPELLINGS.get(first, first)})
    return "[" + "".join(re.escape(char) for char in members) + "]"


def _month_table() -> dict[str, int]:
    table: dict[str, int] = {}
    for rows in _MONTH_ROWS.values():
        for number, spellings in enumerate(rows, start=1):
            for spelling in spellings:
                key = fold(spelling)
                if table.setdefault(key, number) != number:  # pragma: no cover - table consistency
                    raise ValueError(f"month word {spelling!r} means two months")
    return table


MONTHS: dict[str, int] = _month_table()
