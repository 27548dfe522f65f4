"""Whether one body copies another, and how: the same text, contained in it, or containing it.

Candidates come from MinHash bands and anchors (:mod:`akhbar.dedupe.signatures`,
:mod:`akhbar.dedupe.anchors`); this module decides on the exact word 3-grams of both bodies:

- *containment* is the share of the shorter text's shingles found in the longer one, *Jaccard* the
  shared share of both. A copy keeps most of its source: containment ``>= CONTAINED`` (or Jaccard
  ``>= SAME_JACCARD``, for two versions of one text edited on both sides).
- the *relation* is ``same`` when the shorter text is at least ``SAME_SHARE`` of the longer one (a
  syndicated copy with a header, a trimmed paragraph, another spelling) or their Jaccard says so;
  otherwise the shorter one is ``contained`` in the longer (a wire item printed whole in a roundup).
- *facts that differ* count against a link (and texts sharing ``TEMPLATE`` of their shingles are
  compared so too, for the stories): template texts (cables that congratulate another
  country, police releases on another burglary) share nearly all their words and differ only in
  names, places and numbers. The two bodies are aligned word by word; a short replaced run of words
  with the same text on both sides of it, inside the shared text (a header, a byline or a footer
  replaced is the frame of a copy, not a slot), is a filled slot, and a slot whose number, or name, is
  another one is a conflict. A name is a capitalised word the text never writes in lower case; in
  a script without case (Arabic) any replaced word might be one (or an editor's synonym), so such
  a slot counts a third.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from akhbar.dedupe.signatures import MIN_SHINGLES, Text, words

# Words after which Arabic news writes a name (titles, honorifics, kinds of place), as signatures
# fold them: a replaced word right after one of them is a name, though Arabic has no capitals.
_CUES = (
    "الرئيس",
    "رئيس",
    "الملك",
    "ملك",
    "الأمير",
    "أمير",
    "الشيخ",
    "السيد",
    "السيدة",
    "فخامة",
    "سمو",
    "جلالة",
    "معالي",
    "سعادة",
    "دولة",
    "جمهورية",
    "مملكة",
    "إمارة",
    "سلطنة",
    "الوزير",
    "وزير",
    "السفير",
    "سفير",
    "نائب",
    "مدينة",
    "محافظة",
    "ولاية",
    "منطقة",
    "بلدية",
    "قرية",
    "شارع",
    "حي",
    "الدكتور",
    "المهندس",
    "اللواء",
    "العميد",
    "العقيد",
    "المدعو",
    "المتهم",
    "الفقيد",
    "الفقيدة",
    "الراحل",
    "المرحوم",
)
# each also with the conjunction و or the prepositions ب and ل written onto it (والرئيس, لرئيس)
NAME_CUES = frozenset(word for cue in _CUES for prefix in ("", "و", "ب", "ل") for word in words(prefix + cue))

__all__ = ["Facts", "Match", "Relation", "compare", "conflicts", "flipped"]

Relation = Literal["same", "contained_in", "contains"]

CONTAINED = 0.8  # share of the shorter text's shingles found in the longer one
TEMPLATE = 0.5  # two texts sharing this much may be one template: their facts are compared
SAME_JACCARD = 0.55
SAME_SHARE = 2 / 3  # the shorter text is at least this share of the longer one: the same text
MIN_CONTAINED = 24  # shingles (about 26 words): a shorter text inside another is a quotation
SLOT_WORDS = 4  # a replaced run this short, between two shared runs, is a filled slot
CONTEXT_WORDS = 3  # slots lie between the first and the last shared run this long: not in a header
CONFLICT = 1.0  # the weight of differing facts that rules a copy out
HEADLINE_NAME = 2 / 3  # the same, with a word the text's headline names too
UNCASED_NAME = 1 / 3  # a slot of words in a script without case: a name, perhaps (three are a conflict)


@dataclass(frozen=True)
class Facts:
    """The weight of the differing facts in two texts' filled slots: numbers, and names or places."""

    numbers: float = 0.0
    names: float = 0.0

    def __add__(self, other: Facts) -> Facts:
        return Facts(self.numbers + other.numbers, self.names + other.names)

    @property
    def total(self) -> float:
        return self.numbers + self.names


