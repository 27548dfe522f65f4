"""The article's title, from the page's meta title and its visible ``<h1>`` headings.

The visible heading wins when the meta title agrees with it (the same words with flattened
apostrophes, or the heading plus a separated site name or section); otherwise the meta title is
used without its site-name (or date) affixes: "Title | Site", "Site - Title", "Title - Site - slogan".
"""

from __future__ import annotations

import re

from akhbar.extract.dates import parse_date
from akhbar.extract.html.authors import is_byline
from akhbar.extract.html.meta import Page, fold_key, ld_name, site_keys
from akhbar.extract.text import clean
from akhbar.text import APOSTROPHES

__all__ = ["find_title", "is_site_like", "strip_site", "title_segments"]

_SEPARATOR = re.compile(r"\s+(?:[|\-–—·•»/*]|::)\s+|\s*[|·•]\s*")
# With a colon too: only used to check a heading against the meta title ("Pétition : <heading>").
_SEPARATOR_OR_COLON = re.compile(r"\s+(?:[|\-–—·•»/:]|::)\s+|\s*[|·•]\s*|\s*:\s+")
_HEADING_SHARE = 0.5
_MAX_SITE_WORDS = 6  # a title segment of more words is no site name
_MIN_SITE_PREFIX = 4  # a site key this long may begin a segment ("lemonde" in "lemondefr")
_MAX_BRAND_WORDS = 3  # a short site name with a word after it is the outlet's name ("CBC News")
# An affix starts with a separator: punctuation or a symbol (| - – : ： ｜ ·), or the Hangul vowel ㅣ
# some Korean sites use as a bar; the affix is read from the title outward.
_AFFIX_START = re.compile(r"^\s*(?:[^\w\s]|ㅣ|_)")
# Before a title, a site name is set off by a bar or a dot ("Site | Title"); a colon, dash or slash
# there sets off a kicker that belongs to the title ("Nationaler Veteranentag: Orden fürs Morden").
_LEADING_AFFIX = re.compile(r"^[^|｜·•»ㅣ]{1,60}\s*[|｜·•»ㅣ]\s*$")
_MIN_TITLE_CHARS = 4
_APOSTROPHES = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))


def is_site_like(segment: str, keys: set[str]) -> bool:
    key = fold_key(segment)
    if not key:
        return True
    if key in keys or any(len(key) >= 2 and site.startswith(key) for site in keys):
        return True
    words = segment.split()
    if 1 < len(words) <= _MAX_BRAND_WORDS and fold_key(words[0]) in keys:
        return True
    return len(words) <= _MAX_SITE_WORDS and any(
        len(site) >= _MIN_SITE_PREFIX and key.startswith(site) for site in keys
    )


def _is_date_like(segment: str) -> bool:
    return parse_date(segment) is not None


def _segments(title: str, separator: re.Pattern[str] = _SEPARATOR) -> tuple[list[str], list[str]]:
    """The title cut at separators: the pieces and the separators between them."""
    pieces, separators, last = [], [], 0
    for match in separator.finditer(title):
        pieces.append(title[last : match.start()])
        separators.append(match.group())
        last = match.end()
    pieces.append(title[last:])
    return pieces, separators


def title_segments(title: str) -> list[str]:
    """The pieces of a title between its separators ("Page introuvable | Le Figaro" -> two pieces)."""
    pieces, _ = _segments(title)
    return [clean(piece) for piece in pieces if clean(piece)]


def strip_site(title: str, keys: set[str]) -> str:
    """The title without a leading or trailing site name (or date, or byline: "| by Jane Doe") set off
    by a separator."""
    pieces, separators = _segments(title)
    start, end = 0, len(pieces)
    for cut in range(1, len(pieces) - 1):  # a site name that itself holds separators ("X - slogan")
        if fold_key("".join(pieces[cut:])) in keys:
            end = cut
            break
    while end - start > 1 and (
        is_site_like(pieces[end - 1], keys)
        or _is_date_like(pieces[end - 1])
        or is_byline(clean(pieces[end - 1]))
    ):
        end -= 1
    while end - start > 1 and is_site_like(pieces[start], keys):
        start += 1
    if (start, end) == (0, len(pieces)):
        return title
    joined = pieces[start]
    for index in range(start + 1, end):
        joined += separators[index - 1] + pieces[index]
    return clean(joined) or title


def _same_but_typography(meta_title: str, heading: str) -> bool:
    return meta_title != heading and meta_title.translate(_APOSTROPHES) == heading.translate(_APOSTROPHES)


