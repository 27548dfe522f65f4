"""The text-dump extractor (akhbar.extract.textdump): the specimen, general rules, robustness."""

from __future__ import annotations

import itertools
import json
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akhbar.extract.dates import find_date
from akhbar.extract.textdump import extract_textdump
from akhbar.extract.textdump.headlines import is_ticker, split_headlines
from akhbar.extract.textdump.meta import site_name_of
from akhbar.models import Article, Rejected
from conftest import needs_shared

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed"
SPECIMEN = SEED / "000_5f9867fcee487711.txt"
EXPECTED = SEED / "expected.json"
GOLDEN_FIELDS = ("title", "site_name", "published", "language", "image_caption", "body_paragraphs")

_ARABIC = re.compile("[\u0600-\u06ff]")
_QUOTES = '"”»'


def _extract(text: str, **kwargs: Any) -> Article:
    result = extract_textdump(text, **kwargs)
    assert isinstance(result, Article), result
    return result


# ---------------------------------------------------------------------------------------------
# The specimen

needs_specimen = needs_shared(SPECIMEN, EXPECTED)


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return dict(json.loads(EXPECTED.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def specimen() -> Article:
    return _extract(SPECIMEN.read_text(encoding="utf-8"))


@needs_specimen
@pytest.mark.parametrize("field", GOLDEN_FIELDS)
def test_specimen_field(specimen: Article, expected: dict[str, Any], field: str) -> None:
    assert specimen.to_json()[field] == expected[field]


@needs_specimen
def test_specimen_body_has_no_chrome(specimen: Article, expected: dict[str, Any]) -> None:
    body = "\n".join(specimen.body_paragraphs)
    for text in expected["not_in_body"]:
        assert text not in body


def _script(char: str) -> str:
    return "arabic" if _ARABIC.match(char) else "latin"


def _edge(word: str, *, last: bool) -> str | None:
    letters = [char for char in word if char.isalpha()]
    return None if not letters else _script(letters[-1] if last else letters[0])


def _required_breaks(words: list[str]) -> set[int]:
    """Word positions after which the line shows a visible break (headlines_rule of expected.json)."""
    breaks = set()
    for position, (word, following) in enumerate(itertools.pairwise(words)):
        closing_quote = len(word) > 1 and word[-1] in _QUOTES
        scripts = (_edge(word, last=True), _edge(following, last=False))
        switch = None not in scripts and scripts[0] != scripts[1]
        if word.endswith((".", "…")) or closing_quote or switch:
            breaks.add(position + 1)
    return breaks


def check_headlines_rule(headlines: tuple[str, ...], source_line: str) -> None:
    """Items are non-empty substrings, cover the line's words in order, and split at visible breaks."""
    assert headlines, "no headlines"
    assert all(item and item in source_line for item in headlines)
    words = source_line.split()
    assert " ".join(headlines).split() == words
    boundaries, position = set(), 0
    for item in headlines:
        position += len(item.split())
        boundaries.add(position)
    missing = sorted(_required_breaks(words) - boundaries)
    assert not missing, [" ".join(words[max(at - 2, 0) : at + 2]) for at in missing]


@needs_specimen
def test_specimen_headlines_follow_the_rule(specimen: Article, expected: dict[str, Any]) -> None:
    check_headlines_rule(specimen.headlines, expected["headlines_source_line"])
    assert all(_ARABIC.search(item) or "Crises" in item for item in specimen.headlines)


@needs_specimen
def test_specimen_headlines_split_at_the_visible_breaks(specimen: Article) -> None:
    items = specimen.headlines
    assert any(item.endswith("عيد الاستقلال.") for item in items)
    assert any(item.endswith("مع...") for item in items)
    assert any(item.startswith("Conférence") and item.endswith("Crises") for item in items)
    assert any(item.startswith('"إيقاف') and item.endswith('DGST"') for item in items)


def test_check_headlines_rule_catches_a_missed_break() -> None:
    with pytest.raises(AssertionError):
        check_headlines_rule(("Premier titre. Second titre",), "Premier titre. Second titre")
    with pytest.raises(AssertionError):
        check_headlines_rule(("عنوان أول Un titre",), "عنوان أول Un titre")


# ---------------------------------------------------------------------------------------------
# Synthetic pages: the same rules on other pages, in other languages

FRENCH_PAGE = "\n".join(
    [
        "Accueil",
        "Politique",
        "Économie",
        "Sport",
        "مباراة الوداد والرجاء تنتهي بالتعادل... الحكومة تصادق على مشروع قانون المالية... "
        "أمطار غزيرة مرتقبة بعدد من المدن",
        "Le conseil municipal adopte un plan vélo pour la vieille ville",
        "",
        "(Le Journal du Sud) – 12 mars 2024",
        "Cyclists on a new protected lane",
        "Le conseil municipal a approuvé mardi un plan de quarante kilomètres de pistes cyclables "
        "protégées dans la vieille ville, un projet qui, selon ses partisans, rendra les rues plus "
        "sûres pour les enfants et les personnes âgées.",
        "",
        "Les travaux commenceront à l’automne et dureront trois ans. La mairie prévoit de financer la "
        "moitié du coût par un emprunt, le reste venant de l’État et de la région, qui ont déjà donné "
        "leur accord de principe.",
        "",
        "Des commerçants du centre s’inquiètent de la suppression de places de stationnement. « Nous "
        "perdrons des clients », affirme le président de leur association, qui réclame une "
        "concertation plus large avant le début du chantier.",
        "",
        "Cyclists on a new protected lane",
        "Lire aussi",
        "Les tarifs des transports en commun augmentent",
        "Mentions légales",
        "© 2024 Le Journal du Sud",
    ]
)

ARABIC_PAGE = "\n".join(
    [
        "الرئيسية",
        "سياسة",
        "اقتصاد",
        "Flash info : la banque centrale maintient son taux directeur... Le festival de Fès ouvre "
        "ses portes ce soir... Météo : fortes pluies attendues dans le Nord",
        "وزارة الصحة تطلق حملة وطنية للتلقيح ضد الأنفلونزا الموسمية",
        "[الصحيفة المغربية]5 نونبر 2024",
        "Des soignants dans un centre de vaccination",
        "أعلنت وزارة الصحة والحماية الاجتماعية، اليوم الثلاثاء، عن إطلاق حملة وطنية للتلقيح ضد "
        "الأنفلونزا الموسمية تستهدف الفئات الأكثر عرضة للمضاعفات، ولا سيما كبار السن والنساء "
        "الحوامل والمصابين بأمراض مزمنة.",
        "وأوضحت الوزارة في بلاغ لها أن الحملة ستمتد إلى غاية نهاية شهر دجنبر المقبل، وأن اللقاح "
        "سيكون متوفرا بالمجان في جميع المراكز الصحية التابعة للقطاع العام عبر مختلف جهات المملكة.",
        "ودعت الوزارة المواطنين المعنيين إلى التوجه إلى أقرب مركز صحي في أقرب الآجال، مؤكدة أن "
        "التلقيح يبقى الوسيلة الأنجع للوقاية من المضاعفات الخطيرة لهذا المرض.",
        "Des soignants dans un centre de vaccination",
        "اقرأ أيضا",
        "جميع الحقوق محفوظة 2024",
    ]
)

ENGLISH_PAGE = "\n".join(
    [
        "Skip to content",
        "Home",
        "World",
        "Business",
        "Sport",
        "Sign in",
        "Council approves new cycling network for the old town",
        "Published 12 March 2024",
        "Share",
        "The city council on Tuesday approved a plan to build forty kilometres of protected cycle "
        "lanes across the old town, a project that supporters say will make streets safer for "
        "children and older residents.",
        "Work will begin in the autumn and last three years. The council plans to borrow half of "
        "the cost, with the rest coming from the national government and the region, which have "
        "agreed in principle.",
        "Most popular",
        "Share",
        'Shopkeepers in the centre worry about the loss of parking spaces. "We will lose '
        'customers," said the head of their association, who wants a wider consultation before '
        "work starts. The council has promised to meet them next week and to publish a study of "
        "delivery routes.",
        "Related stories",
        "Bus fares to rise in April",
        "Sign in",
        "We use cookies to improve your experience on our site.",
        "Accept all",
    ]
)


def test_french_article_with_arabic_ticker_and_english_caption() -> None:
    article = _extract(FRENCH_PAGE)
    assert article.title == "Le conseil municipal adopte un plan vélo pour la vieille ville"
    assert article.language == "fr"
    assert article.published == "2024-03-12"
    assert article.site_name == "Le Journal du Sud"
    assert article.image_caption == "Cyclists on a new protected lane"
    assert len(article.body_paragraphs) == 3
    assert article.body_paragraphs[0].startswith("Le conseil municipal a approuvé mardi")
    assert article.body_paragraphs[-1].endswith("avant le début du chantier.")
    assert article.headlines == (
        "مباراة الوداد والرجاء تنتهي بالتعادل...",
        "الحكومة تصادق على مشروع قانون المالية...",
        "أمطار غزيرة مرتقبة بعدد من المدن",
    )


def test_arabic_article_with_french_ticker_and_french_caption() -> None:
    article = _extract(ARABIC_PAGE)
    assert article.title == "وزارة الصحة تطلق حملة وطنية للتلقيح ضد الأنفلونزا الموسمية"
    assert article.language == "ar"
    assert article.published == "2024-11-05"
    assert article.site_name == "الصحيفة المغربية"
    assert article.image_caption == "Des soignants dans un centre de vaccination"
    assert len(article.body_paragraphs) == 3
    assert all(_ARABIC.search(paragraph) for paragraph in article.body_paragraphs)
    assert article.headlines[0] == "Flash info : la banque centrale maintient son taux directeur..."
    assert len(article.headlines) == 3


def test_english_article_interrupted_by_chrome() -> None:
    article = _extract(ENGLISH_PAGE)
    assert article.title == "Council approves new cycling network for the old town"
    assert article.language == "en"
    assert article.published == "2024-03-12"
    assert article.site_name is None
    assert [paragraph.split()[0] for paragraph in article.body_paragraphs] == ["The", "Work", "Shopkeepers"]
    body = " ".join(article.body_paragraphs)
    for chrome in ("Most popular", "Share", "Related stories", "cookies", "Bus fares"):
        assert chrome not in body
    assert article.headlines == ()


def test_the_longest_prose_run_wins_over_teasers() -> None:
    teasers = "\n".join(f"Teaser headline number {n} about something else entirely" for n in range(30))
    article = _extract(f"{teasers}\n{ENGLISH_PAGE}\n{teasers.replace('Teaser', 'Other')}")
    assert article.title == "Council approves new cycling network for the old town"
    assert len(article.body_paragraphs) == 3


def test_prose_in_another_language_at_the_end_of_the_body_is_dropped() -> None:
    notice = (
        "We use cookies and similar technologies to measure the audience of this website and to show "
        "you advertising that matches your interests, and you can change your choices at any time."
    )
    page = FRENCH_PAGE.replace("avant le début du chantier.\n", f"avant le début du chantier.\n{notice}\n")
    article = _extract(page)
    assert notice not in article.body_paragraphs
    assert len(article.body_paragraphs) == 3


def test_a_repeated_line_is_not_body() -> None:
    repeated = "This sentence is printed on every page of the site and says nothing about the story."
    page = ENGLISH_PAGE.replace("Most popular", repeated) + "\n" + repeated
    article = _extract(page)
    assert repeated not in article.body_paragraphs


def test_a_lone_subheading_between_paragraphs_is_kept() -> None:
    page = ENGLISH_PAGE.replace("Most popular\nShare\n", "A long wait for residents\n")
    article = _extract(page)
    assert "A long wait for residents" in article.body_paragraphs


def test_a_sentence_the_article_repeats_stays_in_the_body() -> None:
    page = ENGLISH_PAGE.replace("Most popular\nShare\n", "It was a long night.\n")
    page = page.replace("older residents.", "older residents.\nIt was a long night.")
    article = _extract(page)
    assert article.body_paragraphs.count("It was a long night.") == 2


def test_a_short_last_paragraph_is_kept() -> None:
    page = ENGLISH_PAGE.replace("delivery routes.", "delivery routes.\nThe vote was unanimous.")
    assert _extract(page).body_paragraphs[-1] == "The vote was unanimous."


def test_a_title_that_reads_like_a_sentence_stays_out_of_the_body() -> None:
    title = "Council approves new cycling network for the old town, and shopkeepers worry."
    page = ENGLISH_PAGE.replace("Council approves new cycling network for the old town", title)
    page = page.replace("Published 12 March 2024\nShare\n", "12 March 2024\n")
    article = _extract(page)
    assert article.title == title
    assert article.body_paragraphs[0].startswith("The city council on Tuesday")
    assert article.published == "2024-03-12"


def test_a_line_cut_with_an_ellipsis_is_not_a_finished_sentence() -> None:
    teasers = "\n".join(
        f"Another story about the region and its many problems this week, number {n}..." for n in range(8)
    )
    article = _extract(f"{ENGLISH_PAGE}\n{teasers}")
    assert not any(paragraph.endswith("...") for paragraph in article.body_paragraphs)


def test_url_words_pick_the_title() -> None:
    page = "Breaking story in another place entirely\n" + ENGLISH_PAGE
    article = _extract(page, url="https://news.example/2024/03/council-approves-new-cycling-network")
    assert article.title == "Council approves new cycling network for the old town"
    assert article.url == "https://news.example/2024/03/council-approves-new-cycling-network"


def test_relative_dates_use_the_fetch_time() -> None:
    page = ENGLISH_PAGE.replace("Published 12 March 2024", "Publié il y a 3 heures")
    article = _extract(page, fetched_at=datetime(2024, 3, 12, 9, 30))
    assert (article.published or "").startswith("2024-03-12")


def test_the_publication_date_wins_over_the_update_date() -> None:
    page = ENGLISH_PAGE.replace(
        "Council approves new cycling network for the old town\nPublished 12 March 2024\nShare\n",
        "City Herald | 10 March 2024\nCouncil approves new cycling network for the old town\n"
        "By a staff reporter\nUpdated 14 March 2024\nShare\n",
    )
    article = _extract(page)
    assert article.title == "Council approves new cycling network for the old town"
    assert article.published == "2024-03-10"
    assert article.site_name == "City Herald"


def test_no_date_line_leaves_published_empty() -> None:
    article = _extract(ENGLISH_PAGE.replace("Published 12 March 2024\n", ""))
    assert article.published is None
    assert article.title == "Council approves new cycling network for the old town"


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("[بلادي نيوز]18 أكتوبر 2024", "بلادي نيوز"),
        ("Le Journal | 18 octobre 2024", "Le Journal"),
        ("18/10/2024 - Example News", "Example News"),
        ("(Agence) 18 octobre 2024", "Agence"),
        ("Publié le 18 octobre 2024", None),
        ("18 octobre 2024 - 14:30", None),
        ("2026-01-08 | 12:42", None),
        ("Accueil | Par Loïc Le Clerc | 30 septembre 2018", None),
        ("par Didier Roy, 21 juin 2018", None),
        ("Mis à jour : 12/03/2024", None),
    ],
)
def test_site_name_beside_the_date(line: str, name: str | None) -> None:
    match = find_date(line)
    assert match is not None
    assert site_name_of(line, match) == name


