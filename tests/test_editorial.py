"""The newsroom: editors' accounts, signing in, writing and editing articles, flagging breaking news."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from akhbar.errors import InputError
from akhbar.extract import editorial as form
from akhbar.extract.editorial import Draft
from akhbar.models import Document, Rejected
from akhbar.services import articles, breaking, drafts, editorial, ingest, search, signin, sources
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.store.tables import user_sessions
from akhbar.web.i18n import interface
from conftest import AsgiClient, app_client

PASSWORD = "a long enough password"
ARABIC = Draft(
    title="الحكومة تعلن خطة جديدة للنقل العمومي في الرباط",
    body="أعلنت الحكومة اليوم عن خطة جديدة لتطوير النقل العمومي في العاصمة الرباط.\n\n"
    "وتشمل الخطة خطوط ترامواي جديدة وحافلات كهربائية بحلول سنة 2028.",
    language="ar",
    site_name="أخبار الرباط",
    authors=("سارة بنعلي",),
)


@pytest.mark.slow
def test_accounts_sign_in_with_the_right_password_only(store: Store) -> None:
    user = editorial.add_user(store, " Sara@Example.ORG ", "editor", PASSWORD, name="Sara")
    assert (user.email, user.role, user.display_name) == ("sara@example.org", "editor", "Sara")
    assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash
    assert editorial.authenticate(store, "SARA@example.org", PASSWORD) == user
    assert editorial.authenticate(store, "sara@example.org", PASSWORD + "!") is None
    assert editorial.authenticate(store, "nobody@example.org", PASSWORD) is None
    assert editorial.authenticate(store, "not an address", PASSWORD) is None
    for bad, message in [
        (lambda: editorial.add_user(store, "sara@example.org", "editor", PASSWORD), "already has an account"),
        (lambda: editorial.add_user(store, "b@example.org", "chief", PASSWORD), "role must be one of"),
        (lambda: editorial.add_user(store, "b@example.org", "editor", "short"), "10 to 1024 characters"),
        (lambda: editorial.add_user(store, "no-at-sign", "editor", PASSWORD), "is not an email address"),
    ]:
        with pytest.raises(InputError, match=message):
            bad()


@pytest.mark.slow
def test_five_wrong_passwords_lock_the_account_for_a_while(store: Store) -> None:
    editorial.add_user(store, "sara@example.org", "editor", PASSWORD)
    now = datetime.now(UTC)
    for _ in range(signin.MAX_FAILURES):
        assert editorial.authenticate(store, "sara@example.org", "wrong password!", now=now) is None
    assert editorial.authenticate(store, "sara@example.org", PASSWORD, now=now) is None
    (locked,) = editorial.list_users(store)
    assert locked.locked_until is not None
    later = now + signin.LOCK + timedelta(seconds=1)
    assert editorial.authenticate(store, "sara@example.org", PASSWORD, now=later) is not None
    editorial.set_password(store, "sara@example.org", "another long password")
    assert editorial.authenticate(store, "sara@example.org", "another long password") is not None


def test_sessions_expire_end_on_sign_out_and_when_disabled(store: Store) -> None:
    user = editorial.add_user(store, "sara@example.org", "editor", PASSWORD)
    token, opened = editorial.open_session(store, user)
    found = editorial.session(store, token)
    assert found is not None and found.user.id == user.id and found.csrf == opened.csrf
    with store.reading() as connection:
        stored = connection.execute(sa.select(user_sessions.c.token_hash)).scalars().all()
    assert stored and token not in stored  # only the token's hash is kept
    assert (
        editorial.session(store, token, now=datetime.now(UTC) + editorial.SESSION + timedelta(minutes=1))
        is None
    )
    assert editorial.session(store, token + "x") is None and editorial.session(store, None) is None
    editorial.close_session(store, token)
    assert editorial.session(store, token) is None
    token, _ = editorial.open_session(store, user)
    editorial.set_disabled(store, "sara@example.org", True)
    assert editorial.session(store, token) is None
    assert editorial.authenticate(store, "sara@example.org", PASSWORD) is None
    editorial.set_disabled(store, "sara@example.org", False)
    assert editorial.authenticate(store, "sara@example.org", PASSWORD) is not None


@pytest.mark.slow
def test_an_editors_article_is_stored_placed_indexed_and_edited_in_place(store: Store) -> None:
    sara = editorial.add_user(store, "sara@example.org", "editor", PASSWORD)
    omar = editorial.add_user(store, "omar@example.org", "editor", PASSWORD)
    chief = editorial.add_user(store, "chief@example.org", "admin", PASSWORD)
    article_id = editorial.write(store, Grouping(), sara, ARABIC)
    stored = articles.get_article(store, article_id)
    assert stored is not None
    article = stored.article
    assert (article.title, article.language, article.site_name, article.url) == (
        ARABIC.title,
        "ar",
        "أخبار الرباط",
        None,
    )
    assert article.body_paragraphs == ARABIC.paragraphs and len(article.body_paragraphs) == 2
    assert article.authors == ("سارة بنعلي",) and article.published is not None
    assert article.story_id is not None
    assert [hit.article_id for hit in search.search(store, "الترامواي").hits] == [article_id]

    edited = Draft(**{**ARABIC.__dict__, "title": ARABIC.title + " بحلول 2028"})
    with pytest.raises(InputError, match="only an admin may edit it"):
        editorial.write(store, Grouping(), omar, edited, article_id=article_id)
    assert editorial.write(store, Grouping(), sara, edited, article_id=article_id) == article_id
    assert editorial.write(store, Grouping(), chief, edited, article_id=article_id) == article_id
    revision = editorial.saved(store, article_id)
    assert revision is not None and revision.revision == 3 and revision.saved_by == "chief@example.org"
    updated = articles.get_article(store, article_id)
    assert updated is not None and updated.article.title.endswith("بحلول 2028")
    assert articles.count_articles(store) == 1
    listed = editorial.written(store)
    assert [(w.article_id, w.revision) for w in listed] == [(article_id, 3)]

    ingest.reprocess(store, grouping=Grouping())  # every revision is re-extracted in order: the newest wins
    again = articles.get_article(store, article_id)
    assert again is not None and again.article.title == updated.article.title
    assert articles.count_articles(store) == 1


def test_a_bad_draft_is_refused_with_every_problem(store: Store) -> None:
    sara = editorial.add_user(store, "sara@example.org", "editor", PASSWORD)
    bad = Draft("", "  \n ", "arabic", "x", image_url="javascript:alert(1)", published="yesterday")
    with pytest.raises(InputError) as refused:
        editorial.write(store, Grouping(), sara, bad)
    message = str(refused.value)
    for part in ("title is empty", "text is empty", "ISO 639", "http:// or https://", "ISO 8601"):
        assert part in message
    with pytest.raises(InputError, match="was not written here"):
        editorial.write(store, Grouping(), sara, ARABIC, article_id=12345)
    assert articles.count_articles(store) == 0


def test_a_publication_time_in_the_future_is_refused(store: Store) -> None:
    """No scheduled publication: a future time would pin the article to the top of every list."""
    sara = editorial.add_user(store, "sara@example.org", "editor", PASSWORD)
    now = datetime.now(UTC)
    ahead = Draft(**{**ARABIC.__dict__, "published": (now + timedelta(days=2)).isoformat(timespec="minutes")})
    with pytest.raises(InputError, match="in the future"):
        editorial.write(store, Grouping(), sara, ahead)
    assert articles.count_articles(store) == 0
    naive_past = (now - timedelta(hours=3)).replace(tzinfo=None).isoformat(timespec="minutes")
    clock_skew = (now + timedelta(minutes=4)).isoformat(timespec="seconds")
    for published in (naive_past, clock_skew):
        editorial.write(store, Grouping(), sara, Draft(**{**ARABIC.__dict__, "published": published}))
    assert articles.count_articles(store) == 2
    message = form.problems(ahead)[0]
    for language in ("ar", "fr"):
        assert interface(language).gettext(message) != message, language


def test_a_broken_form_document_is_a_recorded_rejection() -> None:
    for data in (b"{not json", b'{"format": "other"}', json.dumps({"format": form.FORMAT}).encode()):
        outcome = form.extract_editorial(Document("editorial:x", data, form.CONTENT_TYPE))
        assert isinstance(outcome, Rejected) and outcome.reason.startswith("editorial form:")


# --- the web newsroom -------------------------------------------------------------------------


@pytest.fixture
def newsroom(sqlite_store: Store) -> AsgiClient:
    editorial.add_user(sqlite_store, "sara@example.org", "editor", PASSWORD, name="Sara Benali")
    return app_client(sqlite_store, {"accept-language": "en"}, site_name="Rabat News")


def _sign_in(client: AsgiClient, email: str = "sara@example.org") -> dict[str, str]:
    done = client.post("/admin/login", data={"email": email, "password": PASSWORD, "next": "/admin/"})
    assert done.status_code == 303 and done.headers["location"] == "/admin/"
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    token = re.search(r"akhbar_session=([^;]+)", cookie)
    assert token is not None
    return {"cookie": f"akhbar_session={token.group(1)}"}


def _published(store: Store, answer: httpx.Response) -> tuple[int, int]:
    """The newsroom entry a form's answer went to, and the portal article it was published as."""
    found = re.fullmatch(r"/admin/articles/(\d+)/edit\?done=\w+(&article=\d+)?", answer.headers["location"])
    assert found is not None, answer.headers["location"]
    latest = drafts.latest(store, int(found.group(1)))
    assert latest is not None and latest[0].article_id is not None
    return latest[0].id, latest[0].article_id


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def test_the_newsroom_needs_a_signed_in_editor(newsroom: AsgiClient) -> None:
    for path in ("/admin/", "/admin/articles/new", "/admin/articles/1/edit"):
        answer = newsroom.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith(
            "/admin/login?next=/admin/"
        )
    assert newsroom.post("/admin/articles", data={"title": "x"}).status_code == 403
    wrong = newsroom.post("/admin/login", data={"email": "sara@example.org", "password": "nope nope nope"})
    assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
    assert "set-cookie" not in wrong.headers
    away = newsroom.post(
        "/admin/login", data={"email": "sara@example.org", "password": PASSWORD, "next": "//evil.example/"}
    )
    assert away.headers["location"] == "/admin/"
    page = newsroom.get("/admin/login")
    assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"


