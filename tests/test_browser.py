"""The portal in a real browser: Playwright for Python driving Debian's chromium against a live server.

Checks what only a browser knows: computed text direction, the font actually used for Arabic, keyboard
use of the ticker, and axe-core's accessibility rules. Screenshots go to tests/output/. When chromium
or axe-core is missing these tests skip locally and fail under CI (``CI`` set).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import uvicorn

from akhbar.services import breaking, editorial
from akhbar.store import Store
from akhbar.web import create_app
from portal_fixtures import PortalData, add_syndicated, populate
from threadserver import running

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
EDITOR_PASSWORD = "a long enough password"
OUTPUT = Path(__file__).with_name("output")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


pytestmark = pytest.mark.browser


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required under CI: run `make test` as root to install it)")
    pytest.skip(reason)


@contextlib.contextmanager
def served_in_thread(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port: its base URL while it runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    with running(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium under Playwright, headless (the module is skipped when it is missing)."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        _missing("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, PortalData]]:
    """The portal over the portal data set (plus a breaking flag), served by uvicorn in a thread."""
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'akhbar.db'}")
    data = populate(store)
    add_syndicated(store)  # an agency text carried by other sites: "also in 2 sources", in a section
    breaking.flag_article(store, data.story_fr, breaking.parse_until("2h"))
    editorial.add_user(store, "sara@example.org", "admin", EDITOR_PASSWORD, name="سارة بنعلي")
    with served_in_thread(create_app(store)) as base:
        yield base, data
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # axe-core is injected as an inline script, which the Content-Security-Policy forbids; the
    # policy itself is checked with ``strict_page``.
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ar", bypass_csp=True)
    opened = context.new_page()
    yield opened
    context.close()


# Collects what the page's Content-Security-Policy refused (an init script runs before the page's own).
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@dataclass
class StrictPage:
    """A page that obeys the Content-Security-Policy and records every violation it reports."""

    page: Any
    console: list[str]

    def violations(self) -> list[str]:
        found = [str(v) for v in self.page.evaluate("window.__violations || []")]
        return found + [m for m in self.console if "Content Security Policy" in m]


@pytest.fixture
def strict_page(browser: Any, server: tuple[str, PortalData]) -> Iterator[StrictPage]:
    base, _ = server
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="fr")
    context.add_init_script(WATCH_VIOLATIONS)
    # Nothing leaves the machine: the articles' photos on other hosts are refused, not waited for.
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort()
    )
    opened = context.new_page()
    console: list[str] = []
    opened.on("console", lambda message: console.append(message.text))
    yield StrictPage(opened, console)
    context.close()


def _direction(page: Any, selector: str) -> str:
    return str(page.eval_on_selector(selector, "el => getComputedStyle(el).direction"))


def _fonts(page: Any, selector: str) -> list[str]:
    """The platform fonts chromium used to draw the text of the first node matching ``selector``."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return [str(font["familyName"]) for font in fonts]


def _axe(page: Any, name: str) -> None:
    if not AXE.exists():
        _missing(f"axe-core is not installed at {AXE} (npm install --prefix tests)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    assert result["passes"], "axe ran no rule"
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert not bad, f"axe on {name}:\n" + "\n".join(bad)


def _shot(page: Any, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"))


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("fr", "ltr"), ("en", "ltr")])
def test_home(page: Any, server: tuple[str, PortalData], language: str, direction: str) -> None:
    base, _ = server
    page.goto(f"{base}/{language}/")
    assert _direction(page, "body") == direction
    assert _direction(page, ".ticker-items li[lang=ar]") == "rtl"
    assert _direction(page, ".ticker-items li[lang=fr]") == "ltr"
    assert page.locator(".breaking li").count() == 1
    assert any("Arabic" in font for font in _fonts(page, ".ticker-items li[lang=ar] a")), "Arabic font"
    assert page.locator(".sections-nav a[href$='/section/politics']").count() == 1, "sections in the header"
    assert page.locator(".story-lead .reach").count() == 1, "the lead says its languages and sources"
    assert _direction(page, ".story-card h3[lang=ar]") == "rtl"
    assert _direction(page, ".story-card h3[lang=fr]") == "ltr"
    _shot(page, f"home-{language}")
    _axe(page, f"/{language}/")


def test_specimen_article(page: Any, server: tuple[str, PortalData]) -> None:
    base, data = server
    page.goto(f"{base}/ar/articles/{data.specimen}")
    assert _direction(page, "html") == "rtl"
    assert _direction(page, "article.article") == "ltr", "a French article is LTR inside the RTL page"
    assert _direction(page, "article .meta") == "rtl"
    assert page.inner_text("article .meta time") == "18 أكتوبر 2024"
    assert "بلادي نيوز" in page.inner_text("article .meta .site")
    fonts = _fonts(page, "article .meta time")
    assert any("Arabic" in font for font in fonts), f"Arabic drawn with {fonts}"
    assert page.locator("figcaption, figure, img").count() == 0, "no photo kept: no caption, no broken image"
    _shot(page, "article-specimen")
    _axe(page, "specimen article")


