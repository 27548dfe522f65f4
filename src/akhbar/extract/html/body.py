"""The article body of an HTML page: trafilatura's main text, as paragraphs, without the chrome it keeps.

trafilatura finds the main content; this module reads its output tree as paragraphs (one per
paragraph, heading, list item or table row: :mod:`akhbar.extract.html.blocks`) and removes what
trafilatura leaves in although it is no article text: the title repeated, bylines, date lines,
photo captions and credits, "read also" teasers, subscription notices, comment and share labels,
and a trailing "related articles" section. All of these are recognised by their shape and by
multilingual (Arabic, French, English) wordings that are the same on every site, never by one
site's words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

import trafilatura
from lxml.etree import _Element
from lxml.html import HtmlElement

from akhbar.extract.dates import parse_date
from akhbar.extract.html.authors import is_byline
from akhbar.extract.html.blocks import Block, body_blocks
from akhbar.extract.html.chunks import continuation
from akhbar.extract.html.meta import fold_key
from akhbar.extract.text import prose_words

__all__ = ["MAX_PARAGRAPHS", "Block", "Body", "body_blocks", "is_menu_run", "main_blocks", "tidy_body"]

logger = logging.getLogger(__name__)

# The trafilatura options akhbar uses; chosen on the evaluation sets (see akhbar.bench.quality.extraction).
# favor_recall is the first run's; a second run, on under-extracted pages only, uses the default balance.
TRAFILATURA_OPTIONS: dict[str, bool] = {
    "favor_recall": True,
    "include_comments": False,
    "include_tables": True,
}

_READ_ALSO = re.compile(
    r"^(?:[àa] lire aussi|lire aussi|lire la suite|voir aussi|[àa] voir aussi|[àa] découvrir"
    r"|sur le même sujet|read (?:more|also)|see also|related\b|also read|recommended"
    r"|[اإ]قر[أا] (?:أيضا|أيضاً|ايضا|المزيد)|شاهد أيضا|شاهد أيضاً|طالع أيضا"
    r"|مواضيع ذات صلة|أخبار ذات صلة|ذات صلة"
    # the same teaser label in other languages of the world's press
    r"|lesen sie (?:auch|mehr|hier)|mehr zum thema|auch interessant|lees (?:ook|meer)"
    r"|les også|læs (?:også|mere)"
    r"|läs (?:också|även|mer)|lue myös|leggi anche|lee también|te puede interesar|leia (?:também|mais)"
    r"|veja também|czytaj (?:więcej|też|także)|čtěte (?:také|též)|přečtěte si také|ayrıca okuyun"
    r"|читайте (?:также|також)|смотрите также)\b",
    re.IGNORECASE,
)
_RELATED_HEADING = re.compile(
    r"^(?:sur le même sujet|dans la même rubrique|articles? (?:similaires|liés|connexes)"
    r"|(?:audios? et )?vidéos? sur le (?:même )?sujet|nos (?:derniers|autres) articles"
    r"|related (?:articles|stories|posts|content)|more (?:on this|from)|you (?:may|might) also like"
    r"|مواضيع ذات صلة|أخبار ذات صلة|مقالات ذات صلة|ذات صلة|الأكثر قراءة"
    r"|mehr zum thema|das könnte sie auch interessieren|meer over dit onderwerp|relaterte saker"
    r"|artículos relacionados|noticias relacionadas|notizie correlate|articoli correlati"
    r"|notícias relacionadas|související články|похожие новости)\s*:?$",
    re.IGNORECASE,
)
_PAYWALL = re.compile(
    r"réservée? aux (?:abonnés|membres)|pour lire la suite|la suite est réservée|pour accéder en illimité"
    r"|il vous reste \d+(?:[.,]\d+)?\s?% de cet article|abonnez-vous|déjà abonné|offre d'abonnement"
    r"|subscribe (?:to|now)|subscribers? only|already a subscriber|to continue reading|sign in to read"
    r"|هذا المحتوى (?:حصري )?(?:متاح )?للمشتركين|للمشتركين فقط|اشترك الآن|لمتابعة القراءة",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"^(?:crédits?(?: photos?)?\s*:|photos?\s*:|image illustrative|illustration\s*:|©|\(c\)\s|copyright\b"
    r"|(?:photo|image) (?:credit|by)\b|source\s*(?:photo|image)?\s*:"
    r"|مصدر الصورة|الصورة\s*:|صورة\s*:|تصوير\s*:)",
    re.IGNORECASE,
)
_LABELS = frozenset(
    fold_key(label)
    for label in (
        "Ajouter un commentaire",
        "Laisser un commentaire",
        "Réagir",
        "Commentaires",
        "Partager",
        "Partager cet article",
        "Imprimer",
        "Publicité",
        "Passer la publicité",
        "Advertisement",
        "إعلان",
        "Envoyer",
        "Leave a comment",
        "Add new comment",
        "Comments",
        "Share",
        "Share this article",
        "Print",
        "إضافة تعليق",
        "إضافة تعليق جديد",
        "أضف تعليقا",
        "أضف تعليقاً",
        "التعليقات",
        "شارك",
        "مشاركة",
        "طباعة",
    )
)
_MAX_BYLINE_WORDS = 8
_CRUMB_ARROW = re.compile(r"\s[>›»]\s?")
_MAX_CRUMB_WORDS = 14
_MAX_CRUMB_PIECE_WORDS = 4
_PLACEHOLDER = re.compile(r"^(?:\$\$|\{\{|%%|\[\[)\s*[\w.\- ]+\s*(?:\$\$|\}\}|%%|\]\])$")
_MAX_DATE_LINE_WORDS = 14
_MAX_NOTICE_WORDS = 45
_HIDDEN_SHARE = re.compile(r"il vous reste (\d{1,3}(?:[.,]\d+)?)\s?% de cet article", re.IGNORECASE)
_MAX_CREDIT_WORDS = 30
_RELATED_TAIL = 0.5
_MAX_HEADING_WORDS = 8
_MAX_URL_LINE_WORDS = 12
_MAX_FOLDED_WORDS = 40
# Prose puts a stop, a colon or a quote at least every hundred-odd words (106 at most on the real
# pages of the evaluation sets); 200 words without one are menus and link lists run together.
_MAX_UNPUNCTUATED_WORDS = 200
_SENTENCE_MARKS = re.compile(r"[.!?؟…«»\"“”:;。！？：；「」『』]")
# trafilatura's own bound for trusting its extractor without its fallbacks (favor_recall's bypass).
_TRUSTED_CHARS = 2500
_UNDER_EXTRACTED = 4  # a page's paragraphs this many times longer than what was found
MAX_PARAGRAPHS = 3000
# A table of more rows than this, few of them sentences, is data (a list of names, results), not text.
_MAX_DATA_ROWS = 10
_SENTENCE_ROW_WORDS = 8
_MAX_REPEAT_WORDS = 20  # a sentence this short may recur under each heading; a longer one is a copy
_SENTENCE_END = re.compile(r"[.!?؟。！？]\s*[\"”»’)]?$")
"""Paragraphs kept from one page; beyond this a page is no article (hostile or a dump of a site)."""


@dataclass(frozen=True)
class Body:
    """The tidied body: paragraphs, the bylines found in it, and whether a paywall notice was cut.

    ``hidden`` is the share of the article (in percent) the notice says is left to read, when it
    says so ("Il vous reste 88% de cet article à lire").
    """

    paragraphs: tuple[str, ...]
    bylines: tuple[str, ...]
    paywalled: bool
    hidden: float | None = None


def _trafilatura_body(tree: HtmlElement, url: str | None, *, recall: bool) -> _Element | None:
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_recall=recall,
        include_comments=TRAFILATURA_OPTIONS["include_comments"],
        include_tables=TRAFILATURA_OPTIONS["include_tables"],
        deduplicate=False,  # trafilatura's duplicate filter is a process-wide cache: results would vary
    )
    if document is None or isinstance(document, dict):
        return None
    return document.body


def _length(body: _Element | None) -> int:
    return 0 if body is None else sum(len(text.strip()) for text in body.itertext())


def _paragraph_chars(tree: HtmlElement) -> int:
    """Characters of text in the page's ``<p>`` elements (article, teasers and comments alike)."""
    return sum(len(text.strip()) for paragraph in tree.iter("p") for text in paragraph.itertext())


