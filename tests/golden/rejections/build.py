"""Build the non-article pages of this folder from real pages and feeds in ``shared/data``.

There is no real home, tag, error, paywall-stub or empty-shell page among the shared data, so each
one here is made from a real page of the site it imitates: its own head, header, navigation, side
boxes and footer are kept, its article is taken out, and what the site would show instead is put
in. What is put in comes from real material wherever it exists (the site's own teaser cards and
headline links, the site's own paywall notice, a real feed's items); only the short error messages
and the Cercle Psy page's frame are written here. Scripts other than JSON-LD, styles and comments are
dropped to keep the files small; nothing else of the chrome is changed.

Run from the repository root to regenerate: ``uv run python tests/golden/rejections/build.py``.
The result is written to ``cases.json`` (what each page is and why it must be rejected) and one
gzipped HTML file per page (``zcat`` to read one). Origins and licences: see README.md.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
import sys
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from lxml import etree, html

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[3] / "shared" / "data"
FUNDUS, TRAFILATURA, FEEDS = DATA / "pages-fundus", DATA / "pages-trafilatura", DATA / "feeds-miniflux"
ARTICLE_TYPES = ("NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting", "LiveBlogPosting")


def _load(path: Path) -> html.HtmlElement:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return html.document_fromstring(data, parser=html.HTMLParser(encoding="utf-8"))


def _trafilatura_page(url_part: str) -> tuple[str, html.HtmlElement]:
    index = json.loads((TRAFILATURA / "evaldata_fr_ar.json").read_text(encoding="utf-8"))
    url = next(url for url in index if url_part in url)
    return url, _load(TRAFILATURA / "html" / index[url]["file"])


def _drop(elements: list[Any]) -> None:
    for element in elements:
        parent = element.getparent()
        if parent is not None:
            element.drop_tree() if isinstance(element, html.HtmlElement) else parent.remove(element)


def _lighten(tree: html.HtmlElement) -> None:
    """Scripts (but JSON-LD), styles, stylesheet links, comments, inline SVG, iframes, hidden inputs out."""
    _drop(tree.xpath("//script[not(@type='application/ld+json')]"))
    _drop(tree.xpath("//style|//link[@rel='stylesheet' or @rel='preload']|//svg|//iframe"))
    _drop(tree.xpath("//input[@type='hidden']"))  # ASP.NET view state: 100 kB of base64
    _drop(tree.xpath("//comment()"))


def _not_an_article(tree: html.HtmlElement, title: str) -> None:
    """What a page that is not an article says about itself: no article type, date or author."""
    _drop(tree.xpath("//meta[starts-with(@property, 'article:') or @name='author' or @name='date']"))
    for meta in tree.xpath("//meta[@property='og:type']"):
        meta.set("content", "website")
    for meta in tree.xpath("//meta[@property='og:title' or @name='twitter:title']"):
        meta.set("content", title)
    _drop(
        tree.xpath("//meta[@property='og:description' or @name='description' or @name='twitter:description']")
    )
    for script in tree.xpath("//script[@type='application/ld+json']"):
        if any(f'"{kind}"' in (script.text or "") for kind in ARTICLE_TYPES):
            _drop([script])
    for element in tree.xpath("//title"):
        element.text = title


def _replace(target: html.HtmlElement, markup: str) -> None:
    replacement = html.fragment_fromstring(markup, create_parent="div")
    replacement.tail = target.tail
    target.getparent().replace(target, replacement)


def _lbc_without_article(tree: html.HtmlElement, markup: str) -> None:
    """LBCI's article is two rows (heading block, body block): the first becomes ``markup``."""
    body = tree.xpath("//div[contains(@class, 'LongDesc')]")[0]
    _drop(
        [next(row for row in body.iterancestors() if "row-remove-from__loadmore" in (row.get("class") or ""))]
    )
    _replace(tree.xpath("//div[contains(@class, 'article_details_main_container')]")[0], markup)


def _links(tree: html.HtmlElement, min_words: int = 5, limit: int = 24) -> list[tuple[str, str]]:
    """The page's own headline links (text of at least ``min_words`` words), no repeats."""
    found: list[tuple[str, str]] = []
    for anchor in tree.iter("a"):
        text = " ".join(" ".join(anchor.itertext()).split())
        href = anchor.get("href") or ""
        if len(text.split()) >= min_words and href and all(text != seen for seen, _ in found):
            found.append((text, href))
    return found[:limit]


def _save(text: str, name: str) -> None:
    (HERE / name).write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def _write(tree: html.HtmlElement, name: str) -> None:
    _save(etree.tostring(tree, encoding="unicode", method="html", doctype="<!DOCTYPE html>") + "\n", name)


