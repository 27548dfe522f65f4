"""HTML extraction: metadata, body hygiene, headlines, rejections, hostile input, real pages."""

from __future__ import annotations

import logging
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akhbar.bench.quality.extraction import fundus_cases, segment_cases
from akhbar.extract import extract
from akhbar.extract.html import extract_html
from akhbar.extract.html.body import MAX_PARAGRAPHS
from akhbar.models import Article, Document, Rejected
from conftest import needs_shared

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FETCHED = datetime(2024, 10, 20, 12, 0, tzinfo=UTC)
FR = (
    "Les ministres de la Défense des pays de l’OTAN ont conclu deux jours de discussions par un engagement "
    "à continuer de soutenir l’Ukraine et à renforcer la dissuasion et la défense de l’Alliance."
)
FR2 = (
    "Le secrétaire général a indiqué que, pour garantir la sécurité de l’Alliance, il était indispensable "
    "de développer la capacité de production industrielle de défense et de sécuriser les chaînes."
)
FR3 = (
    "Abordant la question des violations de l’espace aérien de l’Alliance par des drones russes, le secrétaire "
    "général a déclaré que la défense aérienne et antimissile restait une priorité pour l’OTAN."
)
FR4 = (
    "Plus tard dans la journée, le président ukrainien a rejoint les ministres des pays de l’OTAN dans le cadre "
    "du Conseil OTAN-Ukraine et présenté les grandes lignes de son plan pour mettre un terme à la guerre."
)
AR = (
    "أثار ظهور دونالد ترامب بشعر مائل إلى اللون الوردي خلال خطاب ألقاه في واشنطن العاصمة موجة واسعة من "
    "الجدل والسخرية على مواقع التواصل الاجتماعي، بعدما شبه كثيرون لونه بحلوى القطن."
)
AR2 = (
    "وخلال مخاطبته أعضاء الحزب الجمهوري في مركز جون كينيدي للفنون المسرحية، بدا شعر ترامب بلون غير معتاد، "
    "ما فتح الباب أمام تساؤلات واسعة حول السبب الحقيقي وراء هذا التغير."
)
URL = "https://www.exemple-news.fr/monde/2024/10/18/otan-dissuasion-priorite"


def html_page(body: str, head: str = "", lang: str = "fr") -> str:
    return f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


def article_page(
    head: str = "", before: str = "", after: str = "", lang: str = "fr", text: tuple[str, ...] = ()
) -> str:
    paragraphs = "".join(f"<p>{line}</p>" for line in (text or (FR, FR2, FR3, FR4)))
    return html_page(f"<article><h1>Titre de l’article</h1>{before}{paragraphs}{after}</article>", head, lang)


def extracted(html: str, url: str | None = URL) -> Article:
    result = extract_html(html, url=url, fetched_at=FETCHED)
    assert isinstance(result, Article), result
    return result


# --- title, site name, authors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "h1", "expected"),
    [
        (
            '<meta property="og:title" content="Un titre clair sur l’OTAN | Exemple News">'
            '<meta property="og:site_name" content="Exemple News">',
            "",
            "Un titre clair sur l’OTAN",
        ),
        ("<title>Un titre clair sur l’OTAN - Exemple News</title>", "", "Un titre clair sur l’OTAN"),
        ("<title>Exemple News – Un titre clair sur l’OTAN</title>", "", "Un titre clair sur l’OTAN"),
        (
            '<meta property="og:title" content="Un titre clair sur l\'OTAN - Exemple News">',
            "<h1>Un titre clair sur l’OTAN</h1>",
            "Un titre clair sur l’OTAN",
        ),
        (
            '<meta property="og:title" content="Pétition : Un titre clair sur l’OTAN et la défense">',
            "<h1>Un titre clair sur l’OTAN et la défense</h1>",
            "Un titre clair sur l’OTAN et la défense",
        ),
        (
            "<title>Un titre clair sur l’OTAN | Monde | Exemple News | 18.10.2024</title>",
            "",
            "Un titre clair sur l’OTAN | Monde",
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Titre en JSON-LD",'
            ' "publisher": {"@type": "Organization", "name": "Exemple"}}</script>',
            "",
            "Titre en JSON-LD",
        ),
    ],
)
def test_title_without_site_name(head: str, h1: str, expected: str) -> None:
    html = html_page(f"<article>{h1}<p>{FR}</p><p>{FR2}</p></article>", head)
    assert extracted(html).title == expected