@pytest.mark.slow
def test_an_editor_writes_an_article_that_readers_see(newsroom: AsgiClient, sqlite_store: Store) -> None:
    signed = _sign_in(newsroom)
    page = newsroom.get("/admin/articles/new", headers=signed)
    assert page.status_code == 200 and 'value="Rabat News"' in page.text and "Sara Benali" in page.text
    csrf = _csrf(page)
    fields = {
        "csrf": csrf,
        "language": "fr",
        "title": "Le conseil <script>alert(1)</script> vote le budget",
        "body": "Le conseil municipal a voté le budget 2027 mardi soir.\r\n\r\nLe vote a été serré.",
        "authors": "Sara Benali, Omar Idrissi",
        "image_url": "https://img.example/conseil.jpg",
        "image_caption": "La salle du conseil",
    }
    assert (
        newsroom.post("/admin/articles", data={**fields, "csrf": "forged"}, headers=signed).status_code == 403
    )
    elsewhere = {**signed, "origin": "https://evil.example"}
    assert newsroom.post("/admin/articles", data=fields, headers=elsewhere).status_code == 403
    refused = newsroom.post("/admin/articles", data={**fields, "title": ""}, headers=signed)
    assert (
        refused.status_code == 400
        and "the title is empty" in refused.text
        and "Le vote a été serré." in refused.text
    )
    done = newsroom.post("/admin/articles", data=fields, headers={**signed, "origin": "http://testserver"})
    assert done.status_code == 303
    entry_id, article_id = _published(sqlite_store, done)

    shown = newsroom.get(f"/fr/articles/{article_id}")
    assert shown.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text and "<script>alert(1)" not in shown.text
    api = newsroom.get(f"/api/v1/articles/{article_id}").json()
    assert api["site_name"] == "Rabat News" and api["authors"] == ["Sara Benali", "Omar Idrissi"]
    assert api["body_paragraphs"] == [
        "Le conseil municipal a voté le budget 2027 mardi soir.",
        "Le vote a été serré.",
    ]
    assert api["image_caption"] == "La salle du conseil"
    home = newsroom.get("/fr/")
    assert "vote le budget" in home.text

    edit = newsroom.get(f"/admin/articles/{entry_id}/edit", headers=signed)
    assert edit.status_code == 200 and "Le vote a été serré." in edit.text
    newsroom.post(
        f"/admin/articles/{entry_id}", data={**fields, "title": "Le budget 2027 est voté"}, headers=signed
    )
    assert newsroom.get(f"/api/v1/articles/{article_id}").json()["title"] == "Le budget 2027 est voté"
    listed = newsroom.get("/admin/", headers=signed)
    assert "Le budget 2027 est voté" in listed.text and f"/admin/articles/{entry_id}/edit" in listed.text


