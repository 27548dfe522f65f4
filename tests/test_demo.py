"""The demo set: every feature of the product on the first screen, loaded offline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from akhbar.services import breaking, demo, frontpage, images
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.store.tables import article_images, articles
from conftest import app_client
from test_sources_refresh import make_settings


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, demo.DemoLoaded, Path]]:
    folder = tmp_path_factory.mktemp("demo")
    store = Store(f"sqlite:///{folder / 'akhbar.db'}")
    # no network allowed at all: the demo must not need it
    settings = make_settings(store.url, data_dir=str(folder), fetch_allow_networks="")
    with Grouping() as grouping:
        done = demo.load_demo(store, grouping, settings)
    yield store, done, folder
    store.close()


def test_the_demo_has_multi_language_stories_copies_a_photo_and_a_flag(
    loaded: tuple[Store, demo.DemoLoaded, Path],
) -> None:
    store, done, folder = loaded
    assert all(r.status in {"stored", "updated"} for r in done.results), done.results
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(articles.c.id, articles.c.story_id, articles.c.language, articles.c.duplicate_of)
        ).all()
        kept = connection.execute(sa.select(article_images.c.article_id)).scalars().all()
    languages: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        if row.story_id is not None:
            languages[row.story_id].add(row.language)
    assert sum(1 for found in languages.values() if found >= {"ar", "fr", "en"}) >= 3
    copies = [row for row in rows if row.duplicate_of is not None]
    assert len(copies) == 2 and len({row.duplicate_of for row in copies}) == 1
    assert done.editorial_id is not None and done.photo is not None
    assert sorted(kept) == sorted([done.editorial_id, done.explainer_id]), "the editors' pictures only"
    picture = images.picture(store, done.editorial_id)
    assert picture is not None and picture.credit == "akhbar (CC0)" and picture.caption
    assert len(list((folder / "images").rglob("*.webp"))) == 6
    flags = breaking.list_flags(store, active_only=True)
    mine = [f for f in flags if f.article_id is not None]  # the others are detected from velocity
    assert [f.article_id for f in mine] == [done.breaking_id] and mine[0].story_id is not None
    assert mine[0].note == "demo"
    explainer = next(row for row in rows if row.id == done.explainer_id)
    assert explainer.story_id == mine[0].story_id, "the explainer joins the flagged story"


def test_the_demo_leads_with_the_flagged_story_and_its_map(
    loaded: tuple[Store, demo.DemoLoaded, Path],
) -> None:
    """The first screen: the flagged death-toll story leads, with the editors' map as its picture."""
    store, done, folder = loaded
    lead = frontpage.home(store).lead
    assert lead is not None and done.explainer_id in {a.id for a in lead.articles}
    assert len(lead.sites) >= 4 and set(lead.languages) == {"ar", "fr", "en"}
    client = app_client(store, images_dir=folder / "images")
    card = client.get("/fr/").text.split('class="story-card story-lead', 1)[1].split("</article>", 1)[0]
    assert "/media/images/" in card and 'alt="' in card


def test_the_demo_pages_show_the_photo_and_the_flag(loaded: tuple[Store, demo.DemoLoaded, Path]) -> None:
    store, done, folder = loaded
    client = app_client(store, images_dir=folder / "images")
    home = client.get("/en/").text
    assert 'class="breaking"' in home
    page = client.get(f"/ar/articles/{done.editorial_id}").text
    assert 'loading="lazy"' in page and "/media/images/" in page and "og:image" in page
    srcset = page.split(' srcset="', 1)[1].split('"', 1)[0]
    widths = [candidate.split()[1] for candidate in srcset.split(", ")]
    assert widths == ["400w", "800w", "1200w"], "the 1600 px photo: each copy once, narrowest first"