def test_title_keeps_bidi_controls_out_and_mixed_text_in_logical_order() -> None:
    head = '<meta property="og:title" content="\u202bقمة NATO في بروكسل\u202c \u200fwith Rutte">'
    result = extracted(article_page(head, lang="ar", text=(AR, AR2, f"قال Mark Rutte \u200fإن {AR}")))
    assert result.title == "قمة NATO في بروكسل with Rutte"
    assert f"قال Mark Rutte إن {AR}" in result.body_paragraphs
    for text in (result.title, *result.body_paragraphs):
        assert not any(
            mark in text for mark in "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"
        )
        assert unicodedata.is_normalized("NFC", text)


def test_body_is_nfc_and_free_of_zero_width_marks() -> None:
    decomposed = unicodedata.normalize("NFD", FR)
    result = extracted(article_page(text=(f"\u200b{decomposed}\u2066", FR2, FR2 + " Fin.")))
    assert result.body_paragraphs[0] == FR


@pytest.mark.parametrize(
    ("head", "url", "expected"),
    [
        ('<meta property="og:site_name" content="Exemple News">', URL, "Exemple News"),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "publisher": {"name": "Le Quotidien"}}</script>',
            URL,
            "Le Quotidien",
        ),
        ("", URL, "exemple-news.fr"),
        ("", None, None),
    ],
)
def test_site_name(head: str, url: str | None, expected: str | None) -> None:
    assert extracted(article_page(head), url=url).site_name == expected


def test_authors_from_json_ld_people_before_the_site_name() -> None:
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "NewsArticle", "headline": "T", "author": [{"@id": "#p1"}, {"@type": "Organization", '
        '"name": "Exemple News"}]}, {"@type": "Person", "@id": "#p1", "name": "Jeanne Dupont"}]}</script>'
    )
    assert extracted(article_page(head)).authors == ("Jeanne Dupont",)


def test_byline_paragraph_becomes_the_author_and_leaves_the_body() -> None:
    result = extracted(article_page(before="<p>Par Jeanne Dupont et Karim Benali</p>"))
    assert result.authors == ("Jeanne Dupont et Karim Benali",)
    assert not any(text.startswith("Par ") for text in result.body_paragraphs)


def test_visible_byline_element_with_a_date_after_the_name() -> None:
    before = (
        '<div class="article-author">Par <a href="/auteurs/jd">Jeanne Dupont</a> le 18 octobre 2024</div>'
    )
    head = '<meta name="author" content="Exemple News">'
    assert extracted(article_page(head, before=before)).authors == ("Jeanne Dupont",)


def test_authors_of_other_articles_teasers_are_not_the_author() -> None:
    teaser = (
        '<div class="les-plus-lus"><p><a href="/actus/article/cop26">En pleine COP26, la France autorise l’extraction de gaz'
        ' <small>(<span class="vcard author"><a href="/auteur/collectif">Collectif</a></span>)</small></a></p></div>'
    )
    before = '<p class="signature">Par <span class="author">Attac France</span></p>'
    html = html_page(f"{teaser}<article><h1>Titre de l’article</h1>{before}<p>{FR}</p><p>{FR2}</p></article>")
    assert extracted(html).authors == ("Attac France",)


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "before", "expected"),
    [
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-10-18T14:30:00+02:00"}'
            "</script>",
            "",
            "2024-10-18T14:30:00+02:00",
        ),
        (
            '<meta property="article:published_time" content="2024-10-18 09:05:00 +01:00">',
            "",
            "2024-10-18T09:05:00+01:00",
        ),
        ("", '<time class="published" datetime="2024-10-17">17 octobre</time>', "2024-10-17"),
        ("", "<p>[بلادي نيوز]18 أكتوبر 2024</p>", "2024-10-18"),
        ("", "<span>Publié le 18/10/2024 à 14h30</span>", "2024-10-18T14:30:00"),
        ("", "<p>الجمعة ١٨ أكتوبر ٢٠٢٤</p>", "2024-10-18"),
        (  # RDFa as Drupal writes it; midnight to the second is a day without a time
            "",
            '<span property="dc:date dc:created" content="2019-02-08T00:00:00+01:00">الجمعة 8 فيفري 2019</span>',
            "2019-02-08",
        ),
    ],
)
def test_publication_date_sources(head: str, before: str, expected: str) -> None:
    assert extracted(article_page(head, before=before), url="https://exemple.fr/a/otan").published == expected