def _heading_is_segment(meta_title: str, heading: str) -> bool:
    """Whether the heading is the meta title less some separated pieces (a site name, a section)."""
    target = fold_key(heading)
    pieces, _ = _segments(meta_title, _SEPARATOR_OR_COLON)
    keys = [fold_key(piece) for piece in pieces]
    if not target or len(target) < _HEADING_SHARE * len("".join(keys)):
        return False
    for start in range(len(keys)):
        joined = ""
        for end in range(start, len(keys)):
            joined += keys[end]
            if joined == target:
                return end - start + 1 < len(keys)  # less than the whole title
            if len(joined) >= len(target):
                break
    return False


def _is_affix(text: str) -> bool:
    """A site name or section set off from a title: a separator first, then a few words at most."""
    words = [word for word in text.split() if any(char.isalnum() for char in word)]
    return bool(text) and _AFFIX_START.match(text) is not None and len(words) <= _MAX_SITE_WORDS + 1


def _declared_without_affixes(title: str, page: Page) -> str | None:
    """Another title the page declares (a heading, the JSON-LD or meta ``headline``, twitter:title)
    that is ``title`` less an affix after it ("…逮捕：東京新聞デジタル", "…나"-정치ㅣ한국일보") or a site
    name before it ("Site | Title"):
    the page's own spelling of the title without site name or section, whatever the separator."""
    declared = [*page.h1s, ld_name(page.ld("headline")), page.meta("headline", "twitter:title")]
    for candidate in (clean(text) for text in declared if text):
        if len(candidate) < _MIN_TITLE_CHARS or candidate == title:
            continue
        if title.startswith(candidate) and _is_affix(title[len(candidate) :]):
            return candidate
        if title.endswith(candidate) and _LEADING_AFFIX.match(title[: -len(candidate)]):
            return candidate
    return None


def _declared_twice(page: Page, meta_title: str) -> bool:
    """Whether the JSON-LD headline and the meta title are the same text: two declarations of the
    title agreeing on a kicker ("Nach Gaetz-Rückzug: Trump-Anwältin soll …") keep it in the title,
    whatever punctuation each sets it off with ("Rückbau: Kühltürme …", "Rückbau - Kühltürme …")."""
    headline = ld_name(page.ld("headline"))
    social = page.meta("og:title", "twitter:title")
    if not headline or not social:
        return False
    return fold_key(str(headline)) == fold_key(str(social)) == fold_key(meta_title)


def _structured_headline(page: Page, keys: set[str]) -> str | None:
    """The JSON-LD headline (less site affixes) when the heading, the social title and it all differ.

    Three titles for one article (an SEO heading, a social title, a structured-data headline): the
    headline the article declares in schema.org markup is its title of record. When two of them
    agree, the usual choice between heading and meta title applies.
    """
    declared, social = ld_name(page.ld("headline")), page.meta("og:title")
    if not declared or not social or not page.h1s:
        return None
    headline = strip_site(declared, keys)
    others = {fold_key(strip_site(social, keys)), fold_key(page.h1s[0])}
    return headline if len(others) == 2 and fold_key(headline) not in others else None


def _meta_title(page: Page) -> str | None:
    found = page.meta("og:title", "twitter:title", "parsely-title", "dc.title", "dc:title")
    return found or ld_name(page.ld("headline")) or page.title_tag


def _headline_spelling(title: str, page: Page, keys: set[str]) -> str:
    """``title`` as the JSON-LD headline spells it when the two differ only in apostrophes and single
    quotes ("Mexico’s" in the heading, "Mexico's" in the headline): the headline is the text the
    publisher stored, the heading may be curled by the page's typography."""
    declared = ld_name(page.ld("headline"))
    if not declared:
        return title
    headline = clean(strip_site(declared, keys))
    return headline if headline.translate(_APOSTROPHES) == title.translate(_APOSTROPHES) else title


def find_title(page: Page, site_name: str | None) -> str:
    """The article's title: the visible heading when the meta title agrees with it, else the meta title
    without its site-name affixes, else the first heading or the ``<title>``; with the apostrophes
    of the JSON-LD headline."""
    keys = site_keys(page, site_name)
    return _headline_spelling(_chosen_title(page, keys), page, keys)


def _chosen_title(page: Page, keys: set[str]) -> str:
    meta_title = _meta_title(page)
    headline = _structured_headline(page, keys)
    if headline is not None:
        return headline
    if meta_title:
        agreed = _declared_twice(page, meta_title)
        for heading in page.h1s:
            if _same_but_typography(meta_title, heading) or (
                not agreed and _heading_is_segment(meta_title, heading)
            ):
                return heading
        stripped = strip_site(meta_title, keys)
        for heading in page.h1s:
            if _same_but_typography(stripped, heading) or (
                not agreed and _heading_is_segment(stripped, heading)
            ):
                return heading
        return _declared_without_affixes(stripped, page) or stripped
    for heading in page.h1s:
        if len(heading.split()) >= 2 and not is_site_like(heading, keys):
            return heading
    return strip_site(page.title_tag, keys) if page.title_tag else ""