def main_blocks(tree: HtmlElement, *, url: str | None) -> list[Block]:
    """trafilatura's main text of the page as blocks; empty when it finds none.

    trafilatura runs with ``favor_recall`` (chosen on the French and Arabic sets, and cheap: a long
    result skips its fallback extractors). When that finds a short text (under ``_TRUSTED_CHARS``)
    on a page whose paragraphs hold several times more (``_UNDER_EXTRACTED``), its own extractor
    has stopped early in the article (a body split by inline teasers gave 118 of 887 words): it
    runs again with its default balance, whose fallbacks (readability, justext, a recall retry)
    find the rest, and the longer result is kept. The second run costs a full extraction, so it is
    kept for pages where that much text is missing. A body the page splits into sibling chunks
    is followed past the first (:mod:`akhbar.extract.html.chunks`).
    """
    body = _trafilatura_body(tree, url, recall=TRAFILATURA_OPTIONS["favor_recall"])
    found = _length(body)
    if found < _TRUSTED_CHARS and _paragraph_chars(tree) >= _UNDER_EXTRACTED * found:
        balanced = _trafilatura_body(tree, url, recall=False)
        if _length(balanced) > found:
            body = balanced
    blocks = body_blocks(body) if body is not None else []
    rest = continuation(tree, [block.text for block in blocks if block.kind == "p"])
    return blocks + [Block("p", text) for text in rest]