def test_a_year_alone_is_no_date_and_future_dates_are_ignored() -> None:
    after = "<footer>© 2024 Exemple News</footer>"
    assert extracted(article_page(after=after), url="https://exemple.fr/a/otan").published is None
    head = '<meta property="article:published_time" content="2031-01-05T10:00:00Z">'
    assert extracted(article_page(head), url="https://exemple.fr/a/otan").published is None


def test_the_byline_date_wins_over_a_reader_comment_date() -> None:
    before = (
        '<div class="meta">Accueil | Par <span class="vcard author"><a href="/auteur/jd">Jeanne Dupont</a>'
        "</span> | 30 septembre 2018</div>"
    )
    after = (
        '<div id="comments"><ul class="comments-list"><li><p>Très bien vos infos.</p>'
        '<abbr class="date" title="2018-09-11T10:57:27Z">Le 11 septembre 2018 à 12:57</abbr></li></ul></div>'
    )
    result = extracted(article_page(before=before, after=after), url="https://exemple.fr/a/otan")
    assert result.published == "2018-09-30"
    assert result.authors == ("Jeanne Dupont",)


@pytest.mark.parametrize(
    "comments", ['<div class="comments">{}</div>', '<ul class="mo-comments-list"><li>{}</li></ul>']
)
def test_readers_comment_dates_are_not_publication_dates(comments: str) -> None:
    after = comments.format(
        "<p><strong>Muriel - Le 22/01/2020 à 12:01:03</strong></p><p>Pour sauver le chœur.</p>"
    )
    result = extracted(article_page(after=after), url="https://exemple.fr/petition/choeur")
    assert result.published is None


def test_a_date_in_a_long_author_box_is_not_the_byline_date() -> None:
    # A biography is no byline line: the date in the URL stands.
    bio = (
        "Jeanne Dupont est journaliste depuis le 3 mars 2001, " + "spécialiste des questions de défense. " * 5
    )
    before = f'<div class="author-bio">{bio}</div>'
    result = extracted(article_page(before=before), url="https://exemple.fr/monde/2024/10/18/otan")
    assert result.published == "2024-10-18"


# --- language -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", (FR, FR2, FR3, FR4), "fr"),  # a wrong declaration loses to a long body
        ("ar-MA", (AR, AR2, AR, AR2), "ar"),
        ("ary", (AR, AR2, AR2, AR), "ar"),
        ("fr-FR", (FR, FR2, FR3), "fr"),
    ],
)
def test_language_declared_and_detected(lang: str, text: tuple[str, ...], expected: str) -> None:
    assert extracted(article_page(lang=lang, text=text)).language == expected


# --- image and caption ----------------------------------------------------------------------------


def test_lead_image_is_absolute_and_its_caption_has_no_credit() -> None:
    head = '<meta property="og:image" content="/img/2024/otan-bruxelles-1200x630.jpg">'
    before = (
        '<figure><img src="/img/2024/otan-bruxelles-640x360.jpg"><figcaption>Official photo of the NATO Ministers'
        ' <span class="credit">NATO / AFP</span></figcaption></figure>'
    )
    result = extracted(article_page(head, before=before))
    assert result.image_url == "https://www.exemple-news.fr/img/2024/otan-bruxelles-1200x630.jpg"
    assert result.image_caption == "Official photo of the NATO Ministers"
    assert "Official photo of the NATO Ministers" not in result.body_paragraphs


def test_caption_from_alt_text_unless_it_is_the_title() -> None:
    head = '<meta property="og:image" content="https://cdn.exemple.fr/a.jpg"><meta property="og:image:alt" content="{}">'
    assert extracted(article_page(head.format("Les ministres réunis à Bruxelles"))).image_caption == (
        "Les ministres réunis à Bruxelles"
    )
    assert extracted(article_page(head.format("Titre de l’article"))).image_caption is None


