"""The one folding table and its variants, pinned on real spellings.

Search folding feeds the full-text index and signature folding the stored MinHash signatures: a
change to a row here changes stored data, so it needs a reindex or a migration in the same commit.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.dedupe.signatures import normalise
from akhbar.extract import datewords
from akhbar.search.analysis import prepare
from akhbar.text import (
    SIGNATURE_TABLE,
    TABLE,
    apply_table,
    ascii_digits,
    fold,
    fold_for_signatures,
    fold_shape,
    strip_accents,
)
from akhbar.text.folding import substitution

# raw, fold (search), fold_shape (date words), fold_for_signatures (near-duplicates), strip_accents
SPELLINGS = [
    # hamza forms: on alef they fold to ا everywhere; on a carrier to ء (search, signatures) or to the carrier
    ("أحمد", "احمد", "احمد", "احمد", "احمد"),
    ("إسلام", "اسلام", "اسلام", "اسلام", "اسلام"),
    ("آمال", "امال", "امال", "امال", "امال"),
    ("ٱلله", "الله", "الله", "الله", "ٱلله"),
    ("مسؤول", "مسءول", "مسوول", "مسءول", "مسوول"),
    ("مسئول", "مسءول", "مسيول", "مسءول", "مسيول"),
    ("شؤون", "شءون", "شوون", "شءون", "شوون"),
    ("هيئة", "هيءه", "هييه", "هيءه", "هيية"),
    ("شيء", "شيء", "شيء", "شء", "شيء"),
    ("شئ", "شء", "شي", "شء", "شي"),
    ("سماء", "سماء", "سماء", "سماء", "سماء"),
    # alef maqsura and teh marbuta
    ("مستشفى", "مستشفي", "مستشفي", "مستشفي", "مستشفى"),
    ("على", "علي", "علي", "علي", "على"),
    ("مدرسة", "مدرسه", "مدرسه", "مدرسه", "مدرسة"),
    # tashkeel, tanwin, madda, tatweel
    ("راضٍ", "راض", "راض", "راض", "راض"),
    ("كِتَابٌ", "كتاب", "كتاب", "كتاب", "كتاب"),
    ("الْقُرْآن", "القران", "القران", "القران", "القران"),
    ("كتـــاب", "كتاب", "كتاب", "كتاب", "كتـــاب"),
    # Persian and Urdu letters
    ("ک ی ۀ ھ", "ك ي ه ه", "ك ي ه ه", "ك ي ه ه", "ک ی ە ھ"),
    ("پاکستان", "پاكستان", "پاكستان", "پاكستان", "پاکستان"),
    ("ہے", "هي", "هي", "هي", "ہے"),
    # digits, the Arabic percent sign, a presentation-form ligature
    ("١٨ أكتوبر ٢٠٢٤", "18 اكتوبر 2024", "18 اكتوبر 2024", "18 اكتوبر 2024", "١٨ اكتوبر ٢٠٢٤"),
    ("۱۲۳", "123", "123", "123", "۱۲۳"),
    ("٪٥٠", "%50", "%50", "%50", "٪٥٠"),
    ("ﻻ", "لا", "لا", "لا", "ﻻ"),
    # digit groups join for signatures only; invisible characters leave words whole for signatures only
    ("1 760", "1 760", "1 760", "1760", "1 760"),
    ("1\u202f760", "1 760", "1 760", "1760", "1\u202f760"),
    ("ال\u200cعربية", "ال\u200cعربيه", "ال\u200cعربيه", "العربيه", "ال\u200cعربية"),
    ("dé\u00adfense", "dé\u00adfense", "de\u00adfense", "defense", "de\u00adfense"),
    # French accents and ligatures: œ and æ stay (but open up in signatures), ﬁ and ß open up
    ("Défense", "défense", "defense", "defense", "Defense"),
    ("ÉTÉ", "été", "ete", "ete", "ETE"),
    ("cœur", "cœur", "cœur", "coeur", "cœur"),
    ("Œuvre", "œuvre", "œuvre", "oeuvre", "Œuvre"),
    ("ﬁnale", "finale", "finale", "finale", "ﬁnale"),
    ("straße", "strasse", "strasse", "strasse", "straße"),
    # apostrophes become ', quotation marks stay
    ("l’État", "l'état", "l'etat", "l'etat", "l’Etat"),
    ("aujourd‘hui", "aujourd'hui", "aujourd'hui", "aujourd'hui", "aujourd‘hui"),
    ("ʼ", "'", "'", "'", "ʼ"),
    ("«Le»", "«le»", "«le»", "«le»", "«Le»"),
    ("“cité”", "“cité”", "“cite”", "“cite”", "“cite”"),
]


@pytest.mark.parametrize(("raw", "search", "shape", "signatures", "accents"), SPELLINGS)
def test_each_variant_folds_real_spellings(
    raw: str, search: str, shape: str, signatures: str, accents: str
) -> None:
    assert (fold(raw), fold_shape(raw), fold_for_signatures(raw), strip_accents(raw)) == (
        search,
        shape,
        signatures,
        accents,
    )


@pytest.mark.parametrize("raw", [row[0] for row in SPELLINGS])
def test_stages_use_their_variant(raw: str) -> None:
    assert prepare(raw) == fold(raw)
    assert normalise(raw) == fold_for_signatures(raw)
    assert datewords.fold(raw) == fold_shape(raw).strip()


@pytest.mark.parametrize(
    "spelling",
    [
        "أكتوبر",
        "إبريل",
        "آذار",
        "ٱب",
        "مسؤول",
        "الجمعة",
        "مستشفى",
        "هيئة",
        "ی",
        "ک",
        "Février",
        "août",
        "aujourd’hui",
    ],
)
def test_date_patterns_match_what_their_fold_gives(spelling: str) -> None:
    """Date words are looked up by their fold and found by :func:`datewords.tolerant`: the pattern of
    a spelling's fold must match the spelling itself."""
    assert re.fullmatch(datewords.tolerant(datewords.fold(spelling)), spelling, re.IGNORECASE)


def test_eastern_digits_become_ascii() -> None:
    assert ascii_digits("١٧٦٠ و۱۲۳ and 45") == "1760 و123 and 45"


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_table_as_one_substitution_is_the_table_translated(data: st.DataObject) -> None:
    """:func:`substitution` changes text exactly as ``str.translate`` with the same table does."""
    for table in (TABLE, SIGNATURE_TABLE):
        alphabet = "".join(chr(code) for code in table) + "abc é دكتور'-"
        text = data.draw(st.text(alphabet=st.sampled_from(alphabet), max_size=60) | st.text(max_size=40))
        assert substitution(table)(text) == text.translate(table)
    assert apply_table("أحمد") == "أحمد".translate(TABLE) == "احمد"
