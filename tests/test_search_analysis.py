"""The analyser's tables and rules: Arabic normalisation, proclitics, stemming, French and English."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.search import arabic
from akhbar.search.analysis import _TOKEN, _tokens, index_terms, prepare, terms
from akhbar.search.snippets import highlight, snippet
from akhbar.text import TABLE


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("أحمد", "احمد"),
        ("إسلام", "اسلام"),
        ("آمال", "امال"),
        ("ٱلله", "الله"),
        ("مستشفى", "مستشفي"),
        ("مدرسة", "مدرسه"),
        ("مسؤول", "مسءول"),
        ("مسئول", "مسءول"),
        ("كتـــاب", "كتاب"),  # tatweel
        ("كِتَابٌ", "كتاب"),  # tashkeel
        ("ک ی ۀ ھ", "ك ي ه ه"),  # Persian/Urdu letters
        ("١٨ أكتوبر ٢٠٢٤", "18 اكتوبر 2024"),
        ("۱۲۳", "123"),
        ("ﻻ", "لا"),  # presentation form, through NFKC
        ("DÉFENSE", "défense"),
    ],
)
def test_normalisation_table(raw: str, normalised: str) -> None:
    assert prepare(raw) == normalised


@pytest.mark.parametrize(
    ("word", "bare"),
    [
        ("الناتو", "ناتو"),
        ("والناتو", "ناتو"),
        ("بالناتو", "ناتو"),
        ("فالناتو", "ناتو"),
        ("وبالناتو", "ناتو"),
        ("للحرب", "حرب"),
        ("كالبحر", "بحر"),
        ("وفلسطين", arabic.strip_proclitics("فلسطين")),
        ("اليد", "يد"),
        ("وزير", "وزير"),  # a root beginning with و stays whole
        ("بيت", "بيت"),
        ("كتب", "كتب"),
        ("لعب", "لعب"),
        ("فيلم", "فيلم"),
        ("وقال", "وقال"),  # too short to tell the conjunction from a root letter
        ("الله", "الله"),
    ],
)
def test_proclitics_come_off_but_short_roots_stay(word: str, bare: str) -> None:
    assert arabic.strip_proclitics(word) == bare


@pytest.mark.parametrize(
    "variants",
    [
        ("الناتو", "ناتو", "والنّاتو", "بالناتو"),
        ("الأطلسي", "الاطلسي", "الأَطْلَسِيّ", "أطلسي"),
        ("المدرسة", "مدرسه", "مدرسة", "والمدرسة"),
        ("الانتخابات", "انتخابات", "بالانتخابات"),
        ("مسؤول", "مسئول", "المسؤول"),
        ("مستشفى", "المستشفي"),
        ("الوزراء", "وزراء"),
        ("فلسطين", "وفلسطين", "بفلسطين"),
    ],
)
def test_arabic_variants_share_one_term(variants: tuple[str, ...]) -> None:
    found = {tuple(terms(v, "ar")) for v in variants}
    assert len(found) == 1, found


@pytest.mark.parametrize(
    ("language", "variants"),
    [
        ("fr", ("défense", "defense", "Défenses", "DEFENSE")),
        ("fr", ("l'élection", "élections", "l’election", "d'élection")),
        ("fr", ("président", "présidents", "president")),
        ("en", ("elections", "election", "Election")),
        ("en", ("ministers", "minister")),
    ],
)
def test_latin_variants_share_one_term(language: str, variants: tuple[str, ...]) -> None:
    found = {tuple(terms(v, language)) for v in variants}
    assert len(found) == 1, found


def test_stop_words_and_mixed_scripts() -> None:
    assert terms("le la de la et des", "fr") == []
    assert terms("of the and", "en") == []
    assert terms("في من على", "ar") == []
    mixed = terms("قال الناتو (OTAN) إن الحلف", "ar")
    assert "otan" in mixed
    assert "ناتو" in mixed
    assert terms("OTANالناتو", "fr") == ["otan", "ناتو"]  # scripts split words


def test_a_snippet_marks_whole_words_only() -> None:
    """The first match is a word of its own: not the end of a longer word, nor the start of one."""
    wanted = frozenset(terms("scrutin", "fr"))
    filler = "Suite du texte. " * 20
    text = f"{filler}Le rescrutin {filler}puis le scrutinx, {filler}et enfin le scrutin de dimanche. {filler}"
    found = snippet(text, wanted, "fr")
    assert found.count("<mark>") == 1 and "<mark>scrutin</mark> de dimanche" in found
    assert "re<mark>" not in found and "<mark>scrutinx" not in found
    arabic = "قال الطنجاويون" + " نص" * 100 + " إن طنجة" + " نص" * 200
    assert "<mark>طنجة</mark>" in snippet(arabic, frozenset(terms("طنجة", "ar")), "ar")
    assert "<mark>" not in snippet("الطنجاويون" + " نص" * 200, frozenset(terms("طنجة", "ar")), "ar")


def _matching_forms(text: str, wanted: frozenset[str], language: str) -> set[str]:
    """The words of ``text``, as written, whose terms are wanted: each word analysed on its own."""
    from akhbar.search import snippets

    return {w for w in snippets._ORIGINAL.findall(text) if not wanted.isdisjoint(terms(w, language))}


def _snippet_from_all_words(text: str, wanted: frozenset[str], language: str) -> str:
    """The snippet as first written: every word of the text sorted one by one, then the window cut
    around the first match (the reference the faster snippet() must equal)."""
    from akhbar.search import snippets

    text = text[: snippets.SCAN]
    forms = _matching_forms(text, wanted, language)
    first = next((m.span() for m in snippets._ORIGINAL.finditer(text) if m.group() in forms), None)
    start = max(0, first[0] - snippets.WINDOW // 3) if first else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if first and 0 <= space < first[0] else start
    end = min(len(text), start + snippets.WINDOW)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    window = snippets._ORIGINAL.finditer(text, start, end)
    found = [m.span() for m in window if m.group() in forms]
    body = snippets._marked(text, start, end, found)
    return ("… " if start else "") + body + (" …" if end < len(text) else "")


def _highlight_from_all_words(text: str, wanted: frozenset[str], language: str) -> str:
    from akhbar.search import snippets

    forms = _matching_forms(text, wanted, language)
    found = [m.span() for m in snippets._ORIGINAL.finditer(text) if m.group() in forms]
    return snippets._marked(text, 0, len(text), found)


_PIECES = ["scrutin", "scrutins", "rescrutin", "Scrutin,", "طنجة", "بطنجة", "الطنجاويون", "نص", "le", "du",
           "OTAN", "الناتو", "12", "l'élection", "élections", "é", "-", ".", "«", "»", "_", "طنـجة", "طَنجة",
           "ـ", "\u064e", "(scrutin)", "scrutin\u00a0"]  # fmt: skip


@given(
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=400),
    st.lists(st.sampled_from(["", " ", "  ", "\n", "x"]), min_size=400, max_size=400),
    st.sampled_from(["scrutin", "طنجة", "élection", "otan"]),
)
@settings(max_examples=300, deadline=None)
def test_a_snippet_equals_the_one_from_every_word_sorted(
    pieces: list[str], gaps: list[str], word: str
) -> None:
    """Sorting a text's distinct words by set operations and finding matches by ``str.find`` gives
    the snippet and highlighted title of every word sorted one by one, windows cut inside a word
    (no space near), words joined across scripts and Arabic marks included."""
    text = "".join(piece + gap for piece, gap in zip(pieces, gaps, strict=False))
    for language in ("fr", "ar"):
        wanted = frozenset(terms(word, language))
        assert snippet(text, wanted, language) == _snippet_from_all_words(text, wanted, language)
        assert highlight(text, wanted, language) == _highlight_from_all_words(text, wanted, language)


def test_a_window_cut_inside_a_word_marks_what_the_whole_text_matches() -> None:
    """No space near the match: the window ends inside "scrutinsabc", whose cut "scrutins" would be
    a match on its own; it is not one in this text, so it is not marked."""
    text = "." * 100 + "scrutin" + "." * 132 + "scrutinsabc" + "." * 50
    wanted = frozenset(terms("scrutin", "fr"))
    found = snippet(text, wanted, "fr")
    assert found == _snippet_from_all_words(text, wanted, "fr")
    assert found.count("<mark>") == 1 and "scrutins" in found


def test_the_word_memos_stay_bounded_over_a_long_stream() -> None:
    """A process indexing for weeks meets millions of distinct words (names, numbers, typos): the
    memos of words analysed start again empty past their limit instead of growing with the stream."""
    from akhbar.search import analysis

    batch = 40_000
    for start in range(0, 6 * batch, batch):
        text = " ".join(f"mot{number}x" for number in range(start, start + batch))
        index_terms(text, "fr")
    assert len(analysis._caches["fr"]) <= analysis._CACHE_LIMIT + batch
    assert len(analysis._exact_cache) <= analysis._CACHE_LIMIT + batch
    assert analysis.latin_term.cache_info().currsize <= analysis._CACHE_LIMIT


_TABLE_CHARS = "".join(sorted(chr(c) for c in TABLE))


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(_TABLE_CHARS + "abcé دكتور -'\u064b"), max_size=60)
    | st.text(max_size=60)
)
def test_the_index_folds_as_prepare_does(text: str) -> None:
    """The index's tokens (the table applied by one substitution) are the words of the text as
    :func:`prepare` (``str.translate`` with the table) folds it."""
    assert _tokens(text) == _TOKEN.findall(prepare(text))