def _is_breadcrumb(text: str) -> bool:
    """ "Accueil > Actualités > Monde": three or more short names, each capitalised (or in a script
    without case), joined by arrows: the page's place in the site, not its text."""
    pieces = _CRUMB_ARROW.split(text)
    return len(pieces) >= 3 and all(
        piece
        and len(piece.split()) <= _MAX_CRUMB_PIECE_WORDS
        and (piece[0].isupper() or (piece[0].isalpha() and piece[0].lower() == piece[0].upper()))
        for piece in (part.strip() for part in pieces)
    )


def is_menu_run(text: str, words: int) -> bool:
    """Whether the text holds a run of words too long to be prose: menus run together."""
    if words < _MAX_UNPUNCTUATED_WORDS:
        return False
    return any(prose_words(part) >= _MAX_UNPUNCTUATED_WORDS for part in _SENTENCE_MARKS.split(text))


def _is_chrome(text: str, words: int, key: str, caption_keys: set[str]) -> bool:
    """Labels, captions, "read also" teasers, link lines, credits, date lines and menu runs."""
    if key in _LABELS or key in caption_keys or _READ_ALSO.match(text) or is_menu_run(text, words):
        return True
    if words <= 3 and _PLACEHOLDER.match(text):
        return True  # a template's slot left unfilled ("$$ARTICLEAD$$", "{{ad}}")
    if words <= _MAX_CRUMB_WORDS and _is_breadcrumb(text):
        return True
    if words <= _MAX_URL_LINE_WORDS and "://" in text:
        return True  # an address with a few words around it: a link line, not prose
    if words <= _MAX_CREDIT_WORDS and _CREDIT.match(text) is not None:
        return True
    return words <= _MAX_DATE_LINE_WORDS and parse_date(text) is not None


