"""The newsroom's life cycle on SQLite and PostgreSQL: drafts, autosaves, schedules published exactly
once, corrections that keep the publication time, withdrawals, revisions, diffs, restores, the audit log."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from akhbar.errors import InputError
from akhbar.extract.editorial import Draft
from akhbar.services import articles, audit, drafts, editorial, revisions
from akhbar.services.stories import Grouping
from akhbar.store import Store

PASSWORD = "a long enough password"
QUOTE = "« Nous sommes fiers de ce tramway », a déclaré le maire."
DRAFT = Draft(
    title="افتتاح خط الترامواي الجديد في سلا",
    body=f"افتتح اليوم **خط الترامواي** الجديد.\n\n## ردود الفعل\n\n> {QUOTE}\n\n- 12 كيلومترا\n- 20 محطة",
    language="ar",
    site_name="أخبار الرباط",
    authors=("سارة بنعلي",),
    summary="خط جديد يربط سلا بالرباط",
    tags=("نقل", "سلا"),
    slug="ترامواي-سلا",
    markup="markdown",
)


def _people(store: Store) -> tuple[editorial.User, editorial.User, editorial.User]:
    return (
        editorial.add_user(store, "sara@example.org", "editor", PASSWORD),
        editorial.add_user(store, "nadia@example.org", "contributor", PASSWORD),
        editorial.add_user(store, "omar@example.org", "editor", PASSWORD),
    )


def test_a_draft_is_published_on_schedule_exactly_once(store: Store) -> None:
    sara, nadia, omar = _people(store)
    now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    entry = drafts.save(store, nadia, DRAFT, now=now, kind="autosave")
    again = drafts.save(
        store, nadia, DRAFT, entry_id=entry.id, now=now + timedelta(seconds=5), kind="autosave"
    )
    assert (entry.state, again.revision) == ("draft", 1), "an autosave replaces the previous autosave"
    with pytest.raises(InputError, match="nothing saved yet"):
        drafts.schedule(store, sara, entry.id, now + timedelta(hours=1), now=now)  # autosaves are drafts
    drafts.save(store, nadia, DRAFT, entry_id=entry.id, now=now + timedelta(seconds=9))
    drafts.save(
        store, nadia, Draft(**{**DRAFT.__dict__, "body": "نص لم"}), entry_id=entry.id, kind="autosave"
    )
    with pytest.raises(InputError, match="only an editor"):
        drafts.schedule(store, nadia, entry.id, now + timedelta(hours=1), now=now)
    with pytest.raises(InputError, match="in the past"):
        drafts.schedule(store, sara, entry.id, now - timedelta(minutes=1), now=now)
    at = now + timedelta(hours=1)
    assert drafts.schedule(store, sara, entry.id, at, now=now).state == "scheduled"
    assert drafts.publish_due(store, Grouping(), now=now + timedelta(minutes=59)) == []

    results: list[list[int]] = []
    runners = [
        threading.Thread(target=lambda: results.append(drafts.publish_due(store, Grouping(), now=at)))
        for _ in range(4)
    ]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    assert sorted(len(r) for r in results) == [0, 0, 0, 1], "one runner, and only one, publishes it"
    published = drafts.latest(store, entry.id)
    assert published is not None and published[0].state == "published"
    article = articles.get_article(store, published[0].article_id or 0)
    assert article is not None and article.article.published == at.isoformat(timespec="seconds")
    assert QUOTE in article.article.body_paragraphs and "ردود الفعل" in article.article.body_paragraphs
    assert drafts.publish_due(store, Grouping(), now=at + timedelta(hours=1)) == []
    assert [e.action for e in audit.events(store)][:2] == ["publish", "schedule"]
    assert audit.events(store)[0].actor == drafts.SCHEDULER
    assert drafts.save(store, omar, DRAFT, entry_id=entry.id).revision == 4, "editors edit contributors' work"
    with pytest.raises(InputError, match="only an admin may edit"):
        drafts.save(store, nadia, DRAFT, entry_id=entry.id)  # a contributor's own, once published


def test_corrections_keep_the_time_and_revisions_restore(store: Store) -> None:
    sara, _, omar = _people(store)
    first = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    entry = drafts.save(store, sara, DRAFT, now=first)
    published = drafts.publish(store, Grouping(), sara, entry.id, now=first)
    article_id = published.article_id or 0
    with pytest.raises(InputError, match="only an admin may withdraw"):
        drafts.withdraw(store, Grouping(), omar, entry.id)
    fixed = Draft(**{**DRAFT.__dict__, "title": "افتتاح خط الترامواي في سلا والرباط"})
    later = first + timedelta(hours=2)
    drafts.save(store, sara, fixed, entry_id=entry.id, now=later)
    autosaved = Draft(**{**fixed.__dict__, "body": "نص لم يكتمل"})
    drafts.save(store, sara, autosaved, entry_id=entry.id, now=later, kind="autosave")
    shown = drafts.of_article(store, article_id)
    assert shown is not None and shown[1].title == DRAFT.title, "readers see what was published, not drafts"
    revisions.restore(store, sara, entry.id, 2, now=later)
    corrected = drafts.publish(store, Grouping(), sara, entry.id, now=later)
    assert (corrected.article_id, corrected.published_at, corrected.corrected_at) == (
        article_id,
        first,
        later,
    )
    stored = articles.get_article(store, article_id)
    assert stored is not None and stored.article.title == fixed.title
    assert stored.article.published == first.isoformat(timespec="seconds")
    numbers = [(r.number, r.kind) for r in revisions.history(store, entry.id)]
    assert numbers == [(4, "restore"), (3, "autosave"), (2, "save"), (1, "save")]
    changes = revisions.diff(store, entry.id, 1, 2)
    assert ("removed", DRAFT.title) in [(c.kind, c.text) for c in changes]
    assert ("added", fixed.title) in [(c.kind, c.text) for c in changes]
    with pytest.raises(InputError, match="no revision 9"):
        revisions.diff(store, entry.id, 1, 9)
    drafts.withdraw(store, Grouping(), sara, entry.id, now=later)
    assert articles.get_article(store, article_id) is None
    assert drafts.of_article(store, article_id) is None
    other = Draft(**{**DRAFT.__dict__, "title": "مقال آخر تماما عن الطقس", "body": "أمطار غزيرة في الشمال."})
    again = drafts.publish(store, Grouping(), sara, drafts.save(store, sara, other).id, now=later)
    shown = drafts.of_article(store, again.article_id or 0)
    assert shown is not None and shown[1].title == other.title, "a reused article id is the new article's"


def test_drafts_may_be_incomplete_but_not_published_so(store: Store) -> None:
    sara, _, _ = _people(store)
    empty = Draft(title="", body="", language="ar", site_name="x", markup="markdown")
    entry = drafts.save(store, sara, empty)
    with pytest.raises(InputError, match="the title is empty"):
        drafts.publish(store, Grouping(), sara, entry.id)
    with pytest.raises(InputError, match="slug"):
        drafts.save(store, sara, Draft(**{**DRAFT.__dict__, "slug": "a b/c"}))
