"""The newsroom used end to end in Chromium, in Arabic, French and English.

An editor uploads a photo to the media library and writes an Arabic draft with a French quote and
that photo (autosaved, shown live), previews it in the
portal's own page, schedules it at a local time, sees it appear on /ar/ when the embedded runner
publishes it, corrects it, restores an older revision, flags it as breaking from the desk and sees
the bar, reviews detected stories, reads the audit log and withdraws it. Every newsroom page passes
axe-core's serious and critical rules; a contributor's refusal is said in the newsroom's layout;
the form's script works under the Content-Security-Policy. Screenshots go to tests/output/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import test_browser
from akhbar.jobs.embedded import start_embedded_runner
from akhbar.services import editorial
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.store import breaking as flags
from akhbar.web import create_app
from image_fixtures import photo_jpeg
from portal_fixtures import PortalData, populate
from test_browser import EDITOR_PASSWORD, WATCH_VIOLATIONS, _axe, _direction, _shot, served_in_thread
from test_sources_refresh import make_settings

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the Chromium fixture (skips, or fails under CI, without chromium)
ZONE = ZoneInfo("Africa/Casablanca")
PHOTO_ALT = "الترامواي في محطة سلا"
QUOTE = "« Nous sommes fiers de ce tramway », a déclaré le maire."
TITLE = "افتتاح خط الترامواي الجديد بين سلا والرباط"
CORRECTED = "افتتاح خط الترامواي الجديد بين سلا والرباط اليوم"
BODY = (
    "افتتح اليوم خط الترامواي الجديد الذي يربط **سلا** بالرباط.\n\n"
    "## ردود الفعل\n\n"
    f"> {QUOTE}\n\n"
    "- طول الخط: 12 كيلومترا\n- عدد المحطات: 20\n\n"
    "التفاصيل على [موقع الشركة](https://tram.example/ligne-3)."
)
UPDATED = "حُدّث"  # "Updated": the portal shows an Arabic article in Arabic
WORDS = {
    "ar": {"scheduled": "تمت الجدولة.", "refused": "وحده المسؤول يمكنه إدارة الحسابات"},
    "fr": {"scheduled": "Programmé.", "refused": "Seul un administrateur peut gérer les comptes"},
    "en": {"scheduled": "Scheduled.", "refused": "Only an admin may manage accounts"},
}


@pytest.fixture(scope="module")
def newsroom_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store, PortalData]]:
    """The portal data set and three accounts, served with the embedded runner publishing on time."""
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('newsroom') / 'akhbar.db'}")
    data = populate(store)
    editorial.add_user(store, "sara@example.org", "editor", EDITOR_PASSWORD, name="سارة بنعلي")
    editorial.add_user(store, "nadia@example.org", "contributor", EDITOR_PASSWORD, name="Nadia")
    data_dir = tmp_path_factory.mktemp("newsroom-data")
    settings = make_settings(store.url, timezone="Africa/Casablanca", data_dir=str(data_dir))
    app = create_app(store, settings=settings, site_name="أخبار الرباط")
    with served_in_thread(app) as base:
        halt = start_embedded_runner(store, settings, Grouping(), tick=0.5)
        yield base, store, data
        halt()
    store.close()


def _signed_in(
    browser: Any, base: str, language: str, email: str = "sara@example.org", **options: Any
) -> Any:
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale=language, bypass_csp=True, **options
    )
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/admin/?ui={language}")
    assert "/admin/login" in page.url
    assert page.get_attribute("html", "lang") == language
    _axe(page, f"sign-in page ({language})")
    page.fill("#email", email)
    page.fill("#password", EDITOR_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return page


def _next_minute() -> datetime:
    """The next whole minute at least 15 s away, in the newsroom's time zone.

    The margin covers scheduling and one reader's look before the minute comes, on a slow machine too.
    """
    now = datetime.now(ZONE)
    soon = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    return soon if (soon - now).total_seconds() >= 15 else soon + timedelta(minutes=1)


def _wait_for(page: Any, url: str, text: str, *, where: str = "body", timeout: float = 120) -> None:
    """Reload ``url`` until ``text`` is in ``where`` (pages may be cached for a while, as readers get them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.goto(f"{url}{'&' if '?' in url else '?'}fresh={time.monotonic_ns()}")
        if page.locator(where).count() and text in page.inner_text(where):
            return
        time.sleep(1)
    raise AssertionError(f"{text!r} did not appear in {where} of {url}")


def _upload(page: Any, base: str, language: str) -> None:
    """Put a photo in the media library (its metadata is stripped, its copies resized)."""
    page.goto(f"{base}/admin/media")
    page.set_input_files("#file", {"name": "tram.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()})
    page.fill("#alt", PHOTO_ALT)
    page.fill("#caption", "Le tramway à la station de Salé")
    page.fill("#credit", "Omar Idrissi")
    page.click("form[enctype] button[type=submit]")
    assert "done=uploaded" in page.url
    photo = page.locator("ul.media-items img").first
    photo.scroll_into_view_if_needed()
    # The library's images load lazily, after the page's load event: wait until this one has
    # loaded or failed (``complete``), then ask whether it decoded.
    page.wait_for_function("() => document.querySelector('ul.media-items img').complete")
    assert page.eval_on_selector("ul.media-items img", "img => img.naturalWidth") > 0
    _axe(page, f"media library ({language})")
    page.goto(f"{base}/admin/")


def _write(page: Any, base: str, language: str) -> str:
    """Write the Arabic draft with the library's photo; returns its edit page's URL once autosaved."""
    _upload(page, base, language)
    page.click("main a[href='/admin/articles/new']")
    assert page.input_value("#language") == language
    page.select_option("#language", "ar")
    page.fill("#title", TITLE)
    page.fill("#body", BODY)
    page.fill("#summary", "خط جديد يربط سلا بالرباط")
    page.fill("#tags", "نقل, سلا")
    page.fill("#slug", "ترامواي-سلا")
    page.click("details.library summary")
    page.locator("details.library button[data-photo]").first.click()
    assert page.input_value("#image_url").startswith("/media/images/")
    page.locator("details.library button[data-insert]").first.click()
    assert f"![{PHOTO_ALT}](/media/images/" in page.input_value("#body")
    page.wait_for_url(f"{base}/admin/articles/*/edit", timeout=15_000)  # the autosave made the draft
    page.locator("#autosave-status").filter(has_text=":").wait_for(timeout=15_000)
    page.locator("#live-preview blockquote").wait_for(timeout=10_000)
    page.locator(f"#live-preview img[alt='{PHOTO_ALT}']").wait_for(timeout=10_000)
    assert _direction(page, "#title") == "rtl" and _direction(page, "#body") == "rtl"
    assert _direction(page, "#live-preview p") == "rtl"
    assert _direction(page, "#live-preview blockquote p") == "ltr", "the French quote reads left to right"
    _axe(page, f"article form ({language})")
    return str(page.url)


def _preview(page: Any) -> None:
    with page.context.expect_page() as opened:
        page.click("button[formaction='/admin/articles/preview']")
    preview = opened.value
    preview.wait_for_load_state()
    assert preview.get_attribute("html", "dir") == "rtl" and preview.inner_text("h1") == TITLE
    assert _direction(preview, "article .body blockquote p") == "ltr"
    assert preview.locator("article .body h2").inner_text() == "ردود الفعل"
    assert preview.get_attribute("article .body a", "rel") == "noopener nofollow"
    assert preview.locator(f"article figure.photo img[alt='{PHOTO_ALT}']").count() == 1, "the photo too"
    _axe(preview, "preview")
    preview.close()


def _schedule_and_see(page: Any, base: str, language: str) -> str:
    at = _next_minute()
    page.fill("#publish_at", at.strftime("%Y-%m-%dT%H:%M"))
    page.click("button[value=schedule]")
    assert WORDS[language]["scheduled"] in page.inner_text("[role=status]")
    assert at.strftime("%Y-%m-%d %H:%M") in page.inner_text(".entry-state")
    assert "Africa/Casablanca" in page.inner_text(".entry-state")
    edit = str(page.url).split("?")[0]
    reader = page.context.new_page()
    reader.goto(f"{base}/ar/?before={time.monotonic_ns()}")
    looked = datetime.now(ZONE)
    assert TITLE not in reader.content(), "nothing shows before its time"
    assert looked < at, "the reader looked before the scheduled minute (else the check above proves nothing)"
    page.goto(f"{base}/admin/")
    assert at.strftime("%Y-%m-%d %H:%M") in page.inner_text("table.admin-table")
    _axe(page, f"newsroom home ({language})")
    if language == "ar":  # the scheduler publishes it at its minute (once: the wait is long)
        _wait_for(reader, f"{base}/ar/", TITLE)
        assert datetime.now(ZONE) >= at
    else:  # the editor publishes it ahead of its time
        page.goto(edit)
        page.click("button[value=publish]")
        assert "/edit?done=" in page.url
        _wait_for(reader, f"{base}/ar/", TITLE)
    reader.goto(base + str(reader.get_attribute(f"a:text-is('{TITLE}')", "href")))
    assert _direction(reader, "article .body blockquote p") == "ltr"
    photo = reader.locator(f"article img[alt='{PHOTO_ALT}']").first
    photo.wait_for()
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0"), "the library's photo is shown"
    reader.close()
    return edit


def _correct_and_restore(page: Any, base: str, edit: str, language: str) -> None:
    page.goto(edit)
    article = page.get_attribute(".entry-state a[href^='/ar/articles/']", "href")
    page.fill("#title", CORRECTED)
    page.click("button[value=publish]")
    assert "/edit?done=corrected" in page.url
    page.goto(base + edit.split(base)[1].replace("/edit", "/revisions"))
    assert page.locator("ol.diff .diff-added").count() >= 1
    _axe(page, "revisions")
    _shot(page, "newsroom-revisions")
    older = page.locator("ul.restore form").filter(has_text=TITLE).first
    older.locator("button").click()
    assert "done=restored" in page.url and page.input_value("#title") == TITLE
    page.click("button[value=publish]")
    reader = page.context.new_page()
    _wait_for(reader, f"{base}{article}", UPDATED, where="article .meta")
    assert reader.inner_text("h1") == TITLE
    reader.close()


def _flag_from_the_desk(page: Any, base: str, store: Store, data: PortalData, language: str) -> None:
    with store.transaction() as connection:
        for _ in range(2):
            flags.add_flag(
                connection,
                article_id=None,
                story_id=7,
                until=datetime.now(ZONE) + timedelta(hours=2),
                origin="detected",
                note="3 sources",
            )
    page.goto(f"{base}/admin/breaking")
    page.fill("main #q", "الترامواي")
    page.click("form[role=search] button")
    page.select_option("#flag-duration", "1h")
    page.locator("#flag-form tbody tr").filter(has_text=TITLE).locator("button").click()
    assert "done=flagged" in page.url
    page.locator("tr.to-review form[action$='/confirm'] button").first.click()
    assert "done=confirmed" in page.url
    page.locator("tr.to-review form[action$='/dismiss'] button").first.click()
    assert "done=dismissed" in page.url
    assert page.locator("tr.to-review").count() == 0
    _axe(page, f"breaking desk ({language})")
    _shot(page, f"newsroom-desk-{language}")
    reader = page.context.new_page()
    _wait_for(reader, f"{base}/ar/", TITLE, where=".breaking", timeout=30)
    reader.close()
    page.goto(f"{base}/admin/audit")
    audit = page.inner_text("table.admin-table")
    assert "sara@example.org" in audit
    _axe(page, f"audit log ({language})")


def _withdraw(page: Any, base: str, edit: str) -> None:
    page.goto(edit)
    article = page.get_attribute(".entry-state a[href^='/ar/articles/']", "href")
    page.click("form.withdraw button")
    page.wait_for_url(
        re.compile(r"/admin/articles/\d+/edit\?done=withdrawn$")
    )  # the click does not wait for it
    assert page.context.request.get(f"{base}{article}").status == 404


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_an_arabic_article_from_draft_to_withdrawal(
    browser: Any, newsroom_server: tuple[str, Store, PortalData], language: str
) -> None:
    base, store, data = newsroom_server
    page = _signed_in(browser, base, language)
    edit = _write(page, base, language)
    _preview(page)
    edit = _schedule_and_see(page, base, language)
    _correct_and_restore(page, base, edit, language)
    _flag_from_the_desk(page, base, store, data, language)
    _withdraw(page, base, edit)
    page.context.close()


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_a_contributor_is_refused_in_the_newsrooms_layout(
    browser: Any, newsroom_server: tuple[str, Store, PortalData], language: str
) -> None:
    base, _, _ = newsroom_server
    page = _signed_in(browser, base, language, "nadia@example.org")
    answer = page.goto(f"{base}/admin/users")
    assert answer.status == 403
    assert page.get_attribute("html", "lang") == language and page.locator("body.admin").count() == 1
    assert WORDS[language]["refused"] in page.inner_text("[role=alert]")
    _axe(page, f"refusal ({language})")
    assert page.locator("button[value=publish]").count() == 0
    page.goto(f"{base}/admin/articles/new")
    assert page.locator("button[value=publish]").count() == 0, "contributors save drafts only"
    page.context.close()


def test_the_form_script_works_under_the_content_security_policy(
    browser: Any, newsroom_server: tuple[str, Store, PortalData]
) -> None:
    base, _, _ = newsroom_server
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar")
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{base}/admin/login")
    page.fill("#email", "sara@example.org")
    page.fill("#password", EDITOR_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    page.goto(f"{base}/admin/articles/new")
    page.fill("#title", "مسودة")
    page.fill("#body", f"نص\n\n> {QUOTE}")
    page.wait_for_url(f"{base}/admin/articles/*/edit", timeout=15_000)
    page.locator("#live-preview blockquote").wait_for(timeout=10_000)
    violations = page.evaluate("window.__violations") + [m for m in console if "Content Security" in m]
    assert violations == []
    context.close()


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_newsroom_screenshots(
    browser: Any, newsroom_server: tuple[str, Store, PortalData], language: str
) -> None:
    """The newsroom's pages at 390 and 1366 px, light and dark, axe in both (one sign-in: the
    sign-in guard allows ten attempts a minute from one address)."""
    base, _, _ = newsroom_server
    page = _signed_in(browser, base, language)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (390, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            for name, url in [
                ("home", "/admin/"),
                ("form", "/admin/articles/new"),
                ("desk", "/admin/breaking"),
                ("media", "/admin/media"),
                ("audit", "/admin/audit"),
            ]:
                page.goto(base + url)
                page.wait_for_load_state("networkidle")
                _shot(page, f"newsroom-{name}-{language}-{width}-{scheme}")
                if width == 1366:
                    _axe(page, f"{url} ({language}, {scheme})")
    page.context.close()
