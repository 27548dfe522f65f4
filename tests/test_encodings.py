"""Charsets: declared, undeclared and lying declarations, on Arabic and French pages; never mojibake."""

from __future__ import annotations

import codecs

import pytest

from akhbar.errors import InputError
from akhbar.extract import extract, readable
from akhbar.extract.decoding import codec_name, decode, decode_text, looks_garbled
from akhbar.models import Article, Document

ARABIC = (
    "أثار ظهور دونالد ترامب بشعر مائل إلى اللون الوردي خلال خطاب ألقاه في واشنطن العاصمة موجة واسعة من "
    "الجدل والسخرية على مواقع التواصل الاجتماعي، بعدما شبه كثيرون لونه بحلوى القطن. وخلال مخاطبته أعضاء "
    "الحزب الجمهوري في مركز جون كينيدي للفنون المسرحية، بدا شعر ترامب بلون غير معتاد، ما فتح الباب أمام "
    "تساؤلات واسعة حول السبب الحقيقي وراء هذا التغير."
)
FRENCH = (
    "Sous les dorures du palais de l'Elysée, ils ont fait connaissance et mesuré l'étendue de leurs "
    "divergences idéologiques. Mardi 29 août, en début de soirée, Emmanuel Macron a reçu la secrétaire "
    "générale de la CGT, où règne une défiance « très forte » envers l'exécutif et ses réformes."
)
MOJIBAKE_MARKS = ("Ã", "Ø§", "Ù", "Ç", "\ufffd")


def page(text: str, charset: str | None = None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f"<!doctype html><html><head>{meta}<title>Titre</title></head>"
        f"<body><article><h1>Titre</h1><p>{text}</p><p>{text}</p></article></body></html>"
    )


def decoded(data: bytes, content_type: str | None = None) -> str:
    text, html = decode(Document(location="page.html", data=data, content_type=content_type))
    assert html
    return text


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        pytest.param(page(ARABIC, "windows-1256").encode("cp1256"), None, ARABIC, id="windows-1256 declared"),
        pytest.param(page(ARABIC).encode("cp1256"), None, ARABIC, id="windows-1256 undeclared"),
        pytest.param(page(ARABIC, "ISO-8859-6").encode("iso-8859-6"), None, ARABIC, id="iso-8859-6 declared"),
        pytest.param(page(ARABIC).encode("iso-8859-6"), None, ARABIC, id="iso-8859-6 undeclared"),
        pytest.param(
            page(ARABIC).encode("cp1256"), "text/html; charset=windows-1256", ARABIC, id="http charset"
        ),
        pytest.param(page(FRENCH, "utf-8").encode("latin-1"), None, FRENCH, id="iso-8859-1 declared utf-8"),
        pytest.param(page(FRENCH, "iso-8859-1").encode("latin-1"), None, FRENCH, id="iso-8859-1 declared"),
        pytest.param(page(FRENCH).encode("latin-1"), None, FRENCH, id="iso-8859-1 undeclared"),
        pytest.param(codecs.BOM_UTF8 + page(ARABIC).encode(), None, ARABIC, id="utf-8 bom"),
        pytest.param(codecs.BOM_UTF16_LE + page(FRENCH).encode("utf-16-le"), None, FRENCH, id="utf-16 bom"),
    ],
)
def test_declared_and_undeclared_charsets(data: bytes, content_type: str | None, expected: str) -> None:
    text = decoded(data, content_type)
    assert expected in text
    assert not any(mark in text for mark in MOJIBAKE_MARKS)


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        pytest.param(page(ARABIC, "windows-1252").encode("cp1256"), None, ARABIC, id="arabic declared latin"),
        pytest.param(page(ARABIC, "utf-8").encode("cp1256"), None, ARABIC, id="windows-1256 declared utf-8"),
        pytest.param(
            page(ARABIC).encode("cp1256"), "text/html; charset=utf-8", ARABIC, id="http header lies"
        ),
        pytest.param(
            page(ARABIC, "windows-1256").encode("iso-8859-6"), None, ARABIC, id="8859-6 declared 1256"
        ),
        pytest.param(page(ARABIC, "iso-8859-6").encode("cp1256"), None, ARABIC, id="1256 declared 8859-6"),
        pytest.param(page(FRENCH, "iso-8859-1").encode("utf-8"), None, FRENCH, id="utf-8 declared latin-1"),
        pytest.param(page(ARABIC, "windows-1256").encode("utf-8"), None, ARABIC, id="utf-8 declared 1256"),
        pytest.param(page(FRENCH, "utf-16").encode("utf-8"), None, FRENCH, id="impossible utf-16 label"),
    ],
)
def test_lying_declarations_are_detected(data: bytes, content_type: str | None, expected: str) -> None:
    text = decoded(data, content_type)
    assert expected in text
    assert not any(mark in text for mark in MOJIBAKE_MARKS)


