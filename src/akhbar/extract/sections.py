"""Sections (politics, economy, sports...) derived from where a site files an article: its URL path.

Articles carry no section of their own: the extractors give none, and feeds rarely name one. What
nearly every news site does say is the section folder in its URLs (``/politique/``, ``/economie/``,
``/sport/``, ``/%D8%B1%D9%8A%D8%A7%D8%B6%D8%A9/`` for رياضة). A folder counts when it is a whole path
segment followed by ``/`` (so the article's own slug never does) and names a section in this table;
the leftmost such folder wins. Articles whose URL names none have no section and appear only in the
per-language lists.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote

from akhbar.text.urls import split_url

#: section key -> (English title, the folder names sites use for it: French, English, Arabic)
SECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "politics": ("Politics", ("politique", "politics", "politica", "siyasa", "سياسة", "السياسة")),
    "economy": (
        "Economy",
        ("economie", "économie", "economy", "eco", "business", "finance", "iqtisad", "اقتصاد", "الاقتصاد"),
    ),
    "world": ("World", ("monde", "international", "internationale", "world", "دولي", "العالم", "دولية")),
    "society": ("Society", ("societe", "société", "society", "faits-divers", "مجتمع", "المجتمع")),
    "sports": ("Sports", ("sport", "sports", "football", "foot", "riyada", "رياضة", "الرياضة")),
    "culture": ("Culture", ("culture", "arts", "cinema", "cinéma", "musique", "ثقافة", "الثقافة", "فن")),
    "health": ("Health", ("sante", "santé", "health", "bien-etre", "bien-être", "صحة", "الصحة")),
    "science": (
        "Science and technology",
        ("sciences", "science", "tech", "technologie", "technology", "high-tech", "علوم", "تكنولوجيا"),
    ),
    "opinion": ("Opinion", ("opinion", "opinions", "tribune", "debats", "débats", "رأي", "الرأي", "مقالات")),
}


def _folded(segment: str) -> str:
    """A path segment percent-decoded, lower-cased and in NFC (so é written either way is one letter)."""
    return unicodedata.normalize("NFC", unquote(segment).lower())


_BY_FOLDER = {_folded(folder): key for key, (_, folders) in SECTIONS.items() for folder in folders}


def section_of(url: str | None) -> str | None:
    """The section key of an article URL, or None when its folders name no known section."""
    if not url:
        return None
    parts = split_url(url)
    for folder in parts.path.split("/")[1:-1] if parts else ():
        key = _BY_FOLDER.get(_folded(folder))
        if key is not None:
            return key
    return None