@dataclass(frozen=True)
class Match:
    """How a new body relates to an earlier one that reads nearly the same (``relation`` is read
    from the new body's side), and the facts they disagree on."""

    relation: Relation
    containment: float
    jaccard: float
    facts: Facts = Facts()

    @property
    def is_copy(self) -> bool:
        """A copy: it keeps most of the other text, and no differing facts weigh ``CONFLICT``."""
        near = self.containment >= CONTAINED or self.jaccard >= SAME_JACCARD
        return near and self.facts.total < CONFLICT

    @property
    def another_event(self) -> bool:
        """The same template filled with other names or places: another event, not an update (an
        update may give other numbers)."""
        return self.facts.names >= CONFLICT


def flipped(relation: Relation) -> Relation:
    """The same relation read from the other text's side."""
    if relation == "contained_in":
        return "contains"
    if relation == "contains":
        return "contained_in"
    return relation


def compare(new: Text, old: Text) -> Match | None:
    """How ``new`` reads like ``old`` (a copy when ``is_copy``), or None when it does not."""
    a, b = new.shingles, old.shingles
    if min(len(a), len(b)) < MIN_SHINGLES:
        same = bool(a) and new.words == old.words
        return Match("same", 1.0, 1.0) if same else None
    shared = len(a & b)
    shorter, longer = sorted((len(a), len(b)))
    containment, jaccard = shared / shorter, shared / (len(a) + len(b) - shared)
    if containment < TEMPLATE and jaccard < SAME_JACCARD:
        return None
    if jaccard >= SAME_JACCARD or shorter >= SAME_SHARE * longer:
        relation: Relation = "same"
    elif shorter < MIN_CONTAINED:
        return None
    else:
        relation = "contained_in" if len(a) <= len(b) else "contains"
    return Match(relation, containment, jaccard, conflicts(new, old))


def conflicts(one: Text, other: Text) -> Facts:
    """The facts the two texts' aligned slots disagree on (``Facts()``: none)."""
    short, long_ = (one, other) if len(one.words) <= len(other.words) else (other, one)
    matcher = difflib.SequenceMatcher(None, short.words, long_.words, autojunk=False)
    ops = matcher.get_opcodes()
    shared = [k for k, op in enumerate(ops) if op[0] == "equal" and op[2] - op[1] >= CONTEXT_WORDS]
    total = Facts()
    for k in range(shared[0] + 1, shared[-1]) if shared else ():
        tag, i1, i2, j1, j2 = ops[k]
        if tag != "replace" or ops[k - 1][0] != "equal" or ops[k + 1][0] != "equal":
            continue
        if i2 - i1 > SLOT_WORDS or j2 - j1 > SLOT_WORDS:
            continue  # a rewritten passage, not a slot
        total += _slot(short.cased[i1:i2], long_.cased[j1:j2], short, long_, short.words[i1 - 1])
    return total


def _slot(a_words: tuple[str, ...], b_words: tuple[str, ...], a: Text, b: Text, before: str) -> Facts:
    """How strongly one filled slot says the texts report different facts: a number for another,
    a name for another (in a script without case: after a title such as الرئيس, or a word of the
    text's headline), or, less strongly, any word for another in a script without case."""
    a_numbers = {w for w in a_words if any(c.isdigit() for c in w)}
    b_numbers = {w for w in b_words if any(c.isdigit() for c in w)}
    if a_numbers and b_numbers and a_numbers != b_numbers:
        return Facts(numbers=1.0)
    if _names(a, a_words) and _names(b, b_words):
        return Facts(names=1.0)
    if not (_uncased(a_words) and _uncased(b_words)):
        return Facts()
    if before in NAME_CUES:
        return Facts(names=1.0)
    headline = a.headline | b.headline
    if any(w.casefold() in headline for w in (*a_words, *b_words)):
        return Facts(names=HEADLINE_NAME)
    return Facts(names=UNCASED_NAME)


def _names(text: Text, words: tuple[str, ...]) -> bool:
    """Whether a word here is a name: capitalised, and never written in lower case in its text."""
    return any(w[:1].isupper() and w.casefold() not in text.lower_case for w in words if len(w) > 1)


def _uncased(words: tuple[str, ...]) -> bool:
    """Whether the words hold a word of three letters or more in a script without case."""
    return any(len(w) >= 3 and w.isalpha() and w.lower() == w.upper() for w in words)