def test_split_headlines_at_visible_seams() -> None:
    line = 'Premier titre. Deuxième titre coupé... « Une citation » suite عنوان عربي "اقتباس" Fin'
    assert split_headlines(line) == [
        "Premier titre.",
        "Deuxième titre coupé...",
        "« Une citation »",
        "suite",
        'عنوان عربي "اقتباس"',
        "Fin",
    ]


def test_a_paragraph_without_final_stop_is_not_a_ticker() -> None:
    paragraph = (
        "Le ministre a déclaré que la réforme serait votée avant l’été et que les syndicats viendraient"
    )
    assert not is_ticker(paragraph, words=len(paragraph.split()), ends_sentence=False)
    ticker = "Un titre coupé... Un autre titre... Un troisième titre sur la météo du jour"
    assert is_ticker(ticker, words=len(ticker.split()), ends_sentence=False)


# ---------------------------------------------------------------------------------------------
# Pages that are not articles


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \n\n\t  \n", "empty"),
        ("2024\n18/10\n---\n***\n12 345", "no letters"),
        ("Accueil\nPolitique\nSport\nContact\nMentions légales\n© 2024", "no article body"),
        ("\n".join(f"Lien vers la rubrique {n}" for n in range(200)), "no article body"),
        ("Une phrase courte mais complète.\nUne autre.", "no article body"),
    ],
)
def test_rejected_with_a_reason(text: str, reason: str) -> None:
    result = extract_textdump(text, url="https://example.test/page")
    assert isinstance(result, Rejected)
    assert reason in result.reason
    assert result.location == "https://example.test/page"


