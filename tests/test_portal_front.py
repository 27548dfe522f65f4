"""The front page, story and article pages over a newsroom's worth of news (tests/design_fixtures.py):
each story once, cards that say how far a story went, times in the configured zone, most read
counted privately, pages revalidated after an editor's change. SQLite and PostgreSQL alike."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from akhbar.config import ConfigError, load_settings
from akhbar.models import Article, Document
from akhbar.services import breaking, reads
from akhbar.store import Store, documents
from akhbar.store.articles import get_article, upsert_article
from akhbar.store.tables import article_reads
from akhbar.web.fragments import FragmentCache
from conftest import AsgiClient, app_client
from design_fixtures import Newsroom, fill


@pytest.fixture
def newsroom(store: Store, tmp_path: Path) -> Newsroom:
    return fill(store, tmp_path / "photos")


@pytest.fixture
def client(store: Store, newsroom: Newsroom) -> AsgiClient:
    return app_client(store, pictures=newsroom.picture)


def _block(page: str, marker: str) -> str:
    """The section starting at ``marker``, with babel's no-break spaces ("30\u00a0min") as spaces."""
    start = page.index(marker)
    return page[start : page.index("</section>", start)].replace("\u00a0", " ").replace("\u202f", " ")


def _headlines(page: str) -> list[str]:
    """The headlines linked outside the ticker (a moving strip) and the breaking bar."""
    main = page[page.index('<div class="front">') :]
    return re.findall(r'<a (?:class="title" )?href="/\w\w/(?:articles|stories)/\w+"[^>]*>([^<]+)</a>', main)


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_no_headline_twice_on_the_front_page(client: AsgiClient, language: str) -> None:
    page = client.get(f"/{language}/").text
    headlines = _headlines(page)
    assert len(headlines) >= 12, headlines
    assert len(headlines) == len(set(headlines)), [h for h in headlines if headlines.count(h) > 1]


@pytest.mark.parametrize(
    ("language", "reach", "first", "ago"),
    [
        ("ar", "3 لغات · 5 مصادر", "أولاً:", "منذ 30 دقيقة"),
        ("fr", "3 langues · 5 sources", "en premier :", "il y a 30 min"),
        ("en", "3 languages · 5 sources", "first:", "30 min ago"),
    ],
)
def test_cards_say_languages_sources_first_and_how_long_ago(
    client: AsgiClient, language: str, reach: str, first: str, ago: str
) -> None:
    lead = _block(client.get(f"/{language}/").text, "story-lead")
    assert reach in lead
    assert f"{first} <bdi>هسبريس</bdi>" in lead, "Hespress published the tramway story first"
    assert ago in lead, "the newest article of the story, 30 minutes ago"
    assert f'href="/{language}/stories/101"' in lead


def test_the_lead_is_in_the_reader_language_with_its_photo(client: AsgiClient, newsroom: Newsroom) -> None:
    french = _block(client.get("/fr/").text, "story-lead")
    assert "Rabat : une troisième ligne de tramway vers Témara" in french
    assert 'srcset="/test-photos/tram_fr2-480.png 480w' in french, "the French headline's own photo"
    assert 'width="960" height="640"' in french and 'fetchpriority="high"' in french
    english = _block(client.get("/en/").text, "story-lead")
    assert "Rabat&#39;s tramway to reach Temara" in english and "tram_en-960.png" in english


def test_a_card_without_a_photo_is_clean(client: AsgiClient, newsroom: Newsroom) -> None:
    page = client.get("/fr/").text
    card = page[page.index("À l’ONU") - 600 : page.index("À l’ONU") + 400]
    assert "<img" not in card and "<figure" not in card
    article = client.get(f"/fr/articles/{newsroom.ids['rate_ar']}").text
    assert "<img" not in article and "<figcaption" not in article


