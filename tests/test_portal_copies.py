"""Syndicated copies are listed once ("also in N sources"), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import re

import feedparser
import pytest

from akhbar.services import portal
from akhbar.store import Store
from akhbar.store import portal as queries
from conftest import AsgiClient
from portal_fixtures import (
    ROUNDUP_TITLE,
    SYNDICATED_TITLE,
    PortalData,
    Syndicated,
    add_roundup,
    add_syndicated,
    populate,
)


@pytest.fixture
def data(store: Store) -> tuple[PortalData, Syndicated]:
    return populate(store), add_syndicated(store)


def _ids(listing: dict[str, object]) -> list[int]:
    articles = listing["articles"]
    assert isinstance(articles, list)
    return [int(a["id"]) for a in articles]


def test_lists_keep_the_original_and_name_the_other_sites(
    store: Store, data: tuple[PortalData, Syndicated]
) -> None:
    _, text = data
    found = portal.listing(store, portal.Filters(language="ar"))
    shown = [a.id for a in found.items if a.title == SYNDICATED_TITLE]
    assert shown == [text.original]
    also = found.also_in[text.original]
    assert also.sites == ("هسبريس", "الصباح"), "other sites, earliest first, each once"
    assert [c.id for c in also.copies] == list(text.copies)
    assert all(a.id not in found.also_in for a in found.items if a.title != SYNDICATED_TITLE)


def test_a_site_lists_its_own_first_copy(store: Store, data: tuple[PortalData, Syndicated]) -> None:
    _, text = data
    hespress = portal.listing(store, portal.Filters(site_name="هسبريس"))
    copies = [a.id for a in hespress.items if a.title == SYNDICATED_TITLE]
    assert copies == [text.copy_hespress], (
        "the agency's original is not Hespress's; its second copy is hidden"
    )
    assert hespress.also_in[text.copy_hespress].sites == ("وكالة المغرب العربي للأنباء", "الصباح")
    since = portal.listing(store, portal.Filters(since="2024-11-04T10:30:00+01:00"))
    assert [a.id for a in since.items if a.title == SYNDICATED_TITLE] == [text.copy_assabah]


def test_api_collapses_unless_asked(client: AsgiClient, data: tuple[PortalData, Syndicated]) -> None:
    _, text = data
    collapsed = client.get("/api/v1/articles").json()
    assert text.original in _ids(collapsed)
    assert not set(text.copies) & set(_ids(collapsed))
    original = next(a for a in collapsed["articles"] if a["id"] == text.original)
    assert original["also_in"]["sites"] == ["هسبريس", "الصباح"]
    assert [c["id"] for c in original["also_in"]["copies"]] == list(text.copies)
    everything = client.get("/api/v1/articles", params={"copies": "include"}).json()
    assert {text.original, *text.copies} <= set(_ids(everything))
    assert all("also_in" not in a for a in everything["articles"])
    paged = client.get("/api/v1/articles", params={"limit": 2}).json()
    seen = _ids(paged)
    while paged["next_cursor"]:
        paged = client.get("/api/v1/articles", params={"limit": 2, "cursor": paged["next_cursor"]}).json()
        seen += _ids(paged)
    assert seen == _ids(collapsed), "cursor pages walk the collapsed list"
    bad = client.get("/api/v1/articles", params={"copies": "some"})
    assert bad.status_code == 422 and bad.json()["error"]


@pytest.mark.parametrize(
    ("language", "label"),
    [("ar", "نُشر أيضاً في مصدرين آخرين"), ("fr", "repris par 2 autres sources"), ("en", "also in 2 sources")],
)
def test_pages_show_also_in(
    client: AsgiClient, data: tuple[PortalData, Syndicated], language: str, label: str
) -> None:
    _, text = data
    home = client.get(f"/{language}/").text
    assert home.count(f">{SYNDICATED_TITLE}</a>") == 1, "the text once on the front page: its story's card"
    assert f'href="/{language}/stories/9"' in home
    for copy in text.copies:
        assert f'href="/{language}/articles/{copy}"' not in home, "no copy listed beside its original"
    section = client.get(f"/{language}/section/politics").text
    assert section.count(f">{SYNDICATED_TITLE}</a>") == 1
    assert f'href="/{language}/stories/9">{label}</a>' in section
    for copy in (text.copy_hespress, text.copy_assabah):
        assert f'href="/{language}/articles/{copy}"' in section, "each other site links to its first copy"
    assert f'href="/{language}/articles/{text.copy_hespress_again}"' not in section
    source = client.get(f"/{language}/sources/%D9%87%D8%B3%D8%A8%D8%B1%D9%8A%D8%B3").text
    assert source.count(f">{SYNDICATED_TITLE}</a>") == 1
    assert f'href="/{language}/articles/{text.original}"' in source


def test_feeds_carry_the_text_once(client: AsgiClient, data: tuple[PortalData, Syndicated]) -> None:
    for path in (
        "/feeds/latest.atom",
        "/feeds/languages/ar.rss",
        "/feeds/sources/%D9%87%D8%B3%D8%A8%D8%B1%D9%8A%D8%B3.rss",
    ):
        parsed = feedparser.parse(client.get(path).content)
        titles = [entry.title for entry in parsed.entries]
        assert titles.count(SYNDICATED_TITLE) == 1, path
    story = feedparser.parse(client.get("/feeds/stories/9.atom").content)
    assert len(story.entries) == 4, "a story's feed lists every copy"


def _plan(store: Store, filters: queries.Filters) -> str:
    with store.reading() as connection:
        query = queries.summaries_query(connection, filters)
        sql = query.compile(connection, compile_kwargs={"literal_binds": True})
        return " | ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))


def test_lists_read_through_indexes(sqlite_store: Store) -> None:
    """SQLite's plans: lists walk the published index, copies are looked up, stories use their index."""
    add_syndicated(sqlite_store)
    home = _plan(sqlite_store, queries.Filters(collapse=True))
    assert "SCAN articles USING INDEX ix_articles_published" in home, home
    assert "TEMP B-TREE" not in home, home
    assert "ix_articles_duplicate_of" in home and "PRIMARY KEY" in home, home
    assert not re.search(r"SCAN earlier\b", home), home
    site = _plan(sqlite_store, queries.Filters(site_name="هسبريس", collapse=True))
    assert not re.search(r"SCAN earlier\b", site), site
    story = _plan(sqlite_store, queries.Filters(story_id=9))
    assert "USING INDEX ix_articles_story_id" in story, story