def test_story_page(page: Any, server: tuple[str, PortalData]) -> None:
    base, _ = server
    page.goto(f"{base}/fr/stories/7")
    assert _direction(page, "html") == "ltr"
    items = page.locator("ol.timeline > li")
    assert items.count() == 3
    assert items.nth(0).get_attribute("dir") == "rtl"
    assert _direction(page, "ol.timeline > li:first-child") == "rtl"
    assert "هسبريس" in page.inner_text("p.first")
    _shot(page, "story-7")
    _axe(page, "story page")


def test_ticker_keyboard(page: Any, server: tuple[str, PortalData]) -> None:
    base, _ = server
    page.goto(f"{base}/ar/")
    page.focus("form.search button")
    for _ in range(30):  # past the sections menu and the breaking bar
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.ticker-items') !== null"):
            break
    else:
        pytest.fail("Tab never reached the ticker")
    assert page.eval_on_selector(".ticker-items", "el => getComputedStyle(el).animationName") == "none"
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const r = document.activeElement.getBoundingClientRect();"
        " return [r.left, r.right, innerWidth, document.activeElement.tagName]; })()"
    )
    left, right, width, tag = focused
    assert tag == "A" and right > 0 and left < width, "the focused headline is scrolled into view"
    href = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}{href}")
    page.go_back()
    play_state = "el => getComputedStyle(el).animationPlayState"
    page.hover(".ticker h2")
    assert page.eval_on_selector(".ticker-items", play_state) == "paused", "hover pauses"
    page.click("button.ticker-toggle")
    assert page.get_attribute("button.ticker-toggle", "aria-pressed") == "true"
    page.mouse.move(5, 880)
    page.evaluate("document.activeElement.blur()")
    assert page.eval_on_selector(".ticker-items", play_state) == "paused", "the button pauses"


def test_api_docs_offline(page: Any, server: tuple[str, PortalData]) -> None:
    """Swagger UI renders the API's operations with every host but the local server unreachable."""
    base, _ = server
    blocked: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(f"{base}/"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{base}/api/docs")
    operations = page.locator(".opblock-summary-path")
    operations.first.wait_for(timeout=15_000)
    paths = {text.replace("\u200b", "") for text in operations.all_inner_texts()}
    assert {"/api/v1/articles", "/api/v1/articles/{article_id}", "/api/v1/search"} <= paths, paths
    page.wait_for_load_state("networkidle")
    assert not blocked, f"the docs page asked other hosts: {blocked}"
    _shot(page, "api-docs")


def test_search_snippets(page: Any, server: tuple[str, PortalData]) -> None:
    """Snippets keep their own direction; a hostile query over a hostile article runs no script."""
    base, data = server
    page.goto(f"{base}/fr/search?q=%D8%A8%D8%B7%D9%86%D8%AC%D8%A9")
    assert _direction(page, "html") == "ltr"
    assert _direction(page, ".result .snippet") == "rtl", "an Arabic snippet is RTL on the French page"
    assert page.inner_text(".result .snippet mark") == "طنجة"
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{base}/en/search?q=" + quote('<script>alert("x")</script>'))
    assert page.locator(f".result a.title[href='/en/articles/{data.nasty}']").count() == 1
    assert page.locator(".result a.title mark").count() >= 1
    assert page.locator("main script, main img").count() == 0
    page.goto(f"{base}/en/search?q=" + quote('"><img src=x onerror=alert(1)><script>alert(2)</script>'))
    assert page.locator("main script, main img").count() == 0
    assert not dialogs, dialogs
    _shot(page, "search-hostile")
    _axe(page, "search page")


def test_section_page(page: Any, server: tuple[str, PortalData]) -> None:
    base, _ = server
    page.goto(f"{base}/fr/section/politics")
    assert _direction(page, "html") == "ltr"
    assert _direction(page, "ol.articles > li[lang=ar]") == "rtl"
    assert page.locator(".also-in").count() == 1
    _shot(page, "section-politics")
    _axe(page, "section page")


def test_newsroom_writes_an_arabic_article(browser: Any, server: tuple[str, PortalData]) -> None:
    base, _ = server
    # The newsroom's Content-Security-Policy forbids inline scripts; axe is injected as one.
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ar", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/admin/")
    assert page.url.startswith(f"{base}/admin/login"), "the newsroom asks to sign in"
    _axe(page, "sign-in page")
    page.fill("#email", "sara@example.org")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    assert _direction(page, "html") == "rtl", "the newsroom speaks the browser's Arabic"
    assert "كلمة المرور غير صحيحة" in page.inner_text("[role=alert]")
    page.fill("#password", EDITOR_PASSWORD)
    page.click("button[type=submit]")
    page.click("main a[href='/admin/articles/new']")
    assert page.input_value("#language") == "ar"
    page.fill("#title", "افتتاح خط الترامواي الجديد في سلا")
    page.fill("#body", "افتتح اليوم خط الترامواي الجديد الذي يربط سلا بالرباط.\nويمتد الخط على 12 كيلومترا.")
    assert _direction(page, "#title") == "rtl" and _direction(page, "#body") == "rtl"
    _axe(page, "article form")
    page.click("main form button[value=publish]")
    assert "تم النشر" in page.inner_text("[role=status]")
    page.goto(f"{base}/admin/")
    _shot(page, "newsroom-home")
    _axe(page, "newsroom home")
    page.click("header a[href='/admin/sources']")
    assert page.locator("h1").inner_text() == "المصادر والصفحات المرفوضة"
    _axe(page, "newsroom sources")
    page.click("header a[href='/admin/users']")
    assert page.locator("h1").inner_text() == "الحسابات"
    _axe(page, "newsroom accounts")
    page.goto(f"{base}/admin/")
    page.click("table.admin-table a[href^='/ar/articles/']")
    assert _direction(page, "html") == "rtl"
    assert page.inner_text("h1") == "افتتاح خط الترامواي الجديد في سلا"
    assert "ويمتد الخط على 12 كيلومترا." in page.inner_text("article")
    assert "سارة بنعلي" in page.inner_text("article")
    context.close()


