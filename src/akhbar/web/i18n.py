"""Interface languages: gettext catalogs (compiled from the .po files at start-up, no build step),
Accept-Language negotiation, and dates written as the reader's language and the source's region write them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, format_timedelta, get_timezone_location
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from akhbar.text.urls import split_url

LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("ar", "fr", "en")
DEFAULT_LANGUAGE = "ar"
RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "he"})

# Arabic month names differ by region (CLDR has them per locale): the Maghreb writes ماي/يوليوز/غشت,
# Algeria and Tunisia جانفي/جويلية/أوت, the Levant and Iraq تشرين/كانون; elsewhere يناير/يوليو.
ARABIC_REGIONS = {
    "ma": "ar_MA",
    "eh": "ar_EH",
    "mr": "ar_MR",
    "dz": "ar_DZ",
    "tn": "ar_TN",
    "ly": "ar_LY",
    "lb": "ar_LB",
    "sy": "ar_SY",
    "jo": "ar_JO",
    "iq": "ar_IQ",
    "ps": "ar_PS",
    "eg": "ar_EG",
    "sa": "ar_SA",
    "ae": "ar_AE",
    "qa": "ar_QA",
    "kw": "ar_KW",
}


@dataclass(frozen=True)
class Interface:
    """One interface language: its code, direction and translations."""

    language: str
    direction: str
    translations: Translations

    def gettext(self, message: str) -> str:
        return str(self.translations.gettext(message))

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The form of ``count`` in this language (Arabic has six: zero, one, two, few, many, other)."""
        return str(self.translations.ngettext(singular, plural, count))


def direction_of(language: str | None) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


@cache
def interface(language: str) -> Interface:
    """The interface for ``language`` (one of :data:`LANGUAGES`), its catalog compiled in memory once."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Interface(language, direction_of(language), Translations(buffer))


_WEIGHTED = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def negotiate(accept_language: str | None) -> str:
    """The best of :data:`LANGUAGES` for an Accept-Language header; Arabic when nothing matches."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for position, part in enumerate((accept_language or "").split(",")):
        match = _WEIGHTED.match(part)
        if not match:
            continue
        language = match.group(1).lower()
        try:
            weight = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        weight -= position * 1e-6  # earlier wins a tie
        if language in LANGUAGES and weight > best_q:
            best, best_q = language, weight
    return best


_NETLOC_END = re.compile(r"[/?#]")


def _locale_for(ui_language: str, url: str | None) -> str:
    if ui_language != "ar":
        return ui_language
    if not url:
        return "ar"
    # the URL up to the end of its host part names the same host: one parse per site, not per article
    start = url.find("//")
    end = _NETLOC_END.search(url, start + 2) if start >= 0 else None
    return _arabic_locale(url[: end.start()] if end else url)


@lru_cache(maxsize=4096)
def _arabic_locale(origin: str) -> str:
    parts = split_url(origin)
    host = (parts.hostname if parts else None) or ""
    return ARABIC_REGIONS.get(host.rsplit(".", 1)[-1], "ar")


def parse_published(published: str | None) -> date | datetime | None:
    if not published:
        return None
    try:
        if len(published) <= 10:
            return date.fromisoformat(published)
        return datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def _day(day: date, locale: str) -> str:
    """A day in words (babel takes 20-50 µs; a list of 50 articles has a few days, many times)."""
    return str(format_date(day, "long", locale=locale))


@lru_cache(maxsize=8192)
def _clock(hour: int, minute: int, locale: str) -> str:
    return str(format_time(time(hour, minute), "short", locale=locale))


def format_published(
    published: str | None, ui_language: str, url: str | None = None, zone: tzinfo | None = None
) -> str:
    """``published`` (ISO 8601) in the interface language, its time in ``zone`` when given (a time
    without offset is left as written); Arabic months as the source's region has them."""
    value = parse_published(published)
    if value is None:
        return published or ""
    locale = _locale_for(ui_language, url)
    if isinstance(value, datetime) and zone is not None and value.tzinfo is not None:
        value = value.astimezone(zone)
    if not isinstance(value, datetime):
        return _day(value, locale)
    day = _day(value.date(), locale)
    clock = _clock(value.hour, value.minute, locale)
    separator = "، " if ui_language == "ar" else ", "
    return f"{day}{separator}{clock}"


RECENT = timedelta(hours=24)  # newer than this, a list says how long ago ("il y a 5 min")


def format_ago(published: str | None, ui_language: str, now: datetime) -> str | None:
    """How long before ``now`` an article was published ("منذ 5 دقائق", "il y a 5 min", "5 min ago"),
    or None when it is older than :data:`RECENT`, in the future, or has no time of day."""
    value = parse_published(published)
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    elapsed = now - value
    if not timedelta(0) <= elapsed < RECENT:
        return None
    if elapsed < timedelta(minutes=1):
        return interface(ui_language).gettext("just now")
    # Arabic's short units ("5 د") read as codes: it gets the long ones
    if ui_language == "ar":
        amount = format_timedelta(elapsed, threshold=1, format="long", locale=ui_language)
    else:
        amount = format_timedelta(elapsed, threshold=1, format="short", locale=ui_language)
    return interface(ui_language).gettext("%(elapsed)s ago") % {"elapsed": amount}


@cache
def zone_label(zone_name: str, ui_language: str) -> str:
    """The time zone as readers name it ("توقيت المغرب", "heure : Maroc", "Morocco Time")."""
    if zone_name in {"UTC", "Etc/UTC"}:
        return "UTC"
    return str(get_timezone_location(ZoneInfo(zone_name), locale=ui_language))