def test_article_page_photo_attribution_and_related(client: AsgiClient, newsroom: Newsroom) -> None:
    page = client.get(f"/fr/articles/{newsroom.ids['tram_en']}").text
    assert '<figcaption><span dir="auto">The Rabat-Salé tramway at Bab El Had</span>' in page
    assert "© Morocco World News" in page
    attribution = page[
        page.index('class="attribution"') : page.index("</div>", page.index('class="attribution"'))
    ]
    assert (
        f'Publié en premier par <a href="/fr/articles/{newsroom.ids["tram_ar"]}"><bdi>هسبريس</bdi></a>'
        in (attribution)
    )
    assert "(heure : Maroc)" in attribution, "the time is labelled with its zone"
    assert 'href="https://www.moroccoworldnews.com/society/rabat-tram/"' in attribution
    coverage = _block(page, 'class="coverage"')
    assert all(f"/fr/articles/{newsroom.ids[k]}" in coverage for k in ("tram_ar", "tram_fr", "tram_fr2"))
    related = _block(page, 'class="related"')
    assert f"/fr/articles/{newsroom.ids['rain_fr']}" in related, "another story of the section, in French"
    assert f"/fr/articles/{newsroom.ids['rain_ar']}" not in related, "once per story"
    assert "tram" not in related


def test_articles_of_a_section_share_their_related_rail_until_the_data_changes(
    client: AsgiClient, store: Store, newsroom: Newsroom
) -> None:
    """The rail is rendered once per data version and minute for the section's articles (a kept
    fragment), and an edit to one of its articles shows on the next page."""
    first = _block(client.get(f"/fr/articles/{newsroom.ids['tram_en']}").text, 'class="related"')
    second = _block(client.get(f"/fr/articles/{newsroom.ids['tram_fr']}").text, 'class="related"')
    assert first == second and f"/fr/articles/{newsroom.ids['rain_fr']}" in first
    kept = next(e for e in client.app.state.pages.env.extensions.values() if isinstance(e, FragmentCache))  # type: ignore[attr-defined]  # the app under test
    assert any('class="related"' in str(block) for block in kept.blocks.values()), "the rail is kept"
    with store.reading() as connection:
        stored = get_article(connection, newsroom.ids["rain_fr"])
    assert stored is not None
    edited = replace(stored.article, title="Alerte météo : le titre corrigé")
    with store.transaction() as connection:  # the page fetched again, changed: a new raw document
        raw_id = documents.insert_raw(connection, Document(location="test:design:rain_fr", data=b"v2"), None)
        article_id, created = upsert_article(connection, "test:design:rain_fr", raw_id, edited, None)
    assert (article_id, created) == (newsroom.ids["rain_fr"], False), "edited in place"
    again = _block(client.get(f"/fr/articles/{newsroom.ids['tram_en']}").text, 'class="related"')
    assert "Alerte météo : le titre corrigé" in again


def test_story_page_shows_languages_copies_chart_and_breaking_reason(
    client: AsgiClient, newsroom: Newsroom
) -> None:
    page = client.get("/fr/stories/101").text
    columns = re.findall(r'<h3 id="column-(\w+)"', page)
    assert columns == ["ar", "fr", "en"]
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert chart.count("<circle") == 5, "one dot per source joining the story"
    assert 'role="img"' in chart and "Nombre de sources au fil du temps" in chart
    assert page.count("badge-first") == 1
    copy = page[page.index("badge-copy") - 900 : page.index("badge-copy") + 200]
    assert f"/fr/articles/{newsroom.ids['tram_copy']}" in copy and "reprise · <bdi>هسبريس</bdi>" in copy
    assert "badge-breaking" not in page
    lions = client.get("/fr/stories/103").text
    assert "Urgent" in lions and "signalé par la rédaction" in lions
    detected = client.get(f"/ar/stories/a{newsroom.ids['gov_ar']}").text
    assert "رُصد آلياً: نشرته مصادر عديدة في دقائق" in detected


def test_breaking_bar_is_one_line_with_a_hide_button(client: AsgiClient) -> None:
    bar = _block(client.get("/ar/").text, 'class="breaking"')
    assert "الأخبار العاجلة" in bar
    assert bar.count("<li ") == 2, "the editor's flag and the detected one"
    assert 'class="breaking-close" hidden' in bar, "shown by the script, which can hide the bar"