# --- body hygiene ---------------------------------------------------------------------------------


def test_chrome_left_in_the_main_text_is_removed() -> None:
    before = "<p>Publié le 18/10/2024 à 14h30</p><p>Titre de l’article</p>"
    after = (
        "<p>À lire aussi : Les autres nouvelles de la semaine à Bruxelles</p><p>Crédits photos : AFP</p>"
        "<p>Partager</p><p>Il vous reste 57% de cet article à lire. La suite est réservée aux abonnés.</p>"
    )
    result = extracted(article_page(before=before, after=after))
    assert result.body_paragraphs == (FR, FR2, FR3, FR4)


# --- headlines ------------------------------------------------------------------------------------


def test_ticker_and_latest_news_box_give_headlines() -> None:
    ticker = "".join(
        f'<li><a href="/n/{i}">خبر عاجل رقم {i} عن اجتماع الحكومة اليوم</a></li>' for i in range(3)
    )
    latest = "".join(
        f'<li><a href="/l/{i}">Le gouvernement annonce la mesure numéro {i}</a></li>' for i in range(3)
    )
    body = (
        f'<div class="news-ticker"><ul>{ticker}</ul></div>'
        f"<aside><h3>Dernières infos</h3><ul>{latest}</ul></aside>"
        f"<article><h1>Titre de l’article</h1><p>{FR}</p><p>{FR2}</p></article>"
    )
    result = extracted(html_page(body))
    assert result.headlines[:3] == tuple(f"خبر عاجل رقم {i} عن اجتماع الحكومة اليوم" for i in range(3))
    assert "Le gouvernement annonce la mesure numéro 2" in result.headlines


# --- rejections -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Page not found", "Sorry, the page you are looking for does not exist."),
        ("Page introuvable - Exemple", "Désolé, cette page n’existe pas ou plus. Retour à l’accueil."),
        ("الصفحة غير موجودة", "عذرا، الصفحة التي تبحث عنها غير موجودة. العودة إلى الصفحة الرئيسية"),
        ("Erreur 404 | Exemple News", "Oups ! La page demandée est introuvable."),
    ],
)
def test_not_found_pages_served_with_200_are_rejected(title: str, text: str) -> None:
    html = html_page(
        f"<h1>{title}</h1><p>{text}</p><ul><li><a href='/'>Accueil</a></li></ul>", f"<title>{title}</title>"
    )
    result = extract_html(html, url="https://exemple.fr/nope")
    assert isinstance(result, Rejected)
    assert result.reason.startswith("not found")


def test_an_article_about_a_404_error_is_not_rejected() -> None:
    head = "<title>L’erreur 404 expliquée aux lecteurs</title>"
    assert extracted(article_page(head, text=(FR, FR2, FR3))).title


def _teasers(count: int) -> str:
    return "".join(
        f'<div class="teaser"><h2><a href="/monde/2024/10/{i}/article-{i}">Les ministres annoncent une réforme '
        f"numéro {i} pour la défense européenne</a></h2></div>"
        for i in range(count)
    )


@pytest.mark.parametrize(
    "url", ["https://www.exemple-news.fr/", "https://www.exemple-news.fr/tag/otan", "https://exemple.fr/fr/"]
)
def test_home_and_tag_pages_are_rejected(url: str) -> None:
    result = extract_html(html_page(f"<main>{_teasers(30)}</main>", "<title>Exemple News</title>"), url=url)
    assert isinstance(result, Rejected)
    assert "list of links" in result.reason or "home, section or tag page" in result.reason


def test_empty_shell_is_rejected() -> None:
    html = html_page(
        '<div id="root"></div><script>window.render({"articles": []})</script>', "<title>App</title>"
    )
    result = extract_html(html, url=URL)
    assert isinstance(result, Rejected)
    assert result.reason.startswith("empty page")


def test_paywall_stub_is_rejected() -> None:
    text = (FR[:120], "Cet article est réservé aux abonnés. Abonnez-vous pour lire la suite.")
    result = extract_html(article_page(text=text), url=URL)
    assert isinstance(result, Rejected)
    assert result.reason.startswith("paywall stub")