def tag_page_lapresse() -> dict[str, str]:
    """A lapresse.tn tag page: the site's own teaser cards (from the page's side boxes) as the list."""
    _url, tree = _trafilatura_page("lapresse.tn")
    teaser = "//article[contains(concat(' ', @class, ' '), ' with-thumb ') or contains(concat(' ', @class, ' '), ' no-thumb ')]"
    cards = [copy.deepcopy(card) for card in tree.xpath(teaser)]
    _lighten(tree)
    _not_an_article(tree, "Parité Archives - La Presse de Tunisie")
    main = tree.xpath("//article[contains(@class, 'hentry')]")[0]
    listing = html.fragment_fromstring('<div class="archive tag-parite"><h1>Tag : Parité</h1></div>')
    listing.extend(cards)
    listing.tail = main.tail
    main.getparent().replace(main, listing)
    _write(tree, "tag-fr-lapresse.html.gz")
    return {"url": "https://lapresse.tn/tag/parite/", "from": "pages-trafilatura: lapresse.tn.parite.html"}


def home_page_lbc() -> dict[str, str]:
    """LBCI's home page: the site's own headline links from the article page, as teaser cards."""
    tree = _load(FUNDUS / "lb" / "LBCGroup_2026_01_08.html.gz")
    links = _links(tree)
    _lighten(tree)
    _not_an_article(tree, "LBCI Lebanon - أخبار لبنان والعالم")
    cards = "".join(
        f'<div class="news-card"><a href="{escape(href)}"><h3 class="news-card__title">{escape(text)}</h3></a></div>'
        for text, href in links
    )
    _lbc_without_article(tree, cards)
    _write(tree, "home-ar-lbcgroup.html.gz")
    return {"url": "https://www.lbcgroup.tv/", "from": "pages-fundus: lb/LBCGroup_2026_01_08.html.gz"}


def not_found_lbc() -> dict[str, str]:
    """An LBCI article address that no longer exists: the site's chrome around an Arabic error notice."""
    tree = _load(FUNDUS / "lb" / "LBCGroup_2026_01_08.html.gz")
    _lighten(tree)
    _not_an_article(tree, "الصفحة غير موجودة - LBCI Lebanon")
    notice = (
        '<div class="error-page"><h1>الصفحة غير موجودة</h1>'
        "<p>عذراً، الصفحة التي تبحث عنها غير موجودة أو ربما تم نقلها.</p>"
        '<p><a href="/">العودة إلى الصفحة الرئيسية</a></p></div>'
    )
    _lbc_without_article(tree, notice)
    _write(tree, "404-ar-lbcgroup.html.gz")
    return {
        "url": "https://www.lbcgroup.tv/news/lebanon/898000/ar",
        "from": "pages-fundus: lb/LBCGroup_2026_01_08.html.gz",
    }


def not_found_figaro() -> dict[str, str]:
    """A Le Figaro article address that no longer exists: the site's chrome around a French notice."""
    tree = _load(FUNDUS / "fr" / "LeFigaro_2024_11_22.html.gz")
    _lighten(tree)
    _not_an_article(tree, "Page introuvable | Le Figaro")
    notice = (
        '<div class="fig-error"><h1>Oups ! Cette page est introuvable</h1>'
        "<p>La page que vous recherchez n’existe pas ou a été déplacée.</p>"
        '<p><a href="https://www.lefigaro.fr/">Retourner à la page d’accueil du Figaro</a></p></div>'
    )
    # The main column (breadcrumb, article, recommendations, tags), the article's sticky title bar and
    # its comments go; the side column, "à lire aussi" lists and the footer stay.
    _drop(tree.xpath("//div[contains(@class, 'fig-tabbar')]|//div[contains(@class, 'fig-comments')]"))
    _replace(tree.xpath("//div[@class='fig-main']")[0], notice)
    _write(tree, "404-fr-lefigaro.html.gz")
    return {
        "url": "https://www.lefigaro.fr/international/guerre-en-ukraine-article-supprime-20241122",
        "from": "pages-fundus: fr/LeFigaro_2024_11_22.html.gz",
    }


def paywall_stub_lemonde() -> dict[str, str]:
    """A Le Monde subscriber article served with its first paragraph only, then the site's notice."""
    tree = _load(FUNDUS / "fr" / "LeMonde_2023_09_01.html.gz")
    _lighten(tree)
    content = tree.xpath("//article[contains(@class, 'article__content')]")[0]
    paragraphs = content.xpath(".//p[contains(@class, 'article__paragraph')]")
    words = [len(p.text_content().split()) for p in paragraphs]
    # The real page shows part of the article and says how much is left ("Il vous reste 57.09% ...");
    # with its first paragraph alone, what is left is the rest of the article.
    notice_text = content.xpath("string(.//p[contains(., 'Il vous reste')])")
    shown = 100 - float(re.search(r"(\d+(?:\.\d+)?)\s?%", notice_text).group(1))
    share = 100 - shown * words[0] / sum(words)
    for element in list(content):
        if element is not paragraphs[0] and element.tag != "figure":
            content.remove(element)
    notice = html.fragment_fromstring(
        f"<p><strong>Il vous reste {share:.2f}% de cet article à lire. La suite est réservée aux abonnés."
        "</strong></p>"
    )
    content.append(notice)
    _write(tree, "paywall-fr-lemonde.html.gz")
    return {
        "url": "https://www.lemonde.fr/politique/article/2023/08/30/sophie-binet-met-en-garde-emmanuel-macron"
        "-sur-la-gravite-de-la-situation-dans-le-pays_6187099_823448.html",
        "from": "pages-fundus: fr/LeMonde_2023_09_01.html.gz",
    }