def test_a_list_of_links_repeated_is_rejected() -> None:
    links = "\n".join(["Le fil info", "Les plus lus", "Newsletters", "Podcasts"] * 50)
    assert isinstance(extract_textdump(links), Rejected)


# ---------------------------------------------------------------------------------------------
# HTML through page_text, robustness and speed


_LINES = st.sampled_from(
    [
        "",
        "Accueil",
        "Partager",
        "[Site]18 octobre 2024",
        "12 mars 2024 | 14:30",
        "آخر الأخبار",
        "Official photo of the meeting",
        "Un titre coupé... Un autre titre... Un troisième titre sur la météo",
        "Le conseil a voté le budget mardi soir après un long débat entre la majorité et l’opposition.",
        "أعلنت الوزارة عن إطلاق حملة وطنية جديدة تستهدف الفئات الأكثر عرضة للمضاعفات في جميع الجهات.",
        "« Nous perdrons des clients », affirme le président de l’association des commerçants du centre",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_LINES, st.text(max_size=200)), max_size=60))
def test_never_raises_on_page_like_text(lines: list[str]) -> None:
    result = extract_textdump("\n".join(lines))
    assert isinstance(result, Article | Rejected)
    if isinstance(result, Article):
        assert result.body_paragraphs
        assert all(paragraph.strip() == paragraph and paragraph for paragraph in result.body_paragraphs)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    assert isinstance(extract_textdump(text), Article | Rejected)


@pytest.mark.parametrize(
    "text",
    [
        ENGLISH_PAGE * 2500,  # about 5 MB of repeated page
        "\n".join(f"Paragraphe {n} : le conseil a voté le budget après un débat." for n in range(80_000)),
        "mot " * 1_300_000,  # one 5 MB line
        "Un titre coupé... Un autre titre... " * 150_000,
    ],
    ids=["repeated-page", "many-lines", "one-huge-line", "huge-ticker"],
)
def test_huge_input_finishes_quickly(text: str) -> None:
    started = time.perf_counter()
    result = extract_textdump(text)
    assert isinstance(result, Article | Rejected)
    assert time.perf_counter() - started < 5