def test_reads_are_counted_in_batches_without_touching_the_page_cache(
    store: Store, newsroom: Newsroom
) -> None:
    counter = reads.ReadCounter(store, flush_every=3600, flush_at=3)
    client = app_client(store, pictures=newsroom.picture)
    client.app.state.pages.reads = counter
    home = client.get("/fr/")
    path = f"/fr/articles/{newsroom.ids['opinion_fr']}"
    assert client.get(path).status_code == 200
    etag = client.get(path).headers["etag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304, "a reload is a read too"
    assert client.get(path, headers={"Sec-Purpose": "prefetch"}).status_code == 200, "not a read"
    assert client.get("/fr/articles/999999").status_code == 404
    counted = {a.id: n for a, n in reads.most_read(store, limit=10)}
    assert counted[newsroom.ids["opinion_fr"]] == 3, "written as one batch of three"
    again = client.get("/fr/", headers={"If-None-Match": home.headers["etag"]})
    assert again.status_code == 304, "reads do not change what the cached page is"


def test_most_read_block(client: AsgiClient, newsroom: Newsroom) -> None:
    block = _block(client.get("/ar/").text, 'class="most-read"')
    order = [int(i) for i in re.findall(r'href="/ar/articles/(\d+)"', block)]
    expected = [newsroom.ids[k] for k in ("health_ar", "festival_fr", "world_ar", "tech_en", "eco_ar")]
    assert order == [i for i in expected if i in order][:5] and len(order) >= 3
    assert order[0] == newsroom.ids["health_ar"]


def test_counts_outside_the_window_are_left_out(store: Store, newsroom: Newsroom) -> None:
    old = reads.hour_of(datetime.now(UTC) - timedelta(days=3))
    from akhbar.store import reads as rows

    with store.transaction() as connection:
        rows.add_reads(connection, old, {newsroom.ids["sport_en"]: 1000, 999999: 5})
    top = [a.id for a, _ in reads.most_read(store, limit=10)]
    assert newsroom.ids["sport_en"] not in top, "three days ago is not in the last 48 hours"


def _reads_of(store: Store, hour: int | None = None) -> dict[int, int]:
    """Reads stored per article in ``hour`` (in all hours when None)."""
    c = article_reads.c
    query = sa.select(c.article_id, sa.func.sum(c.reads)).group_by(c.article_id)
    with store.reading() as connection:
        found = connection.execute(query if hour is None else query.where(c.hour == hour))
        return {int(i): int(n) for i, n in found}


def _in_story(
    store: Store,
    story_id: int,
    n: int,
    words: tuple[str, str],
    published: datetime | None,
    language: str = "fr",
) -> int:
    """Article ``n`` of story ``story_id``, from a site of its own (``Site n``): ``words`` are the
    beginnings of its title and its text, each ended with ``n``."""
    from portal_fixtures import store_article

    title, text = words
    article = Article(
        f"{title} {n}",
        (f"{text} {n}.",),
        language,
        url=f"https://site{n}.example/{story_id}/{n}",
        site_name=f"Site {n}",
        published=published.isoformat(timespec="seconds") if published else None,
        story_id=story_id,
    )
    return store_article(store, f"story-{story_id}-{n}", article)


def test_an_article_of_a_large_story_lists_its_first_ten_other_sources(
    client: AsgiClient, store: Store
) -> None:
    """However large the story: 120 sources here, the first twenty of them to publish stored last (a
    page that read the newest hundred would neither list them nor name the first), two undated."""
    base = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    words = (
        "Le sommet africain de l'eau, dépêche",
        "Les délégations de quinze pays se réunissent à Rabat, n°",
    )

    def stored(n: int, published: datetime | None) -> int:
        return _in_story(store, 777, n, words, published)

    undated = [stored(n, None) for n in (200, 201)]
    late = {n: stored(n, base + timedelta(minutes=n)) for n in range(20, 120)}
    early = {n: stored(n, base + timedelta(minutes=n)) for n in range(20)}
    page = client.get(f"/fr/articles/{late[60]}").text
    coverage = _block(page, 'class="coverage"')
    listed = [int(i) for i in re.findall(r'href="/fr/articles/(\d+)"', coverage)]
    assert listed == [early[n] for n in range(10)], "the ten that published it first"
    assert 'href="/fr/stories/777"' in coverage, "all of them on the story's page"
    first = page[page.index("Publié en premier par") :]
    assert first.startswith(f'Publié en premier par <a href="/fr/articles/{early[0]}"><bdi>Site 0</bdi>')
    alone = client.get(f"/fr/articles/{early[0]}").text
    assert "Publié en premier par" not in alone, "the first names no other"
    last = client.get(f"/fr/articles/{undated[0]}").text
    listed = [int(i) for i in re.findall(r'href="/fr/articles/(\d+)"', _block(last, 'class="coverage"'))]
    assert listed == [early[n] for n in range(10)], "an undated article lists the dated first"


def test_a_story_read_in_part_still_names_its_first_publisher(
    client: AsgiClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A story's page reads its newest articles (500), the front page a share of 200 per top story:
    in a story larger than that, the first to publish it is added to what was read. Here the reads
    are made smaller than the story (5, and 1 per top story: the story's newest then fill it), whose
    first source is stored last."""
    from akhbar.services import frontpage, portal

    monkeypatch.setattr(portal, "STORY_READ", 5)
    monkeypatch.setattr(frontpage, "MEMBERS_READ", 1)
    base = datetime.now(UTC) - timedelta(minutes=30)
    words = ("Inondations à Tétouan, dépêche", "Les pluies ont fait déborder l'oued Martil, selon la dépêche")

    def stored(n: int) -> int:
        return _in_story(store, 888, n, words, base + timedelta(minutes=n))

    for n in range(1, 9):
        stored(n)
    first = stored(0)
    page = client.get("/fr/stories/888").text
    assert 'Publié en premier par <bdi class="site">Site 0</bdi>' in page
    assert f'href="/fr/articles/{first}"' in page
    api = client.get("/api/v1/stories/888").json()
    assert api["first_published"]["article_id"] == first
    home = client.get("/fr/").text
    assert '<span class="first-by">en premier : <bdi>Site 0</bdi></span>' in home


def test_a_story_read_in_part_counts_all_its_articles(
    client: AsgiClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A story larger than its page's read (made 5 here) is listed in part, and counted whole: its
    articles, sites and languages, each language's count, its chart of sources over time, its JSON
    and its card on the front page (whose read is made 1 per top story)."""
    from akhbar.services import frontpage, portal

    monkeypatch.setattr(portal, "STORY_READ", 5)
    monkeypatch.setattr(frontpage, "MEMBERS_READ", 1)
    base = datetime.now(UTC) - timedelta(hours=3)
    french = (
        "Séisme au large d'Agadir, dépêche",
        "Une secousse a été ressentie sur la côte, selon la dépêche",
    )
    arabic = ("زلزال قبالة أكادير، برقية", "شعر السكان بهزة أرضية على الساحل حسب البرقية")

    def stored(n: int, language: str) -> int:
        words = french if language == "fr" else arabic
        return _in_story(store, 999, n, words, base + timedelta(minutes=5 * n), language)

    for n in range(30):
        stored(n, "fr" if n < 20 else "ar")
    page = client.get("/fr/stories/999").text
    head = _block(page, 'class="story-head"')
    assert "2 langues · 30 sources" in head and "30 articles" in head
    assert "seuls les 5 plus récents sont listés ici" in head
    counts = re.findall(r'<span class="count">(\d+)</span>', page)
    assert counts == ["10", "20"], "Arabic: 10 articles, 5 of them listed; French: 20, 1 listed"
    columns = page[page.index('class="coverage-columns"') : page.index("</main>")]
    listed = re.findall(r'href="/fr/articles/(\d+)"', columns)
    chart = _block(page, 'class="chart-figure"')
    assert chart.count("<circle") == 30, "a step for each site, the earliest too"
    api = client.get("/api/v1/stories/999").json()
    assert api["sites"] == [f"Site {n}" for n in range(30)]
    assert api["languages"] == ["fr", "ar"]
    assert api["article_count"] == 30 and len(api["articles"]) == 7
    home = client.get("/fr/").text
    assert "2 langues · 30 sources" in home
    assert '<h1 lang="fr" dir="ltr">Séisme au large d&#39;Agadir, dépêche 19</h1>' in page, (
        "its newest French article heads it for a French reader, listed too"
    )
    assert len(listed) == 7, "the newest 5, the newest in French and the first"
    arabic = client.get("/ar/stories/999").text
    assert "لا يُعرض هنا إلا أحدث 5 منها" in arabic
    assert "زلزال قبالة أكادير، برقية 29</h1>" in arabic


def test_a_story_read_in_part_pages_through_its_older_coverage(
    client: AsgiClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past its page's read (made 5 here), a story's page links to its older coverage, 5 at a time,
    until every article has been listed once; each older page keeps the story's headline and
    totals and links back to the newest."""
    from akhbar.services import portal

    monkeypatch.setattr(portal, "STORY_READ", 5)
    base = datetime.now(UTC) - timedelta(hours=3)
    words = (
        "Grève des transports à Casablanca, dépêche",
        "Les bus et le tramway sont restés au dépôt, dépêche",
    )
    ids = [_in_story(store, 555, n, words, base + timedelta(minutes=5 * n)) for n in range(12)]

    def listed(page: str) -> list[int]:
        columns = page[page.index('class="coverage-columns"') : page.index("</main>")]
        return [int(i) for i in re.findall(r'class="title" href="/fr/articles/(\d+)"', columns)]

    def older_link(page: str) -> str | None:
        found = re.search(
            r'<a rel="next" href="(/fr/stories/555\?older=[^"]+)">Couverture plus ancienne</a>', page
        )
        return found.group(1) if found else None

    page = client.get("/fr/stories/555").text
    assert listed(page) == [ids[0], *ids[7:]], "the first, then the newest 5"
    seen = set(listed(page))
    pages = 0
    link = older_link(page)
    while link is not None:
        older = client.get(link.replace("&amp;", "&"))
        assert older.status_code == 200
        text = older.text
        pages += 1
        assert "sa couverture plus ancienne est listée ici" in text and "12 articles" in text
        assert "Grève des transports à Casablanca, dépêche 11</h1>" in text, "the story's headline"
        assert '<a rel="prev" href="/fr/stories/555">Couverture la plus récente</a>' in text
        seen.update(listed(text))
        link = older_link(text)
    assert pages == 2 and seen == set(ids), "7 older articles in two pages, each listed"
    assert client.get("/fr/stories/555?older=not-a-cursor").status_code == 400


def test_a_batch_of_reads_is_added_whole_whatever_its_size(store: Store, newsroom: Newsroom) -> None:
    """A process's batch holds up to :data:`reads.FLUSH_AT` articles, written in one statement: more
    ids than a statement may bind one by one (SQLite: 32,766), ids of deleted articles left out,
    counts added to the hour's earlier ones."""
    from akhbar.store import reads as rows

    hour = reads.hour_of() + 1000  # an hour of its own
    known = [newsroom.ids["sport_en"], newsroom.ids["eco_ar"]]
    counts = dict.fromkeys(range(10_000_000, 10_040_000), 1)  # no such articles
    counts.update({known[0]: 7, known[1]: 2})
    with store.transaction() as connection:
        rows.add_reads(connection, hour, counts)
        rows.add_reads(connection, hour, {known[0]: 5})
    assert _reads_of(store, hour) == {known[0]: 12, known[1]: 2}


def test_an_article_page_the_front_cache_gives_again_counts_a_read(store: Store, newsroom: Newsroom) -> None:
    """Behind the front cache (as ``akhbar serve`` runs the app) a page asked for again is given
    without its route: each time is still a read (a prefetch is not)."""
    from akhbar.web import create_app
    from akhbar.web.serving import served

    app = create_app(store, cache_ttl=60, pictures=newsroom.picture)
    counter = app.state.pages.reads = reads.ReadCounter(store, flush_every=3600, flush_at=1_000_000)
    client = AsgiClient(served(app))
    path = f"/fr/articles/{newsroom.ids['rain_fr']}"
    for _ in range(3):
        assert client.get(path).status_code == 200
    assert client.get(path, headers={"Sec-Purpose": "prefetch"}).status_code == 200
    assert counter.flush() == 3


def test_a_server_stopping_writes_the_reads_it_counted(store: Store, newsroom: Newsroom) -> None:
    """The ASGI lifespan's shutdown (what uvicorn sends on a clean stop) writes the pending batch."""
    import asyncio

    client = app_client(store, pictures=newsroom.picture)
    client.app.state.pages.reads = reads.ReadCounter(store, flush_every=3600, flush_at=1000)
    article = newsroom.ids["opinion_fr"]
    before = _reads_of(store).get(article, 0)
    assert client.get(f"/fr/articles/{article}").status_code == 200
    assert _reads_of(store).get(article, 0) == before, "counted, not written yet"
    events = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return events.pop(0)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    asyncio.run(client.app(scope, receive, send))  # type: ignore[operator]  # the app is ASGI
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert _reads_of(store)[article] == before + 1


def test_the_counter_writes_a_batch_once_it_holds_flush_at_reads(store: Store, newsroom: Newsroom) -> None:
    counter = reads.ReadCounter(store, flush_every=3600, flush_at=4)
    article, other = newsroom.ids["tech_en"], newsroom.ids["world_ar"]
    before = _reads_of(store)
    assert [counter.add(article) for _ in range(3)] == [False, False, False]
    assert counter.add(other), "the fourth read makes a batch due"
    assert not counter.add(article), "due once, until written"
    assert counter.flush() == 5
    assert counter.flush() == 0, "nothing left to write"
    after = _reads_of(store)
    assert after[article] - before.get(article, 0) == 4 and after[other] - before.get(other, 0) == 1


def test_the_most_read_are_summed_again_once_a_minute_at_most(store: Store, newsroom: Newsroom) -> None:
    """The home pages of every language share one sum of the last two days' reads, kept ``every``
    seconds (a minute when served), then summed again."""
    from akhbar.store import reads as rows

    kept = reads.MostRead(store, every=0.5)
    first = kept.top(5)
    assert first and first[0][0].id == newsroom.ids["health_ar"]
    with store.transaction() as connection:
        rows.add_reads(connection, reads.hour_of(), {newsroom.ids["sport_en"]: 10_000})
    assert kept.top(5) == first, "kept"
    time.sleep(0.6)
    assert kept.top(5)[0][0].id == newsroom.ids["sport_en"], "summed again once it is older"
    with store.transaction() as connection:
        rows.add_reads(connection, reads.hour_of(), {newsroom.ids["festival_fr"]: 20_000})
    assert kept.top(3)[0][0].id == newsroom.ids["festival_fr"], "another length: summed at once"


def test_an_article_taken_off_leaves_the_kept_most_read_at_once(store: Store, newsroom: Newsroom) -> None:
    """The counts are kept a minute; the articles are not: one withdrawn (or retitled) in that
    minute is gone from (or renamed in) the block on the next render, as on every other page.
    (A withdrawal deletes the article's row, as :func:`akhbar.store.articles.delete_by_key` does.)"""
    from akhbar.store import articles as article_rows

    kept = reads.MostRead(store, every=3600)
    top, retitled = kept.top(5)[:2]
    with store.transaction() as connection:
        connection.execute(sa.delete(article_rows.articles).where(article_rows.articles.c.id == top[0].id))
        connection.execute(
            sa.update(article_rows.articles)
            .where(article_rows.articles.c.id == retitled[0].id)
            .values(title="Titre corrigé")
        )
    again = kept.top(5)
    assert top[0].id not in [a.id for a, _ in again], "withdrawn: left out before the counts are summed again"
    assert again[0] == (replace(retitled[0], title="Titre corrigé"), retitled[1]), "as stored now"


def test_the_most_read_sum_walks_one_covering_index(store: Store) -> None:
    """Migration 0025: no read of the table beside the index for each hourly count."""
    from akhbar.store import reads as rows

    with store.reading() as connection:
        query = rows.most_read_query(reads.hour_of() - reads.WINDOW_HOURS, limit=5)
        if store.dialect == "sqlite":
            sql = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
            plan = " ".join(row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "COVERING INDEX ix_article_reads_totals" in plan, plan
        indexes = {index["name"] for index in sa.inspect(connection).get_indexes("article_reads")}
    assert "ix_article_reads_totals" in indexes


def test_a_reload_after_an_editor_flags_breaking_news_shows_it(
    client: AsgiClient, newsroom: Newsroom
) -> None:
    first = client.get("/en/")
    assert first.headers["cache-control"] == "public, no-cache"
    breaking.flag_article(
        client.app.state.store, newsroom.ids["tech_en"], datetime.now(UTC) + timedelta(hours=1)
    )
    reload = client.get("/en/", headers={"If-None-Match": first.headers["etag"]})
    assert reload.status_code == 200, "the old page is not kept"
    assert "Moroccan startups raised" in _block(reload.text, 'class="breaking"')


@pytest.mark.parametrize(
    ("zone", "label", "clock"),
    [
        ("Africa/Casablanca", "heure : Maroc", "+01:00"),
        ("UTC", "UTC", "+00:00"),
        ("Asia/Tokyo", "heure : Japon", "+09:00"),
    ],
)
def test_times_are_written_in_the_configured_zone(store: Store, zone: str, label: str, clock: str) -> None:
    from portal_fixtures import populate

    data = populate(store)
    settings = load_settings({"timezone": zone}, environ={}, config_file=Path("/nonexistent"))
    client = app_client(store, settings=settings)
    page = client.get(f"/fr/articles/{data.story_en}").text  # published 12:00 UTC
    hour = {"+01:00": "13:00", "+00:00": "12:00", "+09:00": "21:00"}[clock]
    assert f"18 octobre 2024, {hour}" in page
    assert f"Les heures sont données en {label}." in page


def test_timezone_setting_is_validated() -> None:
    assert load_settings(environ={}, config_file=Path("/nonexistent")).timezone == "Africa/Casablanca"
    with pytest.raises(ConfigError, match=r"timezone.*IANA"):
        load_settings({"timezone": "Mars/Olympus"}, environ={}, config_file=Path("/nonexistent"))
    with pytest.raises(ConfigError, match="timezone"):
        load_settings(environ={"AKHBAR_TIMEZONE": "../../etc/passwd"}, config_file=Path("/nonexistent"))


def test_a_due_batch_is_asked_for_once(store: Store, newsroom: Newsroom) -> None:
    counter = reads.ReadCounter(store, flush_every=3600, flush_at=2)
    article = newsroom.ids["sport_en"]
    assert [counter.add(article) for _ in range(4)] == [False, True, False, False], "one flush per batch"
    assert counter.flush() == 4 and counter.flush() == 0
    assert [counter.add(article) for _ in range(2)] == [False, True]


def test_a_copy_is_listed_once_on_its_original_page(client: AsgiClient, newsroom: Newsroom) -> None:
    page = client.get(f"/ar/articles/{newsroom.ids['tram_ar']}").text
    copy = f'href="/ar/articles/{newsroom.ids["tram_copy"]}"'
    assert copy in _block(page, 'class="copies"'), "named as the copy it is"
    assert copy not in _block(page, 'class="coverage"'), "and not again as other coverage"
    assert page.count(copy) == 1
