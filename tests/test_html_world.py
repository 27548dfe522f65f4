"""HTML extraction beyond French and Arabic: causes found on pages-fundus-world, as small pages."""

from __future__ import annotations

from datetime import UTC, datetime

from akhbar.extract.html import extract_html
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