def test_an_editor_flags_breaking_news_and_signs_out(newsroom: AsgiClient, sqlite_store: Store) -> None:
    signed = _sign_in(newsroom)
    csrf = _csrf(newsroom.get("/admin/articles/new", headers=signed))
    fields = {
        "csrf": csrf,
        "language": "en",
        "title": "Storm closes the port of Tangier",
        "body": "The port is closed.",
    }
    _, article_id = _published(sqlite_store, newsroom.post("/admin/articles", data=fields, headers=signed))
    flagged = newsroom.post(
        "/admin/breaking",
        data={"csrf": csrf, "article_id": str(article_id), "duration": "1h", "note": "port closed"},
        headers=signed,
    )
    assert flagged.status_code == 303
    (flag,) = newsroom.get("/api/v1/breaking").json()["flags"]
    assert flag["origin"] == "manual" and flag["created_by"] == "sara@example.org"
    assert "Storm closes the port of Tangier" in newsroom.get("/en/").text.split("</section>")[0]
    missing = newsroom.post("/admin/breaking", data={"csrf": csrf, "article_id": "999999"}, headers=signed)
    assert missing.status_code == 400
    newsroom.post(f"/admin/breaking/{flag['id']}/remove", data={"csrf": csrf}, headers=signed)
    assert newsroom.get("/api/v1/breaking").json()["flags"] == []
    assert newsroom.post("/admin/logout", data={"csrf": csrf}, headers=signed).status_code == 303
    assert newsroom.get("/admin/", headers=signed).status_code == 303