def test_short_french_page_is_read_as_western_not_central_european() -> None:
    text = decoded(
        "<html><body><p>Été à Paris, café crème et œufs brouillés.</p></body></html>".encode("cp1252")
    )
    assert "Été à Paris, café crème et œufs brouillés." in text


def test_xml_declaration_charset_is_honoured() -> None:
    data = f'<?xml version="1.0" encoding="windows-1256"?>{page(ARABIC)}'.encode("cp1256")
    assert ARABIC in decoded(data)


def test_extract_gives_clean_arabic_from_a_windows_1256_page() -> None:
    html = (
        f'<html lang="ar" dir="rtl"><head><meta charset="windows-1256"><title>{ARABIC[:40]}</title></head>'
        f"<body><article><h1>{ARABIC[:40]}</h1><p>{ARABIC}</p><p>{ARABIC[::-1]}</p></article></body></html>"
    )
    document = Document(
        location="https://example.com/ar/1", url="https://example.com/ar/1", data=html.encode("cp1256")
    )
    result = extract(document)
    assert isinstance(result, Article)
    assert ARABIC in result.body_paragraphs
    assert result.language == "ar"
    assert not any(mark in result.title + "".join(result.body_paragraphs) for mark in MOJIBAKE_MARKS)


def test_codec_names_follow_the_web() -> None:
    assert codec_name("ISO-8859-1") == "cp1252"
    assert codec_name("us-ascii") == "cp1252"
    assert codec_name("windows-1256") == "cp1256"
    assert codec_name("ISO-8859-6-I") == "iso8859-6"
    assert codec_name("utf-16le") is None
    assert codec_name("no-such-charset") is None
    assert codec_name(None) is None


def test_garbled_text_is_recognised() -> None:
    assert looks_garbled(ARABIC.encode("cp1256").decode("cp1252", errors="replace"))
    assert looks_garbled(ARABIC.encode("iso-8859-6").decode("cp1256", errors="replace"))
    assert not looks_garbled(ARABIC)
    assert not looks_garbled(FRENCH)
    assert not looks_garbled("Créé, agréé : « œuvre » à Noël.")


def test_undecodable_bytes_raise_input_error() -> None:
    with pytest.raises(InputError):
        decode(Document(location="x.bin", data=b"\x00\x01\x02 binary"))
    assert decode_text(b"plain ascii") == "plain ascii"


@pytest.mark.parametrize(
    ("controls", "binary"),
    [
        (b"\x01" * 60, True),
        (b"\x01\x02\x1f" * 20, True),
        (b"\x01" * 40, False),
        (b"\t\n\r\f\x1b" * 60, False),
    ],
)
def test_more_than_one_control_byte_in_twenty_makes_a_file_binary(controls: bytes, binary: bool) -> None:
    """Tabs, line ends, form feeds and escapes are text; other control bytes past 1 in 20 are not."""
    data = b"<p>" + b"mot " * 250 + controls
    document = Document("page.html", data, "text/html", None)
    if binary:
        with pytest.raises(InputError, match="control bytes"):
            readable(document)
    else:
        readable(document)