def _shell(source: str, name: str) -> None:
    """A Euronews article as a script-rendered app would serve it: the real head, an empty mount point."""
    tree = _load(FUNDUS / "fr" / source)
    _lighten(tree)
    body = tree.body
    for child in list(body):
        body.remove(child)
    body.text = None
    shell = (
        '<div><div id="app" data-page="article"></div>'
        "<noscript>Veuillez activer JavaScript pour afficher ce site.</noscript>"
        '<script src="/build/js/app.js" defer></script></div>'
    )
    body.extend(html.fragment_fromstring(shell))
    _write(tree, name)


def empty_shell_euronews() -> dict[str, str]:
    """A shell whose head has meta tags but no article text (its JSON-LD has no ``articleBody``)."""
    _shell("EuronewsFR_2026_01_06.html.gz", "shell-fr-euronews.html.gz")
    return {
        "url": "https://fr.euronews.com/culture/2026/01/06/just-coup-it-le-survetement-nike-de-nicolas-maduro"
        "-devient-une-sensation-virale-inattendue",
        "from": "pages-fundus: fr/EuronewsFR_2026_01_06.html.gz",
    }


def shell_with_json_ld_body() -> dict[str, str]:
    """The same kind of shell, but its head's JSON-LD carries the whole ``articleBody``: an article."""
    _shell("EuronewsFR_2024_04_30.html.gz", "shell-ldbody-fr-euronews.html.gz")
    return {
        "url": "https://fr.euronews.com/green/2024/04/30/comment-les-efforts-europeens-ont-permis-de-sauver"
        "-le-merlu-de-lextinction",
        "from": "pages-fundus: fr/EuronewsFR_2024_04_30.html.gz",
    }


def home_page_cercle_psy() -> dict[str, str]:
    """Le Cercle Psy's home page: its real RSS items (title, link, summary, date) as teasers."""
    # The feed is ISO-8859-1 and does not say so (the case miniflux keeps it for).
    feed = ElementTree.fromstring((FEEDS / "no_encoding_ISO-8859-1.xml").read_bytes().decode("iso-8859-1"))
    channel = feed.find("channel")
    assert channel is not None
    site = channel.findtext("title", "").replace("Flux RSS du magazine de psychologie ", "")
    teasers = []
    for item in channel.iter("item"):
        link, title = item.findtext("link", ""), item.findtext("title", "")
        summary, when = item.findtext("description", ""), item.findtext("pubDate", "")
        teasers.append(
            f'<div class="teaser"><h2><a href="{escape(link)}">{escape(title)}</a></h2>'
            f'<p class="teaser__date">{when}</p><p>{escape(summary)}</p>'
            f'<a class="more" href="{escape(link)}">Lire la suite</a></div>'
        )
    sections = ("Enfance", "Adolescence", "Couple", "Travail", "Santé mentale", "Neurosciences")
    menu = "".join(f'<li><a href="/{name.lower()}">{name}</a></li>' for name in sections)
    page = (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{site} - Accueil</title>'
        f'<meta property="og:type" content="website"><meta property="og:site_name" content="{site}"></head>'
        f'<body><header><a href="/">{site}</a><nav><ul>{menu}</ul></nav></header>'
        f"<main><h1>À la une</h1>{''.join(teasers)}</main>"
        f"<footer><p>{escape(channel.findtext('description', ''))}</p></footer></body></html>"
    )
    _save(page + "\n", "home-fr-lecerclepsy.html.gz")
    return {
        "url": "https://le-cercle-psy.scienceshumaines.com/",
        "from": "feeds-miniflux: no_encoding_ISO-8859-1.xml",
    }


BUILDERS: dict[str, tuple[str, str, Callable[[], dict[str, str]]]] = {
    "tag-fr-lapresse.html.gz": ("tag", "fr", tag_page_lapresse),
    "home-ar-lbcgroup.html.gz": ("home", "ar", home_page_lbc),
    "home-fr-lecerclepsy.html.gz": ("home", "fr", home_page_cercle_psy),
    "404-ar-lbcgroup.html.gz": ("not_found", "ar", not_found_lbc),
    "404-fr-lefigaro.html.gz": ("not_found", "fr", not_found_figaro),
    "paywall-fr-lemonde.html.gz": ("paywall", "fr", paywall_stub_lemonde),
    "shell-fr-euronews.html.gz": ("empty", "fr", empty_shell_euronews),
    "shell-ldbody-fr-euronews.html.gz": ("article", "fr", shell_with_json_ld_body),
}


def main() -> int:
    if not DATA.is_dir():
        print(f"no shared data at {DATA}", file=sys.stderr)
        return 1
    cases = {}
    for name, (kind, language, build) in BUILDERS.items():
        cases[name] = {"kind": kind, "language": language, **build()}
    (HERE / "cases.json").write_text(json.dumps(cases, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