@pytest.mark.slow
def test_users_command(tmp_path: Path) -> None:
    def akhbar(*args: str, given: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "akhbar", "--data-dir", str(tmp_path), "users", *args],
            input=given,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    added = akhbar(
        "add",
        "Chief@Example.org",
        "--role",
        "admin",
        "--name",
        "Chief",
        "--password-stdin",
        given=PASSWORD + "\n",
    )
    assert added.returncode == 0 and added.stdout.strip() == "added chief@example.org (admin)"
    assert akhbar("add", "x@example.org", "--password-stdin", given="short\n").returncode == 2
    assert (
        akhbar("add", "x@example.org", "--role", "boss", "--password-stdin", given=PASSWORD).returncode == 2
    )
    assert akhbar("disable", "chief@example.org").returncode == 0
    (row,) = [json.loads(line) for line in akhbar("list", "--format", "json").stdout.splitlines()]
    assert row["email"] == "chief@example.org" and row["role"] == "admin" and row["disabled"] is True
    assert "password" not in json.dumps(row)
    assert akhbar("enable", "nobody@example.org").returncode == 2


def test_a_withdrawn_article_leaves_the_portal_and_stays_withdrawn(store: Store) -> None:
    sara = editorial.add_user(store, "sara@example.org", "editor", PASSWORD)
    omar = editorial.add_user(store, "omar@example.org", "editor", PASSWORD)
    article_id = editorial.write(store, Grouping(), sara, ARABIC)
    breaking.flag_article(store, article_id, breaking.parse_until("1h"))
    with pytest.raises(InputError, match="only an admin may withdraw it"):
        editorial.withdraw(store, Grouping(), omar, article_id)
    editorial.withdraw(store, Grouping(), sara, article_id)
    assert articles.get_article(store, article_id) is None
    assert search.search(store, "الترامواي").hits == []
    assert breaking.list_flags(store, active_only=True) == []
    assert editorial.written(store) == []
    ingest.reprocess(
        store, grouping=Grouping()
    )  # the revisions are replayed in order: the last one withdraws it again
    assert articles.count_articles(store) == 0
    with pytest.raises(InputError, match="was not written here"):
        editorial.withdraw(store, Grouping(), sara, article_id)