def _portal_urls(data: PortalData) -> list[str]:
    return [
        "/ar/",
        "/fr/",
        f"/fr/articles/{data.specimen}",
        f"/ar/articles/{data.nasty}",
        f"/en/stories/{data.story}",
        "/fr/search?q=" + quote('"><img src=x onerror=alert(1)><script>alert(2)</script>'),
        "/ar/search?q=%D8%B7%D9%86%D8%AC%D8%A9",
        "/fr/section/politics",
        "/en/sources/",
        "/fr/no-such-page",
    ]


def test_portal_pages_satisfy_their_content_security_policy(
    strict_page: StrictPage, server: tuple[str, PortalData]
) -> None:
    base, data = server
    for url in _portal_urls(data):
        answer = strict_page.page.goto(base + url)
        assert "script-src 'self'" in answer.headers["content-security-policy"], url
        strict_page.page.wait_for_load_state("load")
        assert not strict_page.violations(), f"{url}: {strict_page.violations()}"
    strict_page.page.goto(f"{base}/ar/")
    strict_page.page.click("button.ticker-toggle")  # the ticker's script ran under the policy
    assert strict_page.page.get_attribute("button.ticker-toggle", "aria-pressed") == "true"


def test_newsroom_pages_satisfy_their_content_security_policy(
    strict_page: StrictPage, server: tuple[str, PortalData]
) -> None:
    base, _ = server
    page = strict_page.page
    page.goto(f"{base}/admin/login")
    page.fill("#email", "sara@example.org")
    page.fill("#password", EDITOR_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    for url in (
        "/admin/",
        "/admin/articles/new",
        "/admin/breaking",
        "/admin/audit",
        "/admin/sources",
        "/admin/users",
        "/admin/login",
    ):
        answer = page.goto(base + url)
        assert answer.status == 200, url
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"], url
        assert not strict_page.violations(), f"{url}: {strict_page.violations()}"


def test_api_docs_work_under_their_content_security_policy(
    strict_page: StrictPage, server: tuple[str, PortalData]
) -> None:
    """Swagger UI's inline start-up script is allowed by its hash, and it calls the API for real."""
    base, _ = server
    answer = strict_page.page.goto(f"{base}/api/docs")
    assert "'sha256-" in answer.headers["content-security-policy"]
    strict_page.page.wait_for_load_state("load")
    assert not strict_page.violations(), strict_page.violations()
    operations = strict_page.page.locator(".opblock-summary-path")
    operations.first.wait_for(timeout=15_000)
    operations.first.click()  # opens the operation: Swagger UI's styles and icons, under the policy
    strict_page.page.click("button.try-out__btn")
    strict_page.page.click("button.execute")
    strict_page.page.locator(".live-responses-table .response-col_status").first.wait_for(timeout=10_000)
    strict_page.page.wait_for_load_state("networkidle")
    assert not strict_page.violations(), strict_page.violations()
