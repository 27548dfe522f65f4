"""Interface languages: catalogs complete for every template string, negotiation, localised dates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from akhbar.extract.sections import SECTIONS
from akhbar.web.i18n import LANGUAGES, format_published, interface, negotiate

WEB = Path(__file__).resolve().parents[1] / "src" / "akhbar" / "web"
MESSAGE = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')\s*\)""")
PLURAL = re.compile(r"""ngettext\(\s*"([^"]+)",\s*"([^"]+)",""")


def _template_messages() -> set[str]:
    found = set()
    for template in (WEB / "templates").glob("*.html"):
        for match in MESSAGE.finditer(template.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    sections = {title for title, _ in SECTIONS.values()}
    return found | sections | {"In Arabic", "In French", "In English", "No such article", "No such story"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_interface_string_is_translated(language: str) -> None:
    path = WEB / "locale" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(m for m in _template_messages() if not translated.get(m))
    assert not missing, f"{language}: untranslated {missing}"


def _template_plurals() -> set[str]:
    return {
        match.group(1)
        for template in (WEB / "templates").glob("*.html")
        for match in PLURAL.finditer(template.read_text(encoding="utf-8"))
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plural_has_all_the_language_forms(language: str) -> None:
    """Arabic needs six forms (zero, one, two, few, many, other), French three, English two."""
    path = WEB / "locale" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    plurals = _template_plurals()
    assert plurals, "the templates use ngettext"
    for singular in plurals:
        message = catalog.get(singular)
        assert message is not None and isinstance(message.string, tuple), f"{language}: {singular}"
        assert len(message.string) == catalog.num_plurals and all(message.string), (language, singular)


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("ar", 1, "نُشر أيضاً في مصدر آخر"),
        ("ar", 2, "نُشر أيضاً في مصدرين آخرين"),
        ("ar", 5, "نُشر أيضاً في 5 مصادر أخرى"),
        ("ar", 12, "نُشر أيضاً في 12 مصدراً آخر"),
        ("fr", 1, "repris par 1 autre source"),
        ("fr", 4, "repris par 4 autres sources"),
        ("en", 1, "also in 1 source"),
        ("en", 3, "also in 3 sources"),
    ],
)
def test_plural_forms(language: str, count: int, expected: str) -> None:
    text = interface(language).ngettext("also in %(count)d source", "also in %(count)d sources", count)
    assert text % {"count": count} == expected


def test_catalogs_translate() -> None:
    assert interface("ar").gettext("Breaking news") == "الأخبار العاجلة"
    assert interface("ar").gettext("Latest news") == "آخر الأخبار"
    assert interface("fr").gettext("Breaking news") == "Flash"
    assert interface("en").gettext("Breaking news") == "Breaking"
    assert interface("ar").direction == "rtl" and interface("fr").direction == "ltr"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "ar"),
        ("", "ar"),
        ("fr-FR,fr;q=0.9,en-US;q=0.8", "fr"),
        ("en-GB", "en"),
        ("de-DE, en;q=0.3, fr;q=0.5", "fr"),
        ("ar-MA", "ar"),
        ("*", "ar"),
        ("fr;q=abc, en;q=0.1", "en"),
    ],
)
def test_negotiate(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


@given(st.text(max_size=200))
def test_negotiate_never_fails(header: str) -> None:
    assert negotiate(header) in LANGUAGES


@pytest.mark.parametrize(
    ("published", "language", "url", "expected"),
    [
        ("2024-10-18", "ar", None, "18 أكتوبر 2024"),
        ("2024-05-02", "ar", "https://www.hespress.ma/x", "2 ماي 2024"),
        ("2024-08-02", "ar", "https://www.hespress.ma/x", "2 غشت 2024"),
        ("2024-07-02", "ar", "https://www.elwatan.dz/x", "2 جويلية 2024"),
        ("2024-10-02", "ar", "https://www.annahar.com.lb/x", "2 تشرين الأول 2024"),
        ("2024-07-02", "ar", "https://www.ahram.eg/x", "2 يوليو 2024"),
        ("2024-10-18T14:30:00+01:00", "fr", None, "18 octobre 2024, 14:30"),
        ("2024-10-18T14:30:00Z", "en", None, "October 18, 2024, 2:30\u202fPM"),
        ("not a date", "fr", None, "not a date"),
        (None, "en", None, ""),
    ],
)
def test_format_published(published: str | None, language: str, url: str | None, expected: str) -> None:
    assert format_published(published, language, url) == expected


@pytest.mark.parametrize(
    ("url", "locale"),
    [
        ("https://hespress.ma/x/1", "ar_MA"),
        ("HTTPS://WWW.A.TN", "ar_TN"),
        ("https://user:pw@b.lb:80/x", "ar_LB"),
        ("https://a.ma?next=//b.tn", "ar_MA"),
        ("https://a.eg#x.ma", "ar_EG"),
        ("https://x.sy/a//b.tn/", "ar_SY"),
        ("//a.dz/x", "ar_DZ"),
        ("http:/x//host.ma/", "ar"),  # no host part: the path's look-alike is not one
        ("foo/bar//b.ma/", "ar"),
        ("http://[::1", "ar"),  # hostile: unparsable
        ("", "ar"),
        (None, "ar"),
    ],
)
def test_arabic_months_follow_the_host_of_the_address(url: str | None, locale: str) -> None:
    """The region is read from the host part alone (parsed once per site): the same as from the whole URL."""
    from akhbar.web.i18n import _locale_for

    assert _locale_for("ar", url) == locale
    assert _locale_for("fr", url) == "fr"