def test_the_withdraw_button(newsroom: AsgiClient, sqlite_store: Store) -> None:
    signed = _sign_in(newsroom)
    csrf = _csrf(newsroom.get("/admin/articles/new", headers=signed))
    fields = {"csrf": csrf, "language": "en", "title": "A mistaken report", "body": "It was not true."}
    entry_id, article_id = _published(
        sqlite_store, newsroom.post("/admin/articles", data=fields, headers=signed)
    )
    withdraw = f"/admin/articles/{entry_id}/withdraw"
    assert withdraw in newsroom.get(f"/admin/articles/{entry_id}/edit", headers=signed).text
    assert newsroom.post(withdraw, data={"csrf": "x"}, headers=signed).status_code == 403
    done = newsroom.post(withdraw, data={"csrf": csrf}, headers=signed)
    assert done.status_code == 303
    assert newsroom.get(f"/en/articles/{article_id}").status_code == 404
    assert newsroom.get(f"/api/v1/articles/{article_id}").status_code == 404


@pytest.mark.slow
def test_the_newsroom_speaks_arabic_french_and_english(sqlite_store: Store) -> None:
    editorial.add_user(sqlite_store, "sara@example.org", "editor", PASSWORD)
    client = app_client(sqlite_store, {"accept-language": "fr-MA,fr;q=0.9"})
    page = client.get("/admin/login")
    assert '<html lang="fr" dir="ltr">' in page.text and "Se connecter" in page.text
    arabic = client.get("/admin/login?ui=ar")
    assert '<html lang="ar" dir="rtl">' in arabic.text and "تسجيل الدخول" in arabic.text
    assert "akhbar_ui=ar" in arabic.headers["set-cookie"]
    assert '<html lang="ar"' in client.get("/admin/login", headers={"cookie": "akhbar_ui=ar"}).text
    wrong = client.post("/admin/login", data={"email": "sara@example.org", "password": "wrong password"})
    assert "Adresse ou mot de passe incorrect" in wrong.text
    signed = _sign_in(client)
    csrf = _csrf(client.get("/admin/articles/new", headers=signed))
    refused = client.post(
        "/admin/articles", data={"csrf": csrf, "language": "fr", "title": "", "body": "x"}, headers=signed
    )
    assert refused.status_code == 400 and "le titre est vide" in refused.text


