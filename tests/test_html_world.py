"""HTML extraction beyond French and Arabic: causes found on pages-fundus-world, as small pages."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akhbar.extract.html import chunks, extract_html
from akhbar.extract.html.meta import fold_key
from akhbar.models import Article
from test_html_extract import FR, FR2, FR3, FR4, URL, article_page, html_page

FETCHED = datetime(2024, 10, 20, 12, 0, tzinfo=UTC)


def extracted(html: str, url: str = URL) -> Article:
    result = extract_html(html, url=url, fetched_at=FETCHED)
    assert isinstance(result, Article), result
    return result


def test_a_labelled_byline_paragraph_outside_the_body_names_the_author() -> None:
    page = article_page(
        after='<div class="longText"><p>Auteur : Kossivi Tiassou</p><p>Edition : M-A. P</p></div>'
    )
    assert extracted(page).authors == ("Kossivi Tiassou",)


def test_the_pages_title_with_its_site_name_is_not_a_paragraph() -> None:
    head = "<title>Titre de l’article | Monde | Exemple | 23.05.2011</title>"
    page = html_page(
        "<article><h1>Titre de l’article</h1>"
        "<p>Titre de l’article | Monde | Exemple | 23.05.2011</p>"
        f"<p>{FR}</p><p>{FR2}</p><p>{FR3}</p><p>{FR4}</p></article>",
        head,
    )
    assert extracted(page).body_paragraphs == (FR, FR2, FR3, FR4)


def test_a_heading_in_inline_pieces_reads_as_the_browser_shows_it() -> None:
    heading = (
        "<h1>\n  <span>LTE-Patent</span><span>: </span>\n<span>Samsung soll Smartphones zerstören</span></h1>"
    )
    head = "<title>LTE-Patent: Samsung soll Smartphones zerstören - Exemple.de</title>"
    page = html_page(f"<article>{heading}<p>{FR}</p><p>{FR2}</p><p>{FR3}</p></article>", head)
    assert extracted(page).title == "LTE-Patent: Samsung soll Smartphones zerstören"
    glued = "<h1><span>Un titre en deux parties :</span>la seconde</h1>"
    page = html_page(f"<article>{glued}<p>{FR}</p><p>{FR2}</p><p>{FR3}</p></article>")
    assert extracted(page).title == "Un titre en deux parties : la seconde"


def test_site_names_after_full_width_and_korean_bars_leave_the_title() -> None:
    cases = {
        "宮崎県で震度5弱、津波注意報 気象庁：朝日新聞デジタル": "宮崎県で震度5弱、津波注意報 気象庁",
        "フジテレビ問題で大激震！協賛企業が撤退へ｜日刊ゲンダイDIGITAL": "フジテレビ問題で大激震！協賛企業が撤退へ",
        '민주당 도입 또다시 불발 "당규 개정 왜 밀어붙이나"-정치ㅣ한국일보': '민주당 도입 또다시 불발 "당규 개정 왜 밀어붙이나"',
    }
    for meta_title, title in cases.items():
        head = f'<meta property="og:title" content="{meta_title.replace(chr(34), "&quot;")}">'
        head += f'<meta name="headline" content="{title.replace(chr(34), "&quot;")}">'
        page = html_page(f"<article><p>{FR}</p><p>{FR2}</p><p>{FR3}</p></article>", head)
        assert extracted(page).title == title


def test_a_short_site_name_with_a_word_after_it_leaves_the_title() -> None:
    # og:site_name "CBC", title "... | CBC News": the outlet's name is the site name plus a word.
    head = '<meta property="og:site_name" content="CBC">'
    head += (
        '<meta property="og:title" content="Palestinians say his appointment could ruin talks | CBC News">'
    )
    page = html_page(f"<article><p>{FR}</p><p>{FR2}</p><p>{FR3}</p></article>", head)
    assert extracted(page).title == "Palestinians say his appointment could ruin talks"
    # A title that merely begins with a word like the site's name keeps all its words.
    head = '<meta property="og:site_name" content="Nature">'
    head += '<meta property="og:title" content="Nature reserves | Nature">'
    page = html_page(f"<article><p>{FR}</p><p>{FR2}</p><p>{FR3}</p></article>", head)
    assert extracted(page).title == "Nature reserves"


def test_an_empty_shell_whose_script_carries_the_article_is_extracted() -> None:
    import json

    markup = "".join(f"<p>{text}</p>" for text in (FR, FR2, FR3, FR4)) + "<p>$$ARTICLEAD$$</p>"
    payload = json.dumps(f'1:"$Sreact.fragment"\n2:T5c3,{markup}')
    head = (
        '<title>Titre de l’article | Exemple</title><meta property="og:title" content="Titre de l’article">'
    )
    page = html_page(
        f'<main><div class="spinner"></div></main><script>self.__next_f.push([1,{payload}])</script>', head
    )
    article = extracted(page)
    assert article.title == "Titre de l’article"
    assert article.body_paragraphs == (FR, FR2, FR3, FR4)


def test_an_empty_shell_with_nothing_in_its_scripts_stays_rejected() -> None:
    page = html_page('<main><div class="spinner"></div></main><script>var x = "<b>no</b>";</script>')
    assert not isinstance(extract_html(page, url=URL, fetched_at=FETCHED), Article)


def test_nested_inline_markup_keeps_the_reading_order() -> None:
    from lxml import etree

    from akhbar.extract.html.body import body_blocks

    body = etree.fromstring(
        "<body><p>Le conseil <hi>a voté <ref>hier</ref> soir</hi> la loi.<lb/>Ensuite</p></body>"
    )
    assert [block.text for block in body_blocks(body)] == ["Le conseil a voté hier soir la loi.", "Ensuite"]


def test_a_breadcrumb_is_not_the_first_paragraph() -> None:
    from akhbar.extract.html.body import Block, tidy_body

    blocks = [
        Block("p", "Accueil > Actualités > Monde"),
        Block("p", FR),
        Block("p", "Le prix passe de 5 > 3 > 2 euros."),
    ]
    assert tidy_body(blocks, title="Titre", captions=()).paragraphs == (
        FR,
        "Le prix passe de 5 > 3 > 2 euros.",
    )


def test_the_structured_headline_settles_three_different_titles() -> None:
    head = (
        '<meta property="og:title" content="Un titre pour les réseaux">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Le titre de référence"}</script>'
    )
    page = html_page(
        f"<article><h1>Un titre pour les moteurs</h1><p>{FR}</p><p>{FR2}</p><p>{FR3}</p></article>", head
    )
    assert extracted(page).title == "Le titre de référence"


def test_a_title_set_off_with_stars_and_a_byline_loses_them() -> None:
    head = '<meta property="og:title" content="Zelensky considers firing his top general * The Daily Site * by Paul Serran">'
    page = html_page(
        f"<article><h1>Zelensky considers firing his top general</h1><p>{FR}</p><p>{FR2}</p><p>{FR3}</p></article>",
        head,
    )
    assert extracted(page).title == "Zelensky considers firing his top general"


def test_sentences_repeated_under_each_new_heading_are_kept() -> None:
    day = (
        "Petit-déjeuner : flocons d'avoine, fruits rouges et yaourt nature.",
        "Déjeuner : salade de lentilles, poulet grillé et légumes de saison.",
    )
    plan = "".join(
        f"<h2>Jour {number}</h2>" + "".join(f"<p>{line}</p>" for line in day) for number in (1, 2, 3)
    )
    page = html_page(f"<article><h1>Un plan de repas</h1><p>{FR}</p><p>{FR2}</p>{plan}<p>{FR3}</p></article>")
    body = extracted(page).body_paragraphs
    assert body.count(day[0]) == 3 and body.count(day[1]) == 3
    assert ("Jour 1", day[0], day[1], "Jour 2", day[0]) == body[2:7]


def test_a_repeat_with_no_new_heading_between_is_a_layout_copy() -> None:
    page = html_page(f"<article><h1>Titre</h1><p>{FR}</p><p>{FR2}</p><p>{FR}</p><p>{FR3}</p></article>")
    assert extracted(page).body_paragraphs.count(FR) == 1
    labels = "".join(f"<h2>Partie {number}</h2><p>{FR}</p><p>Lire aussi</p>" for number in (1, 2))
    body = extracted(
        html_page(f"<article><h1>Titre</h1>{labels}<p>{FR2}</p><p>{FR3}</p></article>")
    ).body_paragraphs
    assert body.count(FR) == 1  # a long paragraph again is a copy, whatever the headings


def test_a_long_table_of_names_is_data_not_text() -> None:
    rows = "".join(f"<tr><td>{n}</td><td>Nom{n} Prénom{n}</td><td>Ville{n}</td></tr>" for n in range(30))
    page = html_page(
        f"<article><h1>Les lauréats</h1><p>{FR}</p><p>{FR2}</p><table>{rows}</table><p>{FR3}</p></article>"
    )
    assert extracted(page).body_paragraphs == (FR, FR2, FR3)
    short = "".join(f"<tr><td>{n}</td><td>Nom{n}</td></tr>" for n in range(4))
    page = html_page(
        f"<article><h1>Les lauréats</h1><p>{FR}</p><p>{FR2}</p><table>{short}</table><p>{FR3}</p></article>"
    )
    assert "1 Nom1" in extracted(page).body_paragraphs  # a small table stays in the text


def test_read_also_teasers_in_other_languages_leave_the_body() -> None:
    teasers = (
        "Lesen Sie auch: Gefährliche Giftwolke über Berlin",
        "Les også: Tone Damli røper detaljer om frieriet",
        "Czytaj więcej",
        "Leggi anche: le notizie del giorno",
        "Читайте также: главные новости дня",
    )
    markup = "".join(
        f"<p>{text}</p><p>{para}</p>" for text, para in zip(teasers, (FR, FR2, FR3, FR4), strict=False)
    )
    page = html_page(f"<article><h1>Titre de l’article</h1>{markup}<p>{teasers[-1]}</p></article>")
    assert extracted(page).body_paragraphs == (FR, FR2, FR3, FR4)


def _titled(heading: str, head: str) -> str:
    body = f"<p>{FR}</p><p>{FR2}</p><p>{FR3}</p>"
    return html_page(f"<article>{f'<h1>{heading}</h1>' if heading else ''}{body}</article>", head)


def _ld_headline(headline: str) -> str:
    return f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{headline}"}}</script>'


def test_a_title_takes_the_apostrophes_of_the_structured_headline() -> None:
    curly, straight = (
        "Le budget de l’État adopté en première lecture",
        "Le budget de l'État adopté en première lecture",
    )
    # The heading curls its apostrophe, the JSON-LD headline (the stored text) does not.
    head = f'<meta property="og:title" content="{straight}">{_ld_headline(straight)}'
    assert extracted(_titled(curly, head)).title == straight
    # Without a structured headline the heading's typography stays (the social title flattens it).
    head = f'<meta property="og:title" content="{straight}"><title>{straight} | Exemple News</title>'
    assert extracted(_titled(curly, head)).title == curly
    # A headline in other words changes nothing.
    head = f'<meta property="og:title" content="{straight}">{_ld_headline("Un autre titre du budget")}'
    assert extracted(_titled(curly, head)).title == curly


def test_a_kicker_the_social_title_and_the_headline_share_stays_whatever_its_punctuation() -> None:
    head = '<meta property="og:title" content="Fin de chantier : la vieille tour du port démolie">'
    head += _ld_headline("Fin de chantier - la vieille tour du port démolie")
    page = _titled("la vieille tour du port démolie", head)
    assert extracted(page).title == "Fin de chantier : la vieille tour du port démolie"
    # Declared once with the kicker, the title is the heading without it.
    head = '<meta property="og:title" content="Fin de chantier : la vieille tour du port démolie">'
    page = _titled("la vieille tour du port démolie", head)
    assert extracted(page).title == "la vieille tour du port démolie"


def test_a_byline_after_the_site_name_leaves_the_title() -> None:
    head = '<meta property="og:title" content="Storm closes the northern ferry line | Exemple News | by Jane Doe">'
    assert extracted(_titled("", head)).title == "Storm closes the northern ferry line"
    # A last piece that is not a byline stays ("by the numbers" names nobody).
    head = '<meta property="og:title" content="The ferry year | by the numbers">'
    assert extracted(_titled("", head)).title == "The ferry year | by the numbers"


def _chunk(*parts: str) -> str:
    return f'<div class="grid chunk"><div class="article-body">{"".join(parts)}</div></div>'


_AD_ROW = '<div class="ad-row"><div class="ad">Publicité</div></div>'


def test_a_body_split_into_chunks_between_advertisements_is_read_to_its_end() -> None:
    # trafilatura reads the first "article-body" for the whole article.
    chunks = f"{_chunk(f'<p>{FR}</p><p>{FR2}</p>')}{_AD_ROW}{_chunk(f'<p>{FR3}</p>')}{_AD_ROW}{_chunk(f'<p>{FR4}</p>')}"
    page = html_page(
        f'<main><article><h1>Titre de l’article</h1><div class="chunks">{chunks}</div></article></main>'
    )
    assert extracted(page).body_paragraphs == (FR, FR2, FR3, FR4)


def test_teaser_cards_shaped_like_the_body_chunks_are_not_read_on() -> None:
    teasers = "".join(_chunk(f'<a href="/monde/{n}"><p>{text}</p></a>') for n, text in ((1, FR3), (2, FR4)))
    chunks = f"{_chunk(f'<p>{FR}</p><p>{FR2}</p>')}{_AD_ROW}{teasers}"
    page = html_page(
        f'<main><article><h1>Titre de l’article</h1><div class="chunks">{chunks}</div></article></main>'
    )
    assert extracted(page).body_paragraphs == (FR, FR2)


def test_an_article_laid_out_in_a_list_item_keeps_its_paragraphs() -> None:
    # The page set out as <ul><li>: the article in the first item, teasers in the next.
    teaser = f'<li><a href="/monde/1"><div><h3>Un autre titre</h3><p>{FR4}</p></div></a></li>'
    body = (
        f'<div class="page"><ul><li id="left"><div class="archives"><h1>Titre de l’article</h1>'
        f"<p>{FR}</p><p>{FR2}</p><p>{FR3}</p></div></li>"
        f'<li id="right"><div class="more"><h2>You might also like</h2><ul>{teaser}</ul></div></li></ul></div>'
    )
    assert extracted(html_page(body)).body_paragraphs == (FR, FR2, FR3)


def test_a_closing_list_of_teaser_headlines_is_not_body() -> None:
    items = "".join(
        f"<li><h3>Autre titre du jour numéro {n} sur le sujet</h3>20/1/2026 05:0{n}</li>" for n in range(4)
    )
    body = (
        f"<article><h1>Titre de l’article</h1><p>{FR}</p><p>{FR2}</p><p>{FR3}</p><ul>{items}</ul></article>"
    )
    assert extracted(html_page(body)).body_paragraphs == (FR, FR2, FR3)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from("aAßẞΣςİ.,;- \n\u0301\u064bé٣_—ﬁ"), max_size=1500))
def test_a_paragraph_key_folds_only_the_start_it_needs_and_equals_the_whole_text_folded(text: str) -> None:
    """Paragraphs are matched by their first letters and digits; folding only a prefix of a long
    paragraph must give the same key as folding all of it (punctuation runs, ß -> ss, marks)."""
    assert chunks._key(text) == fold_key(text)[: chunks._KEY_CHARS]
