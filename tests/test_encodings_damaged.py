"""Damaged UTF-8: a real page with a stray byte or three is read as UTF-8, with the damage counted.

Real pages from ../shared/data get bytes injected that no UTF-8 encoder writes (a lone ``\\xa0``
continuation byte, ``\\xff``, a Latin-1 ``\\xe9`` leaked in from another system): the page must
still read as UTF-8, every accented letter intact, one U+FFFD per stray byte, and the count of
replaced characters visible to the caller. Legacy pages must still be read in their own charset.
"""

from __future__ import annotations

import gzip

import pytest

from akhbar.extract import extract
from akhbar.extract.decoding import decode, decode_bytes, decode_document
from akhbar.models import Article, Document
from httpserver import DATA

LE_MONDE = gzip.decompress((DATA / "pages-fundus/fr/LeMonde_2023_09_01.html.gz").read_bytes())
ASSABAH = (DATA / "pages-trafilatura/html/assabah.com.tn.article.html").read_bytes()
SPORTS = (DATA / "pages-trafilatura/html/sports.fr.lorient.html").read_bytes()
FRENCH_PARAGRAPH = "Sous les dorures du palais de l’Elysée, ils ont fait connaissance"
ARABIC_PARAGRAPH = "منذ بدء"
SPORTS_SENTENCES = ("Il est de nouveau à terre.", "Hamel décale Le G", "dans une position excentrée.")


def inject(data: bytes, stray: bytes, *befores: str) -> bytes:
    """``data`` with ``stray`` inserted before the first occurrence of each of ``befores``."""
    for before in befores:
        index = data.index(before.encode())
        data = data[:index] + stray + data[index:]
    return data


def document(data: bytes, url: str | None = None) -> Document:
    return Document(location=url or "page.html", data=data, content_type="text/html", url=url)


@pytest.mark.parametrize("stray", [b"\xa0", b"\xff", b"\xe9"])
@pytest.mark.parametrize(
    ("page", "before"),
    [
        pytest.param(LE_MONDE, FRENCH_PARAGRAPH, id="french"),
        pytest.param(ASSABAH, ARABIC_PARAGRAPH, id="arabic"),
    ],
)
def test_one_stray_byte_costs_one_character(page: bytes, before: str, stray: bytes) -> None:
    damaged = inject(page, stray, before)
    decoded = decode_document(document(damaged))
    assert decoded.encoding == "utf-8" and decoded.replaced == 1 and decoded.html
    assert decoded.text == page.decode().replace(before, "\ufffd" + before, 1)


def test_a_french_article_with_a_stray_byte_extracts_as_before_but_one_character() -> None:
    url = "https://www.lemonde.fr/politique/article/2023/08/30/sophie-binet.html"
    clean = extract(document(LE_MONDE, url))
    damaged = extract(document(inject(LE_MONDE, b"\xff", FRENCH_PARAGRAPH), url))
    assert isinstance(clean, Article) and isinstance(damaged, Article)
    assert damaged.title == clean.title and damaged.language == "fr"
    changed = [(a, b) for a, b in zip(clean.body_paragraphs, damaged.body_paragraphs, strict=True) if a != b]
    assert len(changed) == 1 and changed[0][1] == changed[0][0].replace(
        FRENCH_PARAGRAPH, "\ufffd" + FRENCH_PARAGRAPH
    )


def test_an_arabic_page_with_a_stray_byte_is_not_refused() -> None:
    text, html = decode(document(inject(ASSABAH, b"\xa0", ARABIC_PARAGRAPH)))
    assert html and "\ufffd" + ARABIC_PARAGRAPH in text and text.count("\ufffd") == 1


def test_a_mostly_ascii_french_page_with_a_few_bad_bytes_keeps_its_accents() -> None:
    damaged = inject(SPORTS, b"\xa0", "Il est de nouveau")
    damaged = inject(damaged, b"\xff", "Hamel d")
    damaged = inject(damaged, b"\xe9", "dans une position")
    decoded = decode_document(document(damaged))
    assert decoded.replaced == 3 and decoded.encoding == "utf-8"
    assert all(sentence in decoded.text for sentence in SPORTS_SENTENCES)
    assert decoded.text.count("\ufffd") == 3 and "Ã©" not in decoded.text and "Ă©" not in decoded.text


def test_a_valid_page_reports_nothing_replaced() -> None:
    decoded = decode_document(document(LE_MONDE))
    assert decoded.encoding == "utf-8" and decoded.replaced == 0
    assert decode_bytes("<p>Été à Paris</p>".encode("cp1252")).replaced == 0


def test_a_legacy_page_mostly_ascii_stays_in_its_own_charset() -> None:
    """A few Latin-1 accents in 20 kB of ASCII are few bad bytes per kilobyte, but not damaged UTF-8."""
    body = (
        "<p>The quick brown fox jumps over the lazy dog.</p>" * 400 + "<p>Café crème à Genève, déjà vu.</p>"
    )
    data = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode("cp1252")
    decoded = decode_document(document(data))
    assert "Café crème à Genève, déjà vu." in decoded.text and decoded.replaced == 0


def test_a_real_page_recoded_to_windows_1252_is_read_as_windows_1252() -> None:
    """Le Monde's page in windows-1252 still saying UTF-8: the accents are no damaged UTF-8."""
    data = LE_MONDE.decode().encode("cp1252", errors="xmlcharrefreplace")
    decoded = decode_document(document(data))
    assert decoded.encoding == "cp1252" and FRENCH_PARAGRAPH in decoded.text and decoded.replaced == 0


@pytest.mark.parametrize("codec", ["cp1256", "iso-8859-6"])
def test_a_real_arabic_page_in_a_legacy_charset_is_read_in_it(codec: str) -> None:
    """Arabic letters before an Arabic comma form valid UTF-8 pairs by accident: rare, never a majority."""
    data = ASSABAH.decode().encode(codec, errors="xmlcharrefreplace")
    decoded = decode_document(document(data))
    assert ARABIC_PARAGRAPH in decoded.text and decoded.replaced == 0


def test_the_damage_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="akhbar.extract.decoding"):
        decode(document(inject(LE_MONDE, b"\xff", FRENCH_PARAGRAPH)))
    assert "1 undecodable byte sequence replaced" in caplog.text and "page.html" in caplog.text