def test_every_draft_problem_is_translated() -> None:
    long = Draft(
        "x" * 301,
        "y" * 100_001,
        "arabic",
        "s",
        image_url="ftp://x",
        image_caption="c" * 501,
        published="never",
        section="weather",
    )
    empty = Draft(" ", "\n", "ar", "s")
    messages = form.problems(long) + form.problems(empty)
    assert len(messages) == 9
    for language in ("ar", "fr"):
        gettext = interface(language).gettext
        assert all(gettext(m) != m for m in messages), language


def test_the_newsroom_shows_sources_and_rejected_pages(newsroom: AsgiClient, sqlite_store: Store) -> None:
    from akhbar.store import sources as store_sources

    assert newsroom.get("/admin/sources").status_code == 303
    with sqlite_store.transaction() as connection:
        source_id = store_sources.insert_source(
            connection,
            url="https://lematin.ma/rss",
            kind="feed",
            name="Le Matin",
            created_at=datetime.now(UTC),
        )
        store_sources.update_source(
            connection, source_id, consecutive_failures=2, last_status="error", last_error="fetch: timed out"
        )
    hostile = Document("editorial:x", b'{"format": "<b>other</b>"}', form.CONTENT_TYPE)
    assert ingest.ingest_document(sqlite_store, hostile, grouping=Grouping()).status == "rejected"
    page = newsroom.get("/admin/sources", headers=_sign_in(newsroom))
    assert page.status_code == 200
    assert (
        "https://lematin.ma/rss" in page.text and "failing" in page.text and "fetch: timed out" in page.text
    )
    assert "editorial:x" in page.text and "not an akhbar editorial form" in page.text


@pytest.mark.slow
def test_an_admin_follows_and_drops_sources_from_the_newsroom(
    newsroom: AsgiClient, sqlite_store: Store
) -> None:
    from httpserver import FixtureServer
    from test_sources_refresh import make_settings

    server = FixtureServer().start()
    try:
        editorial.add_user(sqlite_store, "chief@example.org", "admin", PASSWORD)
        client = app_client(sqlite_store, {"accept-language": "en"}, settings=make_settings(sqlite_store.url))
        chief = _sign_in(client, "chief@example.org")
        page = client.get("/admin/sources", headers=chief)
        assert 'action="/admin/sources"' in page.text
        csrf = _csrf(page)
        feed = server.url("/gen/json?n=2&start=300")
        done = client.post(
            "/admin/sources", data={"csrf": csrf, "url": feed, "language": "fr"}, headers=chief
        )
        assert done.status_code == 303
        (followed,) = sources.list_sources(sqlite_store)
        assert (followed.url, followed.kind, followed.language) == (feed, "feed", "fr")
        again = client.post("/admin/sources", data={"csrf": csrf, "url": feed}, headers=chief)
        assert again.status_code == 400 and "already followed" in again.text

        editor = _sign_in(client)
        assert 'action="/admin/sources"' not in client.get("/admin/sources", headers=editor).text
        editor_csrf = _csrf(client.get("/admin/articles/new", headers=editor))
        refused = client.post(
            f"/admin/sources/{followed.id}/remove", data={"csrf": editor_csrf}, headers=editor
        )
        assert refused.status_code == 403
        assert newsroom.get("/admin/sources", headers=_sign_in(newsroom)).text.count("Stop following") == 0

        gone = client.post(f"/admin/sources/{followed.id}/remove", data={"csrf": csrf}, headers=chief)
        assert gone.status_code == 303 and sources.list_sources(sqlite_store) == []
    finally:
        server.stop()