def test_menus_run_together_are_no_prose() -> None:
    sections = ("أخبار لبنان", "رياضة", "ثقافة", "اقتصاد", "منوعات", "صحة وتغذية", "أمن وقضاء", "حال الطقس")
    menu = " ".join(f"<span>{name}</span>" for name in sections * 40)  # 400 words, not one stop
    html = html_page(f"<div class='menu-row'>{menu}</div>", "<title>LBCI</title>", lang="ar")
    result = extract_html(html, url=None)
    assert isinstance(result, Rejected) and result.reason.startswith("no article body"), result


def test_page_with_no_prose_is_rejected_with_a_reason() -> None:
    result = extract_html(html_page("<h1>Galerie</h1><p>Photos</p>"), url=URL)
    assert isinstance(result, Rejected)
    assert result.reason


# --- hostile input --------------------------------------------------------------------------------


def _timed(html: str) -> tuple[Article | Rejected, float]:
    started = time.perf_counter()
    result = extract_html(html, url=URL, fetched_at=FETCHED)
    return result, time.perf_counter() - started


def test_deeply_nested_markup_never_raises() -> None:
    html = html_page("<div>" * 50_000 + f"<p>{FR}</p><p>{FR2}</p>" + "</div>" * 50_000)
    result, seconds = _timed(html)
    assert isinstance(result, Article | Rejected)  # lxml stops at its depth limit: nothing readable is left
    assert seconds < 30


@pytest.mark.slow
def test_ten_megabytes_of_html_stays_fast() -> None:
    prose = "".join(f"<p>{FR} {i}</p>" for i in range(48_000))
    result, seconds = _timed(html_page(f"<article><h1>Titre</h1>{prose}</article>"))
    assert isinstance(result, Article)
    assert len(result.body_paragraphs) == MAX_PARAGRAPHS
    links = "".join(f'<a href="/{i}">{FR[:60]} {i}</a><br>' for i in range(60_000))
    rejected, more_seconds = _timed(html_page(links))
    assert isinstance(rejected, Rejected)
    assert seconds + more_seconds < 90


@pytest.mark.parametrize(
    "html",
    [
        f"<html><body><p>{FR}<p>{FR2}<div><span>{FR}</b></i></p></td></body>",
        f"<p>{FR}</p></html></html><html><body><p>{FR2}",
        f"<html><head><title>T</title><body><article><h1>T<p>{FR} <!-- unclosed comment <p>{FR2}",
        "<html><body>\x00\x01\x02<p>texte</p>\ufffe\udc80</body></html>",
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>" + FR + "</p></body></html>",
        "",
        "   ",
        "not html at all, just words " * 20,
    ],
)
def test_broken_markup_never_raises(html: str) -> None:
    result, seconds = _timed(html)
    assert isinstance(result, Article | Rejected)
    assert seconds < 10


def test_scripts_in_the_body_stay_out_of_it() -> None:
    script = "<script>var article = 'ne pas afficher ce texte'; document.write(article);</script>"
    style = "<style>.x { content: 'ni celui-ci'; }</style>"
    result = extracted(article_page(before=script + style, after=script))
    body = " ".join(result.body_paragraphs)
    assert "ne pas afficher" not in body and "ni celui-ci" not in body


_TAGS = st.sampled_from(
    ["p", "div", "h1", "h2", "span", "a", "li", "ul", "figure", "figcaption", "time", "article"]
)
_TEXT = st.sampled_from(
    [FR, AR, "404", "Page introuvable", "Par Jeanne", "18 أكتوبر 2024", "© 2024", "", "&amp;"]
)
_ATTRS = st.sampled_from(
    ["", ' class="ticker"', ' datetime="2024-13-45"', ' href="javascript:x"', ' lang="ary"']
)


