"""The search page: the engine's highlighted titles and snippets, in their own direction, never markup."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest

from akhbar.models import Article
from akhbar.search import Filters as SearchFilters
from akhbar.search import QueryProblem
from akhbar.search.snippets import Highlighted, highlight, snippet
from akhbar.services import search as search_engine
from akhbar.store import Store
from akhbar.web.presenting import marked
from conftest import AsgiClient
from portal_fixtures import PortalData, store_article

HOSTILE_QUERY = 'scrutin <script>alert(1)</script> "><img src=x onerror=alert(2)>'
HOSTILE = Article(
    title='Le scrutin <img src=x onerror=alert(3)> "fermé"',
    body_paragraphs=(
        "Le scrutin <script>alert(1)</script> a fermé; <mark>faux</mark> &lt;b&gt; "
        '"><img src=x onerror=alert(2)> <a href="javascript:alert(4)">lien</a>.',
    ),
    language="fr",
    site_name="<b>Site</b>",
    url="https://example.org/scrutin",
    published="2024-11-05T08:00:00Z",
)


def _results(page: str) -> list[str]:
    return re.findall(r'<li class="article-item result".*?</li>', page, re.DOTALL)


def _tags(fragment: str) -> set[str]:
    return set(re.findall(r"<[^>]*>", fragment))


def test_snippets_are_highlighted_in_their_own_direction(client: AsgiClient, data: PortalData) -> None:
    page = client.get("/ar/search", params={"q": "loi de finances"}).text
    [french] = [r for r in _results(page) if f"/ar/articles/{data.story_fr}" in r]
    assert french.startswith('<li class="article-item result" lang="fr" dir="ltr">'), (
        "LTR inside the RTL page"
    )
    snippet = re.search(r'<p class="snippet">(.*?)</p>', french, re.DOTALL)
    assert snippet is not None
    assert "<mark>loi</mark>" in snippet.group(1) and "<mark>finances</mark>" in snippet.group(1)
    assert "Le conseil de gouvernement" in re.sub(r"</?mark>", "", snippet.group(1))
    arabic = _results(client.get("/fr/search", params={"q": "بطنجة"}).text)
    assert arabic and arabic[0].startswith('<li class="article-item result" lang="ar" dir="rtl">')
    assert "<mark>طنجة</mark>" in arabic[0], "the title and snippet mark the matched word"


def test_hostile_query_and_article_stay_text(store: Store, client: AsgiClient) -> None:
    store_article(store, "hostile", HOSTILE)
    page = client.get("/en/search", params={"q": HOSTILE_QUERY})
    assert page.status_code == 200
    results = _results(page.text)
    assert len(results) == 1
    [result] = results
    allowed = {
        "<mark>",
        "</mark>",
        '<p class="snippet">',
        "</p>",
        "<bdi>",
        "</bdi>",
        "</a>",
        "</time>",
        "</span>",
        "</li>",
    }
    unexpected = {
        t
        for t in _tags(result)
        if t not in allowed and not t.startswith(("<span", "<a class=", "<time", "<li"))
    }
    assert not unexpected, unexpected
    assert "<mark>scrutin</mark>" in result
    assert "&lt;mark&gt;faux&lt;/mark&gt;" in result, "marks written in the article are text"
    assert "&amp;lt;b&amp;gt;" in result, "an entity in the text is shown as written"
    for markup in ("<script", "<img", 'javascript:alert(4)"', "<b>Site"):
        assert markup not in page.text, markup
    echoed = re.search(r"<q dir=\"auto\">(.*?)</q>", page.text)
    assert echoed is not None and "&lt;script&gt;" in echoed.group(1)


@pytest.mark.parametrize(
    ("engine", "expected"),
    [
        ("a <mark>b</mark> c", "a <mark>b</mark> c"),
        ("x &lt;script&gt; y", "x &lt;script&gt; y"),
        ("<script>alert(1)</script><mark>z</mark>", "&lt;script&gt;alert(1)&lt;/script&gt;<mark>z</mark>"),
        ('<mark onclick="x">a</mark>', "&lt;mark onclick=&#34;x&#34;&gt;a</mark>"),
        ("<mark>open", "<mark>open</mark>"),
        ("&amp;lt;b&amp;gt;", "&amp;lt;b&amp;gt;"),
    ],
)
def test_only_marks_survive(engine: str, expected: str) -> None:
    assert str(marked(engine)) == expected


@pytest.mark.parametrize(
    "text",
    [
        'Le <script>alert("x")</script> & l\'OTAN <b onclick=1>vote</b> le scrutin',
        "طنجة &amp; <mark>الناتو</mark> في طنجة",
        "scrutin " * 60 + "<img src=x onerror=alert(1)> scrutin &lt;b&gt;",
    ],
)
def test_akhbars_own_highlights_are_taken_as_they_are_and_mean_what_sanitising_gives(text: str) -> None:
    """The search page inserts the engine's highlights made by akhbar without sanitising them again:
    they are the same text and marks as the sanitised copy (quotes escaped another way), and no tag
    of the original is markup in them. A plain string is still sanitised."""
    wanted = frozenset(("scrutin", "الناتو", "طنج", "otan"))
    for made in (highlight(text, wanted, "fr"), snippet(text, wanted, "fr")):
        assert type(made) is Highlighted and "<mark>" in made
        trusted, sanitised = str(marked(made)), str(marked(str(made)))
        assert trusted == made and html.unescape(trusted) == html.unescape(sanitised)  # as made, same text
        assert re.findall(r"</?mark>", trusted) == re.findall(r"</?mark>", sanitised)
        assert not re.search(r"<(?!/?mark>)", trusted)  # the only tags are the marks
    assert str(marked("<b>x</b>")) == "&lt;b&gt;x&lt;/b&gt;"


def _titles(page: str) -> list[str]:
    return re.findall(r'<a class="title" href="[^"]*">(.*?)</a>', page)


def test_search_pages_hold_twenty_and_keep_query_and_filter(store: Store, client: AsgiClient) -> None:
    """45 matches: pages of 20, 20 and 5, in the order of the engine's own ranking, each linking to
    its neighbours with the query and the language filter kept; a page past the ranking is refused."""
    for n in range(45):
        body = ("Le quadrille des comètes " + "observé " * n + "hier soir.",)
        article = Article(
            title=f"Comète numéro {n}",
            body_paragraphs=body,
            language="fr",
            site_name="Le Ciel",
            url=f"https://ciel.example/comete-{n}",
            published=f"2024-11-{1 + n % 28:02d}T08:{n:02d}:00Z",
        )
        store_article(store, f"comet-{n}", article)
    ranked = search_engine.search(store, "quadrille", filters=SearchFilters(language="fr"), limit=45)
    assert not isinstance(ranked, QueryProblem) and len(ranked.hits) == 45
    expected = [hit.title_html for hit in ranked.hits]

    seen: list[str] = []
    address = "/fr/search?q=quadrille&language=fr"
    for number, size in enumerate((20, 20, 5), start=1):
        page = client.get(address)
        assert page.status_code == 200
        assert len(_results(page.text)) == size
        seen += _titles(page.text)
        first = 20 * (number - 1) + 1
        assert f"Résultats {first} à {first + size - 1} pour" in page.text
        assert f'<ol class="articles results" start="{first}">' in page.text
        previous = re.search(r'<a rel="prev" href="([^"]*)"', page.text)
        following = re.search(r'<a rel="next" href="([^"]*)"', page.text)
        if number == 1:
            assert previous is None
        else:
            back = "/fr/search?q=quadrille&amp;language=fr" + (
                f"&amp;page={number - 1}" if number > 2 else ""
            )
            assert previous is not None and previous.group(1) == back
        if number == 3:
            assert following is None
            break
        assert following is not None
        assert following.group(1) == f"/fr/search?q=quadrille&amp;language=fr&amp;page={number + 1}"
        address = following.group(1).replace("&amp;", "&")
    assert seen == expected, "the pages show the engine's ranking, in order, each result once"

    few = client.get("/fr/search", params={"q": "numéro 7"}).text
    assert "pager" not in few, "one page of results has no pager"
    assert client.get("/fr/search", params={"q": "quadrille", "page": "6"}).status_code == 400
    assert client.get("/fr/search", params={"q": "quadrille", "page": "zéro"}).status_code == 400


def test_a_result_is_made_safe_once_with_its_links() -> None:
    """The page's parts of a result are made in Python (no call from the template per result):
    the title and snippet through :func:`marked`, no snippet and no site as None."""
    from datetime import UTC, datetime

    from akhbar.models import ArticleSummary
    from akhbar.services.portal import Found
    from akhbar.web.presenting import result

    article = ArticleSummary(7, "t", "Le Site/x", None, "fr", None, None, None, None, datetime.now(UTC))
    shown = result(Found(article, "a <mark>b</mark> <img src=x>", "", "ltr"), "ar")
    assert str(shown.title) == "a <mark>b</mark> &lt;img src=x&gt;"
    assert shown.snippet is None and shown.href == "/ar/articles/7"
    assert shown.site_href == "/ar/sources/Le%20Site%2Fx"
    bare = result(Found(replace(article, site_name=None), "t", "<mark>s</mark>", "rtl"), "fr")
    assert bare.site_href is None and str(bare.snippet) == "<mark>s</mark>"