@pytest.mark.slow
def test_refusals_are_said_in_the_newsroom_language(newsroom: AsgiClient, sqlite_store: Store) -> None:
    omar = editorial.add_user(sqlite_store, "omar@example.org", "editor", PASSWORD)
    article_id = drafts.publish(sqlite_store, Grouping(), omar, drafts.save(sqlite_store, omar, ARABIC).id).id
    editorial.add_user(sqlite_store, "chief@example.org", "admin", PASSWORD)
    sara = _sign_in(newsroom)
    french = {**sara, "accept-language": "fr"}
    csrf = _csrf(newsroom.get("/admin/articles/new", headers=french))
    fields = {"csrf": csrf, "language": "ar", "title": "عنوان آخر", "body": "نص آخر للمقال."}
    refused = newsroom.post(f"/admin/articles/{article_id}", data=fields, headers=french)
    assert refused.status_code == 400
    assert (
        f"l&#39;article {article_id} est celui de omar@example.org ; seul un administrateur peut le modifier"
        in refused.text
    )
    chief = {**_sign_in(newsroom, "chief@example.org"), "accept-language": "ar"}
    csrf = _csrf(newsroom.get("/admin/users", headers=chief))
    taken = newsroom.post(
        "/admin/users",
        data={"csrf": csrf, "email": "Omar@example.org", "role": "editor", "password": PASSWORD},
        headers=chief,
    )
    assert taken.status_code == 400 and "لدى omar@example.org حساب بالفعل" in taken.text
    kept = newsroom.post(
        f"/admin/articles/{article_id}/withdraw", data={"csrf": _csrf(refused)}, headers=french
    )
    assert kept.status_code == 403 and "seul un administrateur peut le retirer" in kept.text
    assert 'class="admin"' in kept.text, "a refusal is said in the newsroom's own layout"
    latest = drafts.latest(sqlite_store, article_id)
    assert latest is not None and articles.get_article(sqlite_store, latest[0].article_id or 0) is not None
    short = newsroom.post(
        "/admin/users",
        data={"csrf": csrf, "email": "x@example.org", "role": "editor", "password": "short"},
        headers={**chief, "accept-language": "en"},
    )
    assert short.status_code == 400 and "a password needs 10 to 1024 characters" in short.text
    assert "users:" not in short.text  # the command line's prefix stays on the command line


@pytest.mark.slow
def test_an_admin_manages_accounts_in_the_newsroom(newsroom: AsgiClient, sqlite_store: Store) -> None:
    editorial.add_user(sqlite_store, "chief@example.org", "admin", PASSWORD)
    chief = _sign_in(newsroom, "chief@example.org")
    page = newsroom.get("/admin/users", headers=chief)
    assert page.status_code == 200 and "sara@example.org" in page.text
    csrf = _csrf(page)
    added = newsroom.post(
        "/admin/users",
        data={
            "csrf": csrf,
            "email": "Omar@Example.org",
            "name": "Omar",
            "role": "editor",
            "password": PASSWORD,
        },
        headers=chief,
    )
    assert added.status_code == 303
    assert editorial.authenticate(sqlite_store, "omar@example.org", PASSWORD) is not None
    short = newsroom.post(
        "/admin/users",
        data={"csrf": csrf, "email": "x@example.org", "role": "editor", "password": "short"},
        headers=chief,
    )
    assert short.status_code == 400 and "10 to 1024 characters" in short.text
    sara = next(u for u in editorial.list_users(sqlite_store) if u.email == "sara@example.org")
    editor = _sign_in(newsroom)
    assert newsroom.get("/admin/users", headers=editor).status_code == 403
    assert (
        newsroom.post(f"/admin/users/{sara.id}/disable", data={"csrf": csrf}, headers=chief).status_code
        == 303
    )
    assert newsroom.get("/admin/", headers=editor).status_code == 303, "a disabled editor is signed out"
    me = next(u for u in editorial.list_users(sqlite_store) if u.role == "admin")
    assert (
        newsroom.post(f"/admin/users/{me.id}/disable", data={"csrf": csrf}, headers=chief).status_code == 400
    )
    assert (
        newsroom.post(f"/admin/users/{sara.id}/enable", data={"csrf": csrf}, headers=chief).status_code == 303
    )
    assert editorial.authenticate(sqlite_store, "sara@example.org", PASSWORD) is not None
