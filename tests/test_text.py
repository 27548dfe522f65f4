"""Unicode hygiene (akhbar.extract.text) and whole-page text dumps of HTML (akhbar.extract.pagetext)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.extract.pagetext import decode_html, page_text
from akhbar.extract.text import (
    clean,
    clean_lines,
    has_inner_break,
    is_sentence_end,
    letter_count,
    script_counts,
    script_of,
    word_count,
)
from akhbar.extract.textdump import extract_textdump
from akhbar.models import Article

BIDI_AND_ZERO_WIDTH = "".join(
    chr(code) for code in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF)
)


def test_clean_removes_every_bidi_and_zero_width_control() -> None:
    text = f"{BIDI_AND_ZERO_WIDTH}أخبار{BIDI_AND_ZERO_WIDTH} news"
    assert clean(text) == "أخبار news"


def test_clean_normalises_whitespace_including_no_break_spaces() -> None:
    assert clean("  «\u00a0Bonjour\u202f»\t\n  tout\u2009le   monde ") == "« Bonjour » tout le monde"


def test_clean_composes_to_nfc() -> None:
    decomposed = "e\u0301te\u0301"  # "été" with combining accents
    assert clean(decomposed) == "été"
    assert len(clean(decomposed)) == 3


def test_clean_keeps_logical_order_of_mixed_text() -> None:
    text = "\u202bالعدد 18 من Le Monde\u202c"
    assert clean(text) == "العدد 18 من Le Monde"


def test_clean_lines_splits_on_every_line_break_and_keeps_blank_lines() -> None:
    text = "a\r\nb\rc\u2028d\n\n  e  f \x85g"
    assert clean_lines(text) == ["a", "b", "c", "d", "", "e f", "g"]


def test_clean_drops_other_control_characters() -> None:
    assert clean("a\x00b\x07c\u00add") == "abcd"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Le secrétaire général", "latin"),
        ("The minister said", "latin"),
        ("وزارة الصحة تطلق حملة", "arabic"),
        ("وزارة الصحة OMS", "arabic"),
        ("Министр заявил", "other"),
        ("東京で会議", "other"),
        ("2024 - 18/10 !", "none"),
        ("", "none"),
        ("١٨ ٢٠٢٤", "none"),
    ],
)
def test_script_of(text: str, script: str) -> None:
    assert script_of(text) == script


def test_script_of_takes_the_dominant_script() -> None:
    assert script_of("Rapport de la DGST sur la sécurité مراكش") == "latin"
    assert script_of("تقرير جديد للمديرية العامة حول DGST") == "arabic"


def test_script_counts_counts_each_script() -> None:
    assert script_counts("abc دار") == (3, 3, 0)
    assert script_counts("a د Дом мир") == (1, 1, 6)


def test_word_and_letter_counts() -> None:
    assert word_count("L’OTAN a conclu deux jours, vendredi 18.") == 7
    assert letter_count("a1 b2 ج") == 3


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("Il a conclu.", True),
        ("« Il a conclu. »", True),
        ("Vraiment ?", True),
        ("هل انتهى؟", True),
        ("la « priorité absolue »", False),
        ("Lire aussi", False),
        ("", False),
    ],
)
def test_is_sentence_end(text: str, ends: bool) -> None:
    assert is_sentence_end(text) is ends


def test_has_inner_break() -> None:
    assert has_inner_break("Première phrase. Deuxième phrase")
    assert has_inner_break("Comment expliquer ce rétablissement ? Et pourquoi")
    assert not has_inner_break("M. Rutte a ajouté")
    assert not has_inner_break("Une seule phrase.")


@given(st.text())
def test_clean_is_idempotent_and_single_line(text: str) -> None:
    once = clean(text)
    assert clean(once) == once
    assert "\n" not in once
    assert not any(char in once for char in BIDI_AND_ZERO_WIDTH)


# ---------------------------------------------------------------------------------------------
# page_text: HTML to a whole-page text dump

PAGE = """<!doctype html>
<html><head><title>Ignored title</title><style>p { color: red }</style>
<script>var ignored = 1;</script></head>
<body>
<nav><ul><li><a href="/">Accueil</a></li><li><a href="/monde">Monde</a></li></ul></nav>
<h1>Un titre   <em>important</em></h1>
<p>Premier paragraphe avec un <a href="#">lien</a> au milieu.<br>Après le saut.</p>
<noscript>Activez JavaScript</noscript>
<template><p>Modèle caché</p></template>
<svg><text>dessin</text></svg>
<div hidden>Caché</div>
<div style="display: none">Caché aussi</div>
<figure><img src="a.jpg" alt="texte alternatif"><figcaption>Une légende</figcaption></figure>
<table><tr><td>Case 1</td><td>Case 2</td></tr></table>
<footer>© 2024 Le Journal</footer>
</body></html>"""


def test_page_text_keeps_visible_blocks_one_per_line() -> None:
    assert page_text(PAGE).split("\n\n") == [
        "Accueil",
        "Monde",
        "Un titre important",
        "Premier paragraphe avec un lien au milieu.",
        "Après le saut.",
        "Une légende",
        "Case 1",
        "Case 2",
        "© 2024 Le Journal",
    ]


def test_page_text_accepts_bytes_with_declared_charset() -> None:
    html = '<html><head><meta charset="windows-1256"></head><body><p>أخبار</p></body></html>'
    assert page_text(html.encode("windows-1256")) == "أخبار"


def test_decode_html_falls_back_to_utf8_and_guesses() -> None:
    assert decode_html("<p>été</p>".encode()) == "<p>été</p>"
    assert decode_html(b"\xef\xbb\xbf<p>x</p>") == "<p>x</p>"
    assert "t" in decode_html("<p>été à Paris, déjà</p>".encode("latin-1"))


@pytest.mark.parametrize(
    "page",
    ["", "   ", b"", "<", "<html>", "<?xml version='1.0' encoding='utf-8'?><p>x</p>", b"\x00\xff\xfe"],
)
def test_page_text_never_fails_on_broken_input(page: str | bytes) -> None:
    assert isinstance(page_text(page), str)


def test_page_text_survives_unclosed_and_deeply_nested_markup() -> None:
    assert "fond" in page_text("<div>" * 1000 + "<p>fond" + "</div>" * 10)
    assert isinstance(page_text("<div>" * 100_000 + "<p>libxml2 stops at some depth"), str)
    assert page_text("<p>un<p>deux<li>trois") == "un\n\ndeux\n\ntrois"


def test_page_text_is_fast_on_a_big_page() -> None:
    page = "<html><body>" + "<div><p>Un paragraphe de texte ordinaire.</p></div>" * 50_000 + "</body></html>"
    started = time.perf_counter()
    text = page_text(page)
    assert time.perf_counter() - started < 10
    assert text.count("\n\n") == 50_000 - 1


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_page_text_never_raises(page: str) -> None:
    assert isinstance(page_text(page), str)


def test_a_page_dump_feeds_the_text_dump_extractor() -> None:
    html = """<html><body><nav><a>Home</a><a>World</a><a>Sport</a></nav>
    <article><h1>Council approves new cycling network for the old town</h1>
    <p class="date">12 March 2024</p>
    <p>The city council on Tuesday approved a plan to build forty kilometres of protected cycle
    lanes across the old town, a project that supporters say will make streets safer.</p>
    <p>Work will begin in the <a href="/autumn">autumn</a> and last three years, with half of the
    cost borrowed and the rest coming from the national government and the region.</p>
    </article><footer>© 2024 Example</footer></body></html>"""
    article = extract_textdump(page_text(html))
    assert isinstance(article, Article)
    assert article.title == "Council approves new cycling network for the old town"
    assert article.published == "2024-03-12"
    assert len(article.body_paragraphs) == 2
    assert "autumn and last three years" in article.body_paragraphs[1]


def test_prose_words_count_chinese_and_japanese_by_characters() -> None:
    from akhbar.extract.text import prose_words

    assert prose_words("Le conseil a voté hier.") == 5
    assert prose_words("Über die Brücke") == 3
    # Written without spaces: two characters make a word (10 characters and a full stop).
    assert prose_words("東京で会議が開かれた。") == 5
    assert prose_words("国務院 東京") == 3
    assert prose_words("한국어 문장입니다") == 2  # Korean spaces its words
