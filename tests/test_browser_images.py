"""The demo in a real browser: its photos load from akhbar itself and no request ever leaves for
another host, at phone and desktop widths, in Arabic and French, light and dark.

Playwright records every request a page makes (documents, styles, images, icons, the manifest);
each one must be to the akhbar server. An article whose source named a photo akhbar could not keep
shows a clean page: no image element, no caption.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from akhbar.services import demo, portal
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.web import create_app
from portal_fixtures import populate
from test_browser import OUTPUT, _axe, chromium, served_in_thread
from test_sources_refresh import make_settings

pytestmark = pytest.mark.browser


class Demo:
    def __init__(self, base: str, loaded: demo.DemoLoaded, specimen_photo: int) -> None:
        self.base = base
        self.loaded = loaded
        self.foreign_photo = specimen_photo  # names https://www.hespress.ma/photo.jpg, never fetched


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("browser-images")
    store = Store(f"sqlite:///{folder / 'akhbar.db'}")
    settings = make_settings(store.url, data_dir=str(folder))
    with Grouping() as grouping:
        loaded = demo.load_demo(store, grouping, settings)
    data = populate(store)
    story_ar = portal.article_detail(store, data.story_ar)
    assert story_ar is not None and story_ar.stored.article.image_url
    with served_in_thread(create_app(store, settings=settings)) as base:
        yield Demo(base, loaded, data.story_ar)
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


class Recorded:
    """A page whose every request is recorded; requests to other hosts are refused and listed."""

    def __init__(self, browser: Any, base: str, width: int, scheme: str, locale: str) -> None:
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=scheme, locale=locale
        )
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.context.route("**/*", self._route(base))
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))

    def _route(self, base: str) -> Any:
        def handle(route: Any) -> None:
            if route.request.url.startswith(base + "/"):
                route.continue_()
            else:
                route.abort()

        return handle

    def foreign(self, base: str) -> list[str]:
        return [url for url in self.requests if not url.startswith(base + "/")]

    def images_loaded(self) -> list[tuple[str, int, int]]:
        """(src, natural width, rendered width) of every image, after scrolling each into view."""
        for image in self.page.locator("img").all():
            image.scroll_into_view_if_needed()
        # polled from here: wait_for_function's polling evaluates its predicate with eval, which the
        # portal's CSP (no 'unsafe-eval') refuses whenever the images are not complete at once
        deadline = time.monotonic() + 10
        while not self.page.evaluate("[...document.images].every(i => i.complete)"):
            assert time.monotonic() < deadline, "images still loading after 10 s"
            time.sleep(0.1)
        found = self.page.evaluate(
            "[...document.images].map(i => [i.currentSrc, i.naturalWidth, i.getBoundingClientRect().width])"
        )
        return [(str(src), int(natural), int(shown)) for src, natural, shown in found]


@pytest.fixture
def recorded(browser: Any, served: Demo) -> Iterator[Any]:
    opened: list[Recorded] = []

    def make(width: int = 1366, scheme: str = "light", locale: str = "fr") -> Recorded:
        one = Recorded(browser, served.base, width, scheme, locale)
        opened.append(one)
        return one

    yield make
    for one in opened:
        one.context.close()


def _shot(page: Any, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=False)


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("language", ["ar", "fr"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_editor_s_photo_loads_from_akhbar_only(
    recorded: Any, served: Demo, width: int, language: str, scheme: str
) -> None:
    view = recorded(width, scheme, language)
    view.page.goto(f"{served.base}/{language}/articles/{served.loaded.editorial_id}")
    images = view.images_loaded()
    assert len(images) == 1
    src, natural, shown = images[0]
    assert src.startswith(f"{served.base}/media/images/") and src.endswith(".webp")
    assert natural > 0, "the photo is drawn, not a broken icon"
    chosen = int(src.rsplit("-", 1)[1].removesuffix(".webp"))
    assert chosen >= min(shown, 1000), f"srcset picks a copy at least as wide as drawn ({chosen} < {shown})"
    assert view.page.locator("figure.photo img[loading=lazy][width][height]").count() == 1
    caption = view.page.inner_text("figure.photo figcaption")
    assert "ميناء عند الشروق" in caption and "akhbar (CC0)" in caption
    overflow = view.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    assert view.foreign(served.base) == [], "no request leaves for another host"
    assert not view.failed
    view.page.locator("figure.photo").scroll_into_view_if_needed()
    _shot(view.page, f"article-photo-{language}-{width}-{scheme}")


def test_an_article_whose_photo_was_not_kept_is_clean(recorded: Any, served: Demo) -> None:
    view = recorded(1366, "light", "ar")
    view.page.goto(f"{served.base}/ar/articles/{served.foreign_photo}")
    assert view.page.locator("main img, main figure, main figcaption").count() == 0
    assert view.foreign(served.base) == [], "the source's photo is never requested"


@pytest.mark.parametrize("path", ["/ar/", "/fr/", "/en/"])
def test_demo_pages_request_nothing_from_other_hosts(recorded: Any, served: Demo, path: str) -> None:
    view = recorded(390, "light", path.strip("/"))
    view.page.goto(served.base + path)
    for _src, natural, _shown in view.images_loaded():
        assert natural > 0
    links = view.page.eval_on_selector_all("a[href*='/articles/']", "els => els.map(e => e.href)")
    for href in list(dict.fromkeys(links))[:6]:
        view.page.goto(href)
        assert all(natural > 0 for _s, natural, _w in view.images_loaded()), href
    assert view.foreign(served.base) == []
    assert served.base + "/manifest.webmanifest" in view.requests or "manifest" in view.page.content()


def test_the_article_page_with_its_photo_passes_axe(browser: Any, served: Demo) -> None:
    # axe is injected as an inline script: this context bypasses the CSP (checked above without)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr", bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{served.base}/fr/articles/{served.loaded.editorial_id}")
        _axe(page, "article with its photo")
    finally:
        context.close()