def _cut_related(blocks: list[Block], words: list[int]) -> int:
    """How many blocks to keep: a "related articles" heading in the second half and what follows go."""
    total = sum(words) or 1
    seen = 0
    for index, block in enumerate(blocks):
        heading = block.kind == "head" or words[index] <= _MAX_HEADING_WORDS
        if heading and seen >= _RELATED_TAIL * total and _RELATED_HEADING.match(block.text):
            return index
        seen += words[index]
    return len(blocks)


def _key(text: str, words: int) -> str:
    """What two copies of a paragraph share: the folded letters of a short one, a long one's text."""
    return fold_key(text) if words <= _MAX_FOLDED_WORDS else text


def _repeatable(block: Block, words: int) -> bool:
    """Whether a paragraph may come again under another heading: a sentence of a few words (a meal
    plan's "Breakfast: oats and fruit." each day), not a label, a heading, specs or a long paragraph
    (a layout's second copy of the text)."""
    return (
        block.kind != "head"
        and _SENTENCE_ROW_WORDS <= words <= _MAX_REPEAT_WORDS
        and _SENTENCE_END.search(block.text) is not None
    )


def _data_table_rows(blocks: list[Block]) -> set[int]:
    """Indexes of the rows of long tables of data: a run of more than ``_MAX_DATA_ROWS`` table rows
    of which under half read as sentences (words ending with a full stop)."""
    dropped: set[int] = set()
    start = 0
    while start < len(blocks):
        end = start
        while end < len(blocks) and blocks[end].kind == "row":
            end += 1
        if end - start > _MAX_DATA_ROWS:
            sentences = sum(
                prose_words(block.text) >= _SENTENCE_ROW_WORDS
                and _SENTENCE_END.search(block.text) is not None
                for block in blocks[start:end]
            )
            if sentences * 2 < end - start:
                dropped.update(range(start, end))
        start = end + 1 if end == start else end
    return dropped


def tidy_body(
    blocks: Iterable[Block], *, title: str, captions: Iterable[str], page_titles: Iterable[str] = ()
) -> Body:
    """Paragraphs without the chrome trafilatura keeps, plus the bylines and paywall notices found.

    ``page_titles`` are the page's own titles with their site affixes (``<title>``, ``og:title``):
    a paragraph repeating one is the page's header, like the article's title itself.
    A paragraph repeating an earlier one is a copy the layout made, unless a heading not seen before
    came between them (a meal plan's "Breakfast: ..." under each day). Long tables of data go.
    At most ``MAX_PARAGRAPHS`` paragraphs are kept: no article is longer, and hostile pages are.
    """
    chosen = list(blocks)[:MAX_PARAGRAPHS]
    data_rows = _data_table_rows(chosen)
    counts = [prose_words(block.text) for block in chosen]
    keep = _cut_related(chosen, counts)
    title_keys = {fold_key(text) for text in (title, *page_titles)} - {""}
    caption_keys = {fold_key(caption) for caption in captions} - {""}
    kept: list[Block] = []
    bylines: list[str] = []
    seen: dict[str, int] = {}  # a kept paragraph's key -> the section (count of new headings) it was in
    section = 0
    paywalled = False
    hidden: float | None = None
    for index, (block, words) in enumerate(zip(chosen[:keep], counts[:keep], strict=True)):
        key = _key(block.text, words)
        if not key or key in title_keys or index in data_rows:
            continue
        if key in seen and (seen[key] == section or not _repeatable(block, words)):
            continue
        if words <= _MAX_BYLINE_WORDS + 2 and is_byline(block.text):
            bylines.append(block.text)
        elif words <= _MAX_NOTICE_WORDS and _PAYWALL.search(block.text):
            paywalled = True
            share = _HIDDEN_SHARE.search(block.text)
            hidden = float(share.group(1).replace(",", ".")) if share else hidden
        elif not _is_chrome(block.text, words, key, caption_keys):
            section += block.kind == "head" and key not in seen
            kept.append(block)
            seen[key] = section
    while kept and kept[-1].kind == "head":
        kept.pop()
    return Body(tuple(block.text for block in kept), tuple(bylines), paywalled, hidden)
