"""The newsroom's pages in process: autosave, preview, scheduling in the newsroom's time zone,
history and restore, the desk, the audit log, refusals, slugs and summaries on the portal."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import pytest

from akhbar.services import audit, desk, drafts, editorial
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.store import breaking as flags
from conftest import AsgiClient, app_client
from test_newsroom_drafts import DRAFT, QUOTE
from test_sources_refresh import make_settings

PASSWORD = "a long enough password"


@pytest.fixture
def newsroom(sqlite_store: Store) -> AsgiClient:
    editorial.add_user(sqlite_store, "sara@example.org", "editor", PASSWORD, name="Sara")
    editorial.add_user(sqlite_store, "nadia@example.org", "contributor", PASSWORD, name="Nadia")
    settings = make_settings(sqlite_store.url, timezone="Asia/Tokyo")  # UTC+9, no summer time
    return app_client(sqlite_store, {"accept-language": "en"}, settings=settings)


def _sign_in(client: AsgiClient, email: str = "sara@example.org") -> dict[str, str]:
    done = client.post("/admin/login", data={"email": email, "password": PASSWORD})
    token = re.search(r"akhbar_session=([^;]+)", done.headers["set-cookie"])
    assert token is not None
    return {"cookie": f"akhbar_session={token.group(1)}"}


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def _fields(csrf: str, **more: str) -> dict[str, str]:
    return {
        "csrf": csrf,
        "markup": "markdown",
        "language": "ar",
        "title": DRAFT.title,
        "body": DRAFT.body,
        "summary": DRAFT.summary or "",
        "tags": ", ".join(DRAFT.tags),
        "slug": DRAFT.slug or "",
        **more,
    }


def _entry_of(answer: httpx.Response) -> int:
    found = re.fullmatch(r"/admin/articles/(\d+)/edit\?done=(\w+)(&article=\d+)?", answer.headers["location"])
    assert found is not None, answer.headers.get("location")
    return int(found.group(1))


def test_autosave_preview_and_a_schedule_in_the_newsrooms_time_zone(
    newsroom: AsgiClient, sqlite_store: Store
) -> None:
    sara = _sign_in(newsroom)
    csrf = _csrf(newsroom.get("/admin/articles/new", headers=sara))
    saved = newsroom.post("/admin/articles/autosave", data=_fields(csrf), headers=sara)
    assert saved.status_code == 200 and saved.json()["timezone"] == "Asia/Tokyo"
    entry_id = saved.json()["entry"]
    again = newsroom.post(f"/admin/articles/{entry_id}/autosave", data=_fields(csrf), headers=sara)
    assert again.json()["entry"] == entry_id
    found = drafts.latest(sqlite_store, entry_id)
    assert found is not None and (found[0].state, found[0].revision) == ("draft", 1)

    hostile = "<script>alert(1)</script>\n\n[x](javascript:alert(2)) <img src=x onerror=alert(3)>"
    body = newsroom.post(
        "/admin/articles/preview?part=body", data=_fields(csrf, body=f"> {QUOTE}\n\n{hostile}"), headers=sara
    )
    assert '<blockquote dir="auto">' in body.text and "<script" not in body.text
    assert "javascript:" not in body.text.replace("[x](javascript:alert(2))", "")
    assert "onerror" not in body.text.replace("&lt;img src=x onerror=alert(3)&gt;", "")
    page = newsroom.post("/admin/articles/preview", data=_fields(csrf), headers=sara)
    assert page.status_code == 200 and '<html lang="ar" dir="rtl">' in page.text
    assert '<meta name="robots" content="noindex">' in page.text and "ردود الفعل</h2>" in page.text

    scheduled = newsroom.post(
        f"/admin/articles/{entry_id}",
        data=_fields(csrf, action="schedule", publish_at="2031-03-20T12:00"),
        headers=sara,
    )
    assert _entry_of(scheduled) == entry_id
    found = drafts.latest(sqlite_store, entry_id)
    assert found is not None and found[0].publish_at == datetime(2031, 3, 20, 3, 0, tzinfo=UTC)
    edit = newsroom.get(scheduled.headers["location"], headers=sara)
    assert "Scheduled." in edit.text and "2031-03-20 12:00" in edit.text and "(Asia/Tokyo)" in edit.text
    assert 'value="2031-03-20T12:00"' in edit.text
    past = newsroom.post(
        f"/admin/articles/{entry_id}",
        data=_fields(csrf, action="schedule", publish_at="2001-01-01T00:00"),
        headers=sara,
    )
    assert past.status_code == 400 and "the publication time is in the past" in past.text
    assert drafts.latest(sqlite_store, entry_id)[0].state == "scheduled"  # type: ignore[index]  # found above


def test_a_contributor_writes_drafts_and_is_refused_the_rest(
    newsroom: AsgiClient, sqlite_store: Store
) -> None:
    nadia = {**_sign_in(newsroom, "nadia@example.org"), "accept-language": "ar"}
    form = newsroom.get("/admin/articles/new", headers=nadia)
    assert 'value="publish"' not in form.text and 'href="/admin/breaking"' not in form.text
    csrf = _csrf(form)
    refused = newsroom.post("/admin/articles", data=_fields(csrf, action="publish"), headers=nadia)
    assert refused.status_code == 400 and "وحده المحرر يمكنه نشر المقالات" in refused.text
    assert drafts.entries(sqlite_store) == [], "a refused publication saves nothing"
    kept = newsroom.post("/admin/articles", data=_fields(csrf, action="save"), headers=nadia)
    assert kept.status_code == 303
    for path in ("/admin/audit", "/admin/users"):
        page = newsroom.get(path, headers=nadia)
        assert page.status_code == 403 and '<body class="admin">' in page.text and 'lang="ar"' in page.text
    assert "وحده المحرر يمكنه قراءة سجل العمليات" in newsroom.get("/admin/audit", headers=nadia).text
    flagged = newsroom.post("/admin/breaking", data={"csrf": csrf, "article_id": "1"}, headers=nadia)
    assert flagged.status_code == 403 and "وحده المحرر يمكنه وسم الأخبار العاجلة" in flagged.text
    missing = newsroom.get("/admin/articles/999/edit", headers=nadia)
    assert missing.status_code == 404 and '<body class="admin">' in missing.text


def test_history_diff_restore_and_the_portal(newsroom: AsgiClient, sqlite_store: Store) -> None:
    sara = _sign_in(newsroom)
    csrf = _csrf(newsroom.get("/admin/articles/new", headers=sara))
    entry_id = _entry_of(newsroom.post("/admin/articles", data=_fields(csrf, action="save"), headers=sara))
    nasty = "<b>عنوان</b> & <script>x</script>"
    newsroom.post(f"/admin/articles/{entry_id}", data=_fields(csrf, title=nasty, action="save"), headers=sara)
    history = newsroom.get(f"/admin/articles/{entry_id}/revisions", headers=sara)
    assert history.status_code == 200 and "<del>" in history.text and "<ins>" in history.text
    assert "&lt;script&gt;x&lt;/script&gt;" in history.text and "<script>x" not in history.text
    restored = newsroom.post(
        f"/admin/articles/{entry_id}/revisions/1/restore", data={"csrf": csrf}, headers=sara
    )
    assert restored.headers["location"].endswith("done=restored")
    entry = drafts.publish(
        sqlite_store, Grouping(), editorial.list_users(sqlite_store)[0], entry_id, now=datetime.now(UTC)
    )
    article = newsroom.get(f"/ar/articles/{entry.article_id}")
    assert DRAFT.title in article.text and '<blockquote dir="auto">' in article.text
    canonical = f"/ar/articles/{entry.article_id}/{quote(DRAFT.slug or '', safe='')}"
    assert f'<link rel="canonical" href="http://testserver{canonical}">' in article.text
    assert newsroom.get(canonical).status_code == 200
    assert f'<meta name="description" content="{DRAFT.summary}">' in article.text
    assert DRAFT.summary in newsroom.get("/feeds/languages/ar.rss").text
    assert [e.action for e in audit.events(sqlite_store)][:3] == ["publish", "restore", "save"]


def test_the_desk_flags_confirms_and_dismisses(newsroom: AsgiClient, sqlite_store: Store) -> None:
    sara_user = editorial.list_users(sqlite_store)[0]
    entry = drafts.publish(
        sqlite_store, Grouping(), sara_user, drafts.save(sqlite_store, sara_user, DRAFT).id
    )
    sara = _sign_in(newsroom)
    csrf = _csrf(newsroom.get("/admin/articles/new", headers=sara))
    page = newsroom.get("/admin/breaking?q=" + quote("الترامواي"), headers=sara)
    assert f'name="article_id" value="{entry.article_id}"' in page.text
    tokyo = (datetime.now(UTC) + timedelta(hours=3, minutes=1)).astimezone(ZoneInfo("Asia/Tokyo"))
    flagged = newsroom.post(
        "/admin/breaking",
        data={"csrf": csrf, "article_id": str(entry.article_id), "until": tokyo.strftime("%Y-%m-%dT%H:%M")},
        headers=sara,
    )
    assert flagged.headers["location"] == "/admin/breaking?done=flagged"
    (flag,) = [f for f in desk.desk(sqlite_store).flags if f.article_id == entry.article_id]
    assert flag.created_by == "sara@example.org" and timedelta(hours=2) < flag.until - datetime.now(UTC)
    with sqlite_store.transaction() as connection:
        detected = flags.add_flag(
            connection,
            article_id=None,
            story_id=4242,
            until=datetime.now(UTC) + timedelta(hours=1),
            origin="detected",
        )
    listed = newsroom.get("/admin/breaking", headers=sara)
    assert f'action="/admin/breaking/{detected}/dismiss"' in listed.text and "velocity" in listed.text
    done = newsroom.post(f"/admin/breaking/{detected}/dismiss", data={"csrf": csrf}, headers=sara)
    assert done.headers["location"] == "/admin/breaking?done=dismissed"
    assert "Dismissed" in newsroom.get(done.headers["location"], headers=sara).text
    assert desk.is_dismissed(sqlite_store, 4242)
    assert all(f.id != detected for f in desk.desk(sqlite_store).flags), "a dismissed flag ends at once"
    assert [e.action for e in audit.events(sqlite_store)][:2] == ["dismiss", "flag"]
    log = newsroom.get("/admin/audit", headers=sara)
    assert log.status_code == 200 and "(Asia/Tokyo)" in log.text and "sara@example.org" in log.text
