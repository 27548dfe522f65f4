"""Text dumps of articles rather than whole pages: a title line, a blank line, the paragraphs.

The rules are general (blocks of running text, dumps without final stops, words without spaces);
the real articles of parallel-news check them on 240 versions in Arabic, French and English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akhbar.bench.quality.textdump_parallel import plain_dump, versions
from akhbar.extract.textdump import extract_textdump
from akhbar.extract.textdump.lines import word_estimate
from akhbar.models import Article
from conftest import needs_shared

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

PARAGRAPHS = [
    "The city council on Tuesday approved a plan to build forty kilometres of protected cycle lanes "
    "across the old town, a project that supporters say will make streets safer.",
    "Work will begin in the autumn and last three years, the mayor said.",
    "Shopkeepers in the centre worry about the loss of parking spaces and want a wider consultation "
    "before work starts.",
    "Will it work?",
    "Nobody knows.",
    "The council has promised to meet them next week and to publish a study of delivery routes.",
]


def _extract(text: str, **kwargs: Any) -> Article:
    result = extract_textdump(text, **kwargs)
    assert isinstance(result, Article), result
    return result


def _dump(title: str, paragraphs: list[str]) -> str:
    return title + "\n\n" + "\n".join(paragraphs) + "\n"


def test_short_lines_of_running_text_are_paragraphs() -> None:
    article = _extract(_dump("Council approves a cycling network", PARAGRAPHS))
    assert article.title == "Council approves a cycling network"
    assert article.body_paragraphs == tuple(PARAGRAPHS)


@pytest.mark.parametrize(
    "title",
    [
        "Council approves new cycle lanes.",
        "Council approves new cycle lanes across the old town after a long debate between the majority "
        "and the opposition on the cost of the works",
    ],
    ids=["full-stop", "long"],
)
def test_a_title_that_reads_like_prose_is_the_title(title: str) -> None:
    article = _extract(_dump(title, PARAGRAPHS))
    assert article.title == title
    assert article.body_paragraphs == tuple(PARAGRAPHS)


def test_a_title_on_the_first_line_without_a_blank_line() -> None:
    article = _extract("Council approves new cycle lanes.\n" + "\n".join(PARAGRAPHS))
    assert article.title == "Council approves new cycle lanes."
    assert article.body_paragraphs == tuple(PARAGRAPHS)


def test_standfirst_lines_stay_in_the_body_and_the_headline_is_the_title() -> None:
    standfirst = [
        "Forty kilometres of protected lanes across the old town by 2027",
        "Shopkeepers fear for their parking spaces and their customers",
    ]
    article = _extract(_dump("Council approves a cycling network", standfirst + PARAGRAPHS))
    assert article.title == "Council approves a cycling network"
    assert article.body_paragraphs == tuple(standfirst + PARAGRAPHS)


def test_a_page_with_a_blank_line_between_every_line_keeps_its_chrome_out() -> None:
    page = "\n\n".join(["Home", "World", "Council approves a cycling network", *PARAGRAPHS[:3], "Share"])
    article = _extract(page)
    assert article.title == "Council approves a cycling network"
    assert article.body_paragraphs == tuple(PARAGRAPHS[:3])


def test_a_date_inside_the_running_text_does_not_cut_it() -> None:
    caption = "The mayor visits the first lane in the old town on 29 September 2018."
    paragraphs = [PARAGRAPHS[0], caption, *PARAGRAPHS[1:]]
    article = _extract(_dump("Council approves a cycling network", paragraphs))
    assert article.body_paragraphs == tuple(paragraphs)


def test_a_date_line_above_the_running_text_is_not_body() -> None:
    article = _extract(
        _dump("Council approves a cycling network", ["By Jane Doe", "12 March 2024", *PARAGRAPHS])
    )
    assert article.published == "2024-03-12"
    assert article.body_paragraphs == tuple(PARAGRAPHS)


def test_a_title_that_holds_the_date() -> None:
    article = _extract(
        _dump("سعر الدولار اليوم الثلاثاء 3-3-2020", [ARABIC_WITHOUT_STOPS[1], *ARABIC_WITHOUT_STOPS[2:]])
    )
    assert article.title == "سعر الدولار اليوم الثلاثاء 3-3-2020"
    assert article.published == "2020-03-03"


ARABIC_WITHOUT_STOPS = [
    "رجل يتعرض لإطلاق النار عدة مرات ببندقية هوائية في ضاحية المدينة",
    "تعرض رجل لإطلاق النار عدة مرات ببندقية هوائية أثناء عودته إلى منزله بعد قضاء سهرة مع أصدقائه",
    "الضحية رجل في الأربعين من عمره كان يسير في الشارع الرئيسي للحي عندما أطلق عليه مجهول النار من سيارة",
    "لم يتمكن الضحية من رؤية مهاجمه",
    "إصابات الضحية ليست خطيرة وبدأت الشرطة في الاستماع إلى أقوال الشهود في المنطقة",
]


def test_a_dump_without_final_stops_is_an_article() -> None:
    article = _extract(_dump(ARABIC_WITHOUT_STOPS[0], ARABIC_WITHOUT_STOPS[1:]))
    assert article.title == ARABIC_WITHOUT_STOPS[0]
    assert article.body_paragraphs == tuple(ARABIC_WITHOUT_STOPS[1:])
    assert article.language == "ar"


@pytest.mark.parametrize(
    ("line", "low", "high"),
    [
        ("Le conseil municipal a voté le budget mardi soir", 9, 9),
        ("Landespolitik", 1, 1),
        ("Bundesverfassungsgerichtsentscheidung zur Haushaltsführung", 3, 3),
        ("doi: https://doi.org/10.1038/d41586-025-04160-8", 2, 3),
        ("جعلتالدورةالتدريبيةالجديدةفيجامعةهارفاردهذاالعامجميعطلابهاينامونأكثر", 9, 14),
        (
            "韓国の尹錫悦大統領は３日夜、緊急談話を出し、野党が国政をまひさせているとして非常戒厳を宣布した。",
            15,
            30,
        ),
    ],
    ids=["spaced", "compound", "compounds", "address", "arabic-without-spaces", "japanese"],
)
def test_words_are_counted_where_spaces_are_missing(line: str, low: int, high: int) -> None:
    assert low <= word_estimate(line) <= high


def test_japanese_sentences_end_with_their_own_full_stop() -> None:
    sentence = (
        "韓国の尹錫悦大統領は３日夜、緊急談話を出し、野党が国政をまひさせているとして非常戒厳を宣布した。"
    )
    article = _extract("韓国が非常戒厳を宣布\n\n" + "\n\n".join([sentence, sentence.replace("３日", "４日")]))
    assert article.title == "韓国が非常戒厳を宣布"
    assert len(article.body_paragraphs) == 2


@needs_shared(DATA / "parallel-news")
def test_parallel_news_text_dumps_keep_their_titles_and_paragraphs() -> None:
    cases = versions(DATA)
    found = [extract_textdump(plain_dump(case)) for case in cases]
    articles = [
        (case, article) for case, article in zip(cases, found, strict=True) if isinstance(article, Article)
    ]
    assert len(articles) == len(cases)
    assert [case.name for case, article in articles if article.title != case.title] == []
    kept = sum(
        paragraph in article.body_paragraphs for case, article in articles for paragraph in case.paragraphs
    )
    assert kept >= 0.98 * sum(len(case.paragraphs) for case in cases)


_FRENCH = [
    "Le conseil municipal a approuvé mardi un plan de quarante kilomètres de pistes cyclables protégées "
    "dans la vieille ville, un projet qui doit rendre les rues plus sûres selon ses partisans.",
    "Les travaux commenceront à l'automne et dureront trois ans, a indiqué le maire.",
    "Les commerçants du centre craignent la perte de places de stationnement.",
]


@pytest.mark.parametrize(
    ("title", "paragraphs", "caption"),
    [
        (
            "Council approves a cycling network",
            PARAGRAPHS,
            "The mayor arrives for the opening of the first lane in the old town, Britain, September 29, 2018.",
        ),
        (
            "Le conseil approuve un réseau cyclable",
            _FRENCH,
            "Le maire est arrivé à l'inauguration de la première piste de la vieille ville, le 29 septembre 2018.",
        ),
        (
            "رجل يتعرض لإطلاق النار في ضاحية المدينة",
            ARABIC_WITHOUT_STOPS[1:],
            "يصل رئيس البلدية إلى افتتاح أول مسار للدراجات في المدينة القديمة، في 29 سبتمبر 2018.",
        ),
    ],
)
def test_a_sentence_that_mentions_a_day_is_no_date_line(
    title: str, paragraphs: list[str], caption: str
) -> None:
    # The same kind of photo caption in three languages: none of them dates the article (the
    # Arabic and French ones did, the longer English one did not, so versions of one story differed).
    article = _extract(_dump(title, [paragraphs[0], caption, *paragraphs[1:]]))
    assert article.published is None
    assert caption in article.body_paragraphs
