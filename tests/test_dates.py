"""Dates in Arabic, French, English and ISO form: one table row per way pages write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.extract.dates import DateMatch, ParsedDate, find_date, parse_date
from conftest import needs_shared

NOW = datetime(2024, 10, 18, 15, 0, 7, 123456, tzinfo=UTC)
SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "000_5f9867fcee487711.txt"


def iso(parsed: ParsedDate | None) -> str | None:
    return parsed.iso() if parsed else None


ARABIC = [
    ("[بلادي نيوز]18 أكتوبر 2024", "2024-10-18"),
    ("18 اكتوبر 2024", "2024-10-18"),
    ("18 أكتوبر، 2024", "2024-10-18"),
    ("18 أكتوبر , 2024", "2024-10-18"),
    ("١٨ أكتوبر ٢٠٢٤", "2024-10-18"),
    ("۱۸ أكتوبر ۲۰۲۴", "2024-10-18"),
    ("الجمعة 18 تشرين الأول 2024", "2024-10-18"),
    ("الجمعة، 18 تشرين الاول 2024", "2024-10-18"),
    ("18 تشرين أول 2024", "2024-10-18"),
    ("18 أكتوبر 2024م", "2024-10-18"),
    ("18 أكتوبر 2024 م", "2024-10-18"),
    ("أكتوبر 18, 2024", "2024-10-18"),
    ("١٨/١٠/٢٠٢٤", "2024-10-18"),
    ("نُشِرَ في 18 أكتوبر 2024", "2024-10-18"),
    ("18 أكتـــوبر 2024", "2024-10-18"),
    ("نشر بتاريخ: 18 أكتوبر 2024", "2024-10-18"),
    ("يوم الجمعة 18 أكتوبر 2024", "2024-10-18"),
    # Times: plain, after a dash, after "على الساعة", with a morning / evening marker.
    ("18 أكتوبر 2024 14:30", "2024-10-18T14:30:00"),
    ("18 أكتوبر 2024 - 14:30", "2024-10-18T14:30:00"),
    ("18 تشرين الأول، 2024 - 14:30", "2024-10-18T14:30:00"),
    ("18 أكتوبر 2024 على الساعة 14:30", "2024-10-18T14:30:00"),
    ("18 أكتوبر 2024 - 02:30 م", "2024-10-18T14:30:00"),
    ("18 أكتوبر 2024 - 02:30 مساءً", "2024-10-18T14:30:00"),
    ("18 أكتوبر 2024 - 09:15 ص", "2024-10-18T09:15:00"),
    ("18 أكتوبر 2024 - 12:05 ص", "2024-10-18T00:05:00"),
    ("18 أكتوبر 2024 - 09:15 صباحاً", "2024-10-18T09:15:00"),
]

# Every month of every regional Arabic series ("|" between months, "/" between spellings of one month),
# with and without hamza or madda where the name has one.
ARABIC_MONTHS = {
    "Morocco": "يناير|فبراير|مارس|أبريل/ابريل/إبريل|ماي|يونيو|يوليوز|غشت|شتنبر|أكتوبر/اكتوبر|نونبر|دجنبر",
    "Algeria/Tunisia": (
        "جانفي|فيفري|مارس|أفريل/افريل|ماي|جوان|جويلية/جويليه|أوت/اوت|سبتمبر|أكتوبر|نوفمبر|ديسمبر/دیسمبر"
    ),
    "Egypt/Gulf": (
        "يناير|فبراير|مارس|أبريل|مايو/ماى|يونيو/يونيه|يوليو/يوليه|أغسطس/اغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر"
    ),
    "Levant": (
        "كانون الثاني|شباط|آذار/اذار/أذار|نيسان|أيار/ايار|حزيران|تموز|آب/اب|أيلول/ايلول"
        "|تشرين الأول/تشرين الاول/تشرين إلأول|تشرين الثاني|كانون الأول/كانون الاول"
    ),
}
MONTH_ROWS = [
    pytest.param(f"5 {spelling} 2024", f"2024-{month:02d}-05", id=f"{region}-{month}-{spelling}")
    for region, months in ARABIC_MONTHS.items()
    for month, spellings in enumerate(months.split("|"), start=1)
    for spelling in spellings.split("/")
]

FRENCH = [
    ("18 octobre 2024", "2024-10-18"),
    ("vendredi 18 octobre 2024", "2024-10-18"),
    ("Vendredi 18 Octobre 2024 à 14h30", "2024-10-18T14:30:00"),
    ("vendredi 18 octobre 2024 à 14h", "2024-10-18T14:00:00"),
    ("1er octobre 2024", "2024-10-01"),
    ("18 oct. 2024", "2024-10-18"),
    ("3 févr. 2024", "2024-02-03"),
    ("3 fevrier 2024", "2024-02-03"),
    ("3 février 2024", "2024-02-03"),
    ("3 sept. 2024", "2024-09-03"),
    ("15 août 2024", "2024-08-15"),
    ("15 aout 2024", "2024-08-15"),
    ("15 décembre 2024", "2024-12-15"),
    ("15 decembre 2024", "2024-12-15"),
    ("15 DÉCEMBRE 2024", "2024-12-15"),
    ("le 18/10/2024", "2024-10-18"),
    ("18/10/2024 à 14:30", "2024-10-18T14:30:00"),
    ("18.10.2024", "2024-10-18"),
    ("18-10-2024", "2024-10-18"),
    ("1/2/2024", "2024-02-01"),
    ("Publié le 18/10/2024 à 14h30", "2024-10-18T14:30:00"),
    ("Publié le 18 octobre 2024 à 14 h 30", "2024-10-18T14:30:00"),
    ("Mis à jour le 18/10/2024 à 14h30", "2024-10-18T14:30:00"),
    ("Mis à jour le vendredi 18 octobre 2024 à 09h05", "2024-10-18T09:05:00"),
    ("Publié : 18/10/2024 - 14:30", "2024-10-18T14:30:00"),
    ("18 octobre 2024 14:30 GMT+1", "2024-10-18T14:30:00+01:00"),
    ("18 octobre 2024 14:30 UTC", "2024-10-18T14:30:00+00:00"),
]

ENGLISH = [
    ("October 18, 2024", "2024-10-18"),
    ("18 October 2024", "2024-10-18"),
    ("Oct 18, 2024 2:30 PM", "2024-10-18T14:30:00"),
    ("Friday, October 18th, 2024 at 2:30 p.m.", "2024-10-18T14:30:00"),
    ("Oct. 18 2024", "2024-10-18"),
    ("Sep 1, 2024 12:15 AM", "2024-09-01T00:15:00"),
    ("Published on March 3, 2024", "2024-03-03"),
    ("May 5, 2024", "2024-05-05"),
]

ISO = [
    ("2024-10-18", "2024-10-18"),
    ("2024-10-18T14:30:00Z", "2024-10-18T14:30:00+00:00"),
    ("2024-10-18 14:30", "2024-10-18T14:30:00"),
    ("2024-10-18T14:30:00+01:00", "2024-10-18T14:30:00+01:00"),
    ("2024-10-18T14:30:00.123-0500", "2024-10-18T14:30:00-05:00"),
    ("2024/10/18", "2024-10-18"),
]

RELATIVE = [
    ("il y a 3 heures", "2024-10-18T12:00:07+00:00"),
    ("Il y a 2 jours", "2024-10-16"),
    ("il y a 5 minutes", "2024-10-18T14:55:07+00:00"),
    ("il y a une heure", "2024-10-18T14:00:07+00:00"),
    ("il y a 3h", "2024-10-18T12:00:07+00:00"),
    ("il y a 1 semaine", "2024-10-11"),
    ("hier", "2024-10-17"),
    ("Hier à 14h30", "2024-10-17T14:30:00"),
    ("avant-hier", "2024-10-16"),
    ("aujourd'hui", "2024-10-18"),
    ("Aujourd’hui", "2024-10-18"),
    ("Publié aujourd'hui à 09:00", "2024-10-18T09:00:00"),
    ("منذ 3 ساعات", "2024-10-18T12:00:07+00:00"),
    ("منذ ٣ ساعات", "2024-10-18T12:00:07+00:00"),
    ("منذ ساعتين", "2024-10-18T13:00:07+00:00"),
    ("منذ ساعة", "2024-10-18T14:00:07+00:00"),
    ("منذ يومين", "2024-10-16"),
    ("منذ يوم", "2024-10-17"),
    ("منذ 5 دقائق", "2024-10-18T14:55:07+00:00"),
    ("منذ 15 دقيقة", "2024-10-18T14:45:07+00:00"),
    ("منذ دقيقة", "2024-10-18T14:59:07+00:00"),
    ("منذ دقيقتين", "2024-10-18T14:58:07+00:00"),
    ("منذ 3 أيام", "2024-10-15"),
    ("منذ أسبوعين", "2024-10-04"),
    ("مُنذُ ساعتين", "2024-10-18T13:00:07+00:00"),
    ("أمس", "2024-10-17"),
    ("امس", "2024-10-17"),
    ("البارحة", "2024-10-17"),
    ("أول أمس", "2024-10-16"),
    ("اليوم", "2024-10-18"),
    ("3 hours ago", "2024-10-18T12:00:07+00:00"),
    ("an hour ago", "2024-10-18T14:00:07+00:00"),
    ("2 days ago", "2024-10-16"),
    ("yesterday", "2024-10-17"),
    ("Yesterday at 2:30 PM", "2024-10-17T14:30:00"),
    ("today", "2024-10-18"),
]

NOT_DATES = [
    "",
    "   ",
    "Official photo of the NATO Ministers of Defence",
    "آخر الأخبار",
    "© 2024",
    "2024",
    " 2024 ",
    "en 2024",
    "octobre 2024",
    "أكتوبر 2024",
    "18 octobre",
    "Ce vendredi (18 octobre), les ministres",
    "+212 6 12 34 56 78",
    "0612345678",
    "06.12.34.56.78",
    "05 22 20 20 24",
    "1760 قرصًا",
    "إيقاف شخص بحوزته 1760 قرصًا مهلوسًا",
    "12,50 €",
    "1.250,00 DH",
    "40 milliards",
    "31/02/2024",
    "18/13/2024",
    "10/18/2024",
    "00/10/2024",
    "32 octobre 2024",
    "29 février 2023",
    "18/10/24",
    "18.10.2024.55",
    "il y a 2 mois",
    "منذ أيام",
    "منذ ساعات",
    "il y a des années",
    "2024-13-01",
    "15 ربيع الآخر 1446 هـ",
]
# Lines that hold a date but are not one date expression.
NOT_DATE_LINES = [
    ("2024-10-18T25:00", "2024-10-18"),
    ("18/10/2024 à 14h30 | Mis à jour le 19/10/2024", "2024-10-18T14:30:00"),
    ("18 octobre 2024 (AFP)", "2024-10-18"),
    ("hier, 18 octobre 2024", "2024-10-18"),
]


def rows(table: list[tuple[str, str]]) -> list[object]:
    return [pytest.param(text, expected, id=text) for text, expected in table]


@pytest.mark.parametrize(("text", "expected"), rows(ARABIC) + MONTH_ROWS)
def test_arabic_dates(text: str, expected: str) -> None:
    assert iso(parse_date(text, now=NOW)) == expected


@pytest.mark.parametrize(("text", "expected"), rows(FRENCH))
def test_french_dates(text: str, expected: str) -> None:
    assert iso(parse_date(text, now=NOW)) == expected


@pytest.mark.parametrize(("text", "expected"), rows(ENGLISH))
def test_english_dates(text: str, expected: str) -> None:
    assert iso(parse_date(text, now=NOW)) == expected


@pytest.mark.parametrize(("text", "expected"), rows(ISO))
def test_iso_dates(text: str, expected: str) -> None:
    assert iso(parse_date(text, now=NOW)) == expected


@pytest.mark.parametrize(("text", "expected"), rows(RELATIVE))
def test_relative_dates(text: str, expected: str) -> None:
    assert iso(parse_date(text, now=NOW)) == expected


@pytest.mark.parametrize("text", [pytest.param(text, id=repr(text)) for text in NOT_DATES])
def test_not_a_date(text: str) -> None:
    assert parse_date(text, now=NOW) is None
    assert find_date(text, now=NOW) is None


@pytest.mark.parametrize(("text", "found"), rows(NOT_DATE_LINES))
def test_a_line_holding_more_than_a_date_is_not_a_date_line(text: str, found: str) -> None:
    assert parse_date(text, now=NOW) is None
    assert iso(match.date if (match := find_date(text, now=NOW)) else None) == found


@pytest.mark.parametrize(
    ("line", "found", "expected"),
    [
        ("[بلادي نيوز]18 أكتوبر 2024", "18 أكتوبر 2024", "2024-10-18"),
        (
            "Le 18 octobre 2024, les ministres ont conclu 2 jours de discussions.",
            "18 octobre 2024",
            "2024-10-18",
        ),
        (
            "Budget 2024 : 40 milliards, voté le 3 mars 2024 à 14h30.",
            "3 mars 2024 à 14h30",
            "2024-03-03T14:30:00",
        ),
        ("الرباط - نُشِر في ١٨ أكتوبر ٢٠٢٤ م", "١٨ أكتوبر ٢٠٢٤ م", "2024-10-18"),
        ("السبت 19 أكتـوبر 2024 - 10:31 آخر تحديث", "19 أكتـوبر 2024 - 10:31", "2024-10-19T10:31:00"),
        ("Par AFP | Publié hier à 14h30 | 3 min de lecture", "hier à 14h30", "2024-10-17T14:30:00"),
        ("Mis à jour il y a 5 minutes", "il y a 5 minutes", "2024-10-18T14:55:07+00:00"),
        ("المغرب منذ ساعتين ونصف", "منذ ساعتين", "2024-10-18T13:00:07+00:00"),
        ("Posted 3 hours ago by the editors", "3 hours ago", "2024-10-18T12:00:07+00:00"),
        ("Ref 31/02/2024, puis 18/10/2024", "18/10/2024", "2024-10-18"),
        ("Source: example.org, 2024-10-18T14:30:00Z.", "2024-10-18T14:30:00Z", "2024-10-18T14:30:00+00:00"),
        ("hier", "hier", "2024-10-17"),
        ("  اليوم  ", "اليوم", "2024-10-18"),
    ],
)
def test_find_date_in_a_line(line: str, found: str, expected: str) -> None:
    match = find_date(line, now=NOW)
    assert match is not None
    assert line[match.start : match.end] == found
    assert match.date.iso() == expected


@pytest.mark.parametrize(
    "line",
    [
        "Hier, le ministre a parlé pendant 2 heures.",
        "أعلنت الوزارة اليوم عن 40 مشروعا جديدا",
        "Il y a 40 ans, en 1984, le mur tenait encore.",
        "Le score était de 18 à 10 en 2024.",
        "Appelez le 05 22 20 20 24 ou le 0612345678.",
        "Ce vendredi (18 octobre), les ministres de la Défense ont conclu deux jours de discussions.",
        "اليوم  18:00-00:00",
        "Aujourd'hui 10h-18h",
    ],
)
def test_find_date_ignores_numbers_and_words_in_sentences(line: str) -> None:
    assert find_date(line, now=NOW) is None


def test_bracketed_site_name_span_starts_at_the_day() -> None:
    line = "[بلادي نيوز]18 أكتوبر 2024"
    match = find_date(line)
    assert match == DateMatch(ParsedDate(datetime(2024, 10, 18), has_time=False), line.index("18"), len(line))


def test_day_only_is_naive_midnight() -> None:
    parsed = parse_date("18 octobre 2024")
    assert parsed == ParsedDate(datetime(2024, 10, 18), has_time=False)
    assert parsed.value.tzinfo is None


def test_time_without_zone_is_naive_and_iso_with_zone_is_aware() -> None:
    local = parse_date("18/10/2024 à 14:30")
    zulu = parse_date("2024-10-18T14:30:00Z")
    offset = parse_date("2024-10-18T14:30:00+01:00")
    assert local is not None and local.has_time and local.value.tzinfo is None
    assert zulu is not None and zulu.value.utcoffset() == timedelta(0)
    assert offset is not None and offset.value.tzinfo == timezone(timedelta(hours=1))


def test_iso_method() -> None:
    assert ParsedDate(datetime(2024, 10, 18, 14, 30), has_time=False).iso() == "2024-10-18"
    assert ParsedDate(datetime(2024, 10, 18, 14, 30), has_time=True).iso() == "2024-10-18T14:30:00"


def test_relative_dates_default_to_the_current_utc_time() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    parsed = parse_date("il y a 3 heures")
    after = datetime.now(UTC)
    assert parsed is not None and parsed.has_time
    assert before - timedelta(hours=3) <= parsed.value <= after - timedelta(hours=3)


def test_relative_dates_keep_a_naive_reference_naive() -> None:
    parsed = parse_date("منذ ساعتين", now=datetime(2024, 10, 18, 15, 0))
    assert parsed == ParsedDate(datetime(2024, 10, 18, 13, 0), has_time=True)


def test_absolute_dates_do_not_depend_on_now() -> None:
    assert parse_date("18 octobre 2024", now=datetime(1999, 1, 1)) == parse_date("18 octobre 2024")


@needs_shared(SEED)
def test_the_seed_page_has_one_date_line() -> None:
    found = [(line, match) for line in SEED.read_text("utf-8").splitlines() if (match := find_date(line))]
    assert [(line, match.date.iso()) for line, match in found] == [
        ("[بلادي نيوز]18 أكتوبر 2024", "2024-10-18")
    ]


# Pieces of date expressions (and marks that get in their way) for the generated texts below.
FRAGMENTS = [
    *("18", "١٨", "2024", "٢٠٢٤", " ", "/", ".", "-", ":", ",", "،", "[", "]", "T", "Z", "+01:00", "3"),
    *("أكتوبر", "تشرين الأول", "octobre", "Oct.", "1er", "14h30", "14:30", "2:30 PM", "م", "ص"),
    *("il y a", "heures", "منذ", "ساعتين", "hier", "HIER", "Aujourd'hui", "أمس", "à", "le", "ago", "hours"),
    *("\u064e", "\u0640", "\u200f"),
]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    parse_date(text, now=NOW)
    match = find_date(text, now=NOW)
    if match is not None:
        assert 0 <= match.start < match.end <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=14).map("".join))
def test_a_found_date_reads_back_from_its_span(text: str) -> None:
    match = find_date(text, now=NOW)
    if match is not None:
        assert 0 <= match.start < match.end <= len(text)
        assert parse_date(text[match.start : match.end], now=NOW) == match.date


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=14).map("".join))
def test_a_date_line_is_found_as_the_same_date(text: str) -> None:
    parsed = parse_date(text, now=NOW)
    if parsed is not None:
        match = find_date(text, now=NOW)
        assert match is not None and match.date == parsed