def test_a_roundup_printing_the_text_is_listed_and_counted(
    store: Store, data: tuple[PortalData, Syndicated]
) -> None:
    _, text = data
    roundup = add_roundup(store, text)
    found = portal.listing(store, portal.Filters(language="ar"))
    assert [a.id for a in found.items if a.title == ROUNDUP_TITLE] == [roundup], "a roundup is no copy"
    assert found.also_in[text.original].sites == ("هسبريس", "الصباح", "اليوم 24")
    assert roundup not in found.also_in, "nobody else carries the roundup's text"
    copy = portal.also_in(store, [s for s in found.items if s.id == text.original])
    assert roundup in [c.id for c in copy[text.original].copies]


def test_the_article_page_and_json_say_how_texts_are_linked(
    client: AsgiClient, store: Store, data: tuple[PortalData, Syndicated]
) -> None:
    _, text = data
    roundup = add_roundup(store, text)
    page = client.get(f"/en/articles/{text.copy_assabah}").text
    copies = page[page.index('class="copies"') : page.index("</section>", page.index('class="copies"'))]
    assert "also in 3 sources" in copies, "the agency, Hespress and the roundup carry the same text"
    assert copies.count("same text") == 3 and "prints this text in a longer article" in copies
    answer = client.get(f"/api/v1/articles/{text.copy_assabah}").json()
    assert (answer["duplicate_of"], answer["duplicate_kind"]) == (text.original, "same")
    relations = {c["id"]: c["relation"] for c in answer["copies"]}
    assert relations == {
        text.original: "same",
        text.copy_hespress: "same",
        text.copy_hespress_again: "same",
        roundup: "contained_in",
    }
    held = client.get(f"/api/v1/articles/{roundup}").json()
    assert held["duplicate_kind"] == "contains"
    assert {c["id"]: c["relation"] for c in held["copies"]} == {text.original: "contains"}
    roundup_page = client.get(f"/fr/articles/{roundup}").text
    assert "son texte est repris ici en entier" in roundup_page and "repris par" not in roundup_page