class _Records(logging.Handler):
    """Keeps the warnings logged while it is attached (caplog does not mix with hypothesis)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@st.composite
def _documents(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(_TAGS)
        parts.append(f"<{tag}{draw(_ATTRS)}>{draw(_TEXT)}{draw(st.text(max_size=30))}")
        if draw(st.booleans()):
            parts.append(f"</{tag}>")
    head = draw(
        st.sampled_from(
            [
                "",
                '<meta property="og:title" content="x | y">',
                '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "x"}</script>',
            ]
        )
    )
    return f"<html><head>{head}</head><body>{''.join(parts)}</body></html>"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=_documents(), url=st.sampled_from([None, URL, "https://exemple.fr/", "not a url", "http://[::1"]))
def test_extract_html_never_raises(html: str, url: str | None) -> None:
    logger = logging.getLogger("akhbar.extract.html")
    handler = _Records()
    logger.addHandler(handler)
    try:
        result = extract_html(html, url=url, fetched_at=FETCHED)
    finally:
        logger.removeHandler(handler)
    assert isinstance(result, Article | Rejected)
    assert not handler.records, "extract_html caught an internal error instead of handling the input"
    if isinstance(result, Rejected):
        assert result.reason


# --- real pages and the extract() entry point ----------------------------------------------------


@needs_shared(DATA)
@pytest.mark.parametrize(
    "case",
    # without the data, one case that needs_shared skips (or fails under CI), not an empty set
    [*segment_cases(DATA), *fundus_cases(DATA)] if DATA.is_dir() else [None],
    ids=lambda case: case.page.name if case else "no-shared-data",
)
def test_real_pages_are_articles(case: object) -> None:
    page = case.page  # type: ignore[attr-defined]
    result = extracted(page.html, url=page.url)
    assert result.title and result.language in {"fr", "ar"}
    assert sum(len(text.split()) for text in result.body_paragraphs) >= 25


@pytest.mark.slow
@needs_shared(DATA)
def test_headlines_of_real_pages_are_other_pages_links_not_the_article() -> None:
    # No set labels the other headlines of an HTML page; what can be checked on every real page is that
    # each headline is the text of a link on the page and none is the article's title or a paragraph.
    cases = [*segment_cases(DATA), *fundus_cases(DATA)] if DATA.is_dir() else []
    with_headlines = 0
    for case in cases:
        page = case.page
        result = extracted(page.html, url=page.url)
        links = {" ".join(" ".join(a.itertext()).split()) for a in lxml.html.fromstring(page.html).iter("a")}
        own = {result.title, *result.body_paragraphs}
        assert not set(result.headlines) & own, page.name
        assert all(headline in links for headline in result.headlines), page.name
        with_headlines += bool(result.headlines)
    assert not cases or with_headlines >= 4  # lapresse.tn, regards.fr, Euronews x2, Les Echos have boxes


def test_extract_routes_html_documents_to_the_html_extractor() -> None:
    data = article_page('<meta property="og:site_name" content="Exemple News">').encode()
    document = Document(location="saved/page.html", url=URL, data=data, fetched_at=FETCHED)
    result = extract(document)
    assert isinstance(result, Article)
    assert result.site_name == "Exemple News"
    rejected = extract(
        Document(location="saved/404.html", data=html_page("<h1>Page introuvable</h1>").encode())
    )
    assert isinstance(rejected, Rejected) and rejected.location == "saved/404.html"


def test_text_dump_extractor_takes_over_when_trafilatura_finds_nothing() -> None:
    # trafilatura discards a block whose class says "comments"; the whole-page reading still finds prose
    html = html_page(
        f'<h1>Titre de l’article</h1><div class="comments"><p>{FR}</p><p>{FR2}</p><p>{FR3}</p></div>'
    )
    result = extracted(html)
    assert result.body_paragraphs == (FR, FR2, FR3)


def test_an_unparseable_address_is_no_address() -> None:
    from akhbar.extract.sections import section_of
    from akhbar.services.stories import source_name
    from akhbar.text.urls import split_url

    bad = "http://[::1"
    assert split_url(bad) is None
    page = "<html><head><title>Budget</title></head><body><article><h1>Budget adopté</h1>"
    page += "<p>" + "Le conseil municipal a adopté le budget de la ville après un long débat. " * 6 + "</p>"
    page += "</article></body></html>"
    assert isinstance(extract_html(page, url=bad, fetched_at=FETCHED), Article | Rejected)
    assert section_of(bad) is None
    assert source_name(Article("t", ("p",), "fr", url=bad), None) == bad
