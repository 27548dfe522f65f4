"""Arabic index terms: stop words, proclitics and light stemming, on folded text.

Words arrive folded with akhbar's one table (:data:`akhbar.text.TABLE`: alef forms to ا, ى to ي,
ة to ه, hamza on a carrier to ء so that مسؤول and مسئول meet, Persian/Urdu letters to their Arabic
letters, Eastern Arabic digits to ASCII, no diacritics, Quranic marks or tatweel).

Proclitics (و ف ب ك ل ال and their combinations) are removed by rules that keep short roots
intact; Snowball then removes suffixes only (its own prefix removal is undone, see :func:`stem`).
"""

from __future__ import annotations

import functools
import re

import Stemmer

from akhbar.text import TABLE

# Stop words, written already normalised (ة→ه, ى→ي, أ→ا).
_STOP = frozenset(
    [
        "في",
        "من",
        "على",
        "الي",
        "عن",
        "مع",
        "او",
        "ان",
        "انه",
        "انها",
        "ما",
        "لا",
        "لم",
        "لن",
        "قد",
        "ثم",
        "حتي",
        "اذا",
        "اذ",
        "كان",
        "كانت",
        "يكون",
        "تكون",
        "هذا",
        "هذه",
        "ذلك",
        "تلك",
        "هو",
        "هي",
        "هم",
        "هن",
        "نحن",
        "انا",
        "انت",
        "الذي",
        "التي",
        "الذين",
        "اللذين",
        "اللتين",
        "هناك",
        "هنا",
        "كل",
        "بعض",
        "غير",
        "بين",
        "عند",
        "عندما",
        "منذ",
        "خلال",
        "بعد",
        "قبل",
        "حيث",
        "كما",
        "ايضا",
        "الا",
        "اما",
        "لكن",
        "بل",
        "وقد",
        "وفي",
        "ومن",
        "وعلي",
        "والي",
        "وان",
        "ولا",
        "فقد",
        "فان",
        "لقد",
        "به",
        "بها",
        "له",
        "لها",
        "لهم",
        "منه",
        "منها",
        "فيه",
        "فيها",
        "عليه",
        "عليها",
        "اليه",
        "عنه",
        "وهو",
        "وهي",
        "التي",
        "ان",
        "اي",
        "ايه",
        "يا",
    ]
)

# The article (ال, and ل+ال written لل) and the one-letter proclitics (conjunctions و ف, prepositions ب ك ل).
_ARTICLES = ("ال", "لل")
_ONE_LETTER = frozenset("وفبكل")
_KEEP = frozenset({"الله"})
ARABIC_WORD = re.compile(r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF]+")

_snowball = Stemmer.Stemmer("arabic")


STOP_WORDS = frozenset(word.translate(TABLE) for word in _STOP)


def strip_proclitics(word: str) -> str:
    """Remove attached conjunctions, prepositions and the article, keeping short roots whole.

    Clitics come off one at a time from the left: the article while 2 letters remain
    (الحرب → حرب, اليد stays), a one-letter clitic only while 4 remain, because و ف ب ك ل also begin
    many roots (وزير, فيلم, بيت, كتب, لعب stay whole). Peeling repeatedly makes the result the same
    for every attached form: فلسطين, وفلسطين, بفلسطين and الفلسطيني share their start.
    """
    if word in _KEEP:
        return word
    while True:
        if word[:2] in _ARTICLES and len(word) >= 4:
            word = word[2:]
        elif word[:1] in _ONE_LETTER and len(word) >= 5:
            word = word[1:]
        else:
            return word


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball's Arabic stemmer for suffixes only: a prefix it takes off is put back.

    Snowball would turn وزير into زير and فلسطين into لسط; proclitics are our rules' job.
    """
    if len(word) <= 3:
        return word
    if word.endswith("ات") and len(word) >= 5:  # sound feminine plural: انتخابات → انتخاب
        word = word[:-2]
    stemmed: str = _snowball.stemWord(word)
    if not stemmed:
        return word
    at = word.find(stemmed)
    if at < 0:  # Snowball rewrote letters inside the word: keep it as our rules left it
        return word
    result = word[: at + len(stemmed)]
    return result if len(result) >= 2 else word


@functools.lru_cache(maxsize=200_000)
def term(word: str) -> str | None:
    """The index term of a normalised Arabic word, None for a stop word."""
    if len(word) < 2 or word in STOP_WORDS:
        return None
    bare = strip_proclitics(word)
    if bare in STOP_WORDS:
        return None
    return stem(bare)
