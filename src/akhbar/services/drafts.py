"""The newsroom's articles through their life: draft → scheduled → published → corrected or withdrawn.

Every save keeps a revision (author, time, why); autosaves replace the author's previous autosave
until something else is saved. Nothing reaches the portal before it is published: publishing turns
the latest revision into an editorial raw document (:mod:`akhbar.extract.editorial`) and ingests it
like any page (extraction, duplicates, stories, search). A correction publishes a new revision and
keeps the first publication time; readers see it as "updated" at the correction's time.

Who may do what: contributors write and save their own drafts; editors also schedule, publish,
correct and withdraw, their own articles and contributors'; admins anything. Every change is
written to the audit log (:mod:`akhbar.services.audit`).

A scheduled article is published by :func:`publish_due`, which the embedded runner and the
Procrastinate workers both call every minute; :func:`akhbar.store.drafts.claim_due` makes sure one
of them, and only one, publishes each article.
"""

from __future__ import annotations

import html
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import sqlalchemy as sa

from akhbar.errors import InputError
from akhbar.extract import editorial as form
from akhbar.extract import richtext
from akhbar.extract.editorial import Draft
from akhbar.models import as_utc
from akhbar.services import ingest, media
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.store import audit as log_rows
from akhbar.store import drafts as rows
from akhbar.store import users as accounts
from akhbar.store.drafts import Entry, Revision
from akhbar.store.tables import articles
from akhbar.store.users import User

__all__ = ["Entry", "Revision", "may_edit", "may_publish"]

log = logging.getLogger(__name__)
SCHEDULER = "scheduler"  # the actor the audit log names for scheduled publications


def may_publish(user: User) -> bool:
    """Editors and admins publish, schedule, correct, withdraw and flag; contributors do not."""
    return user.role in ("editor", "admin")


def may_edit(user: User, entry: Entry, creator_role: str | None) -> bool:
    """Admins edit everything; editors their own articles and contributors'; contributors their
    own drafts."""
    if user.role == "admin":
        return True
    own = entry.created_by == user.email
    if user.role == "editor":
        return own or creator_role == "contributor"
    return own and entry.state == "draft"


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _editable(connection: sa.Connection, user: User, entry_id: int, doing: str) -> Entry:
    entry = rows.get_entry(connection, entry_id)
    if entry is None:
        raise InputError.about("no article {article} in the newsroom", article=entry_id)
    creator = accounts.by_email(connection, entry.created_by)
    if not may_edit(user, entry, creator.role if creator else None):
        if doing == "edit":
            raise InputError.about(
                "article {article} is {author}'s; only an admin may edit it",
                article=entry_id,
                author=entry.created_by,
            )
        raise InputError.about(
            "article {article} is {author}'s; only an admin may withdraw it",
            article=entry_id,
            author=entry.created_by,
        )
    return entry


def _publisher(user: User) -> None:
    if not may_publish(user):
        raise InputError.about("only an editor may publish, schedule or withdraw articles")


def save(
    store: Store,
    user: User,
    draft: Draft,
    *,
    entry_id: int | None = None,
    kind: str = "save",
    now: datetime | None = None,
) -> Entry:
    """Keep ``draft`` as a new revision of ``entry_id`` (a new draft when None); returns the entry.

    A draft may be incomplete (an empty title or text) until it is published; what is wrong with
    its metadata (or a publication time that is no time, or in the future) is refused at once.
    """
    now = _now(now)
    wrong = [p for p in form.problems(draft, now=now) if "empty" not in p]  # a draft may be unfinished
    if wrong:
        raise InputError("; ".join(wrong))
    with store.transaction() as connection:
        if entry_id is None:
            new_id = rows.insert_entry(
                connection,
                key=secrets.token_hex(8),
                title=draft.title.strip(),
                created_by=user.email,
                now=now,
            )
            entry = rows.get_entry(connection, new_id)
            assert entry is not None  # just inserted in this transaction
        else:
            entry = _editable(connection, user, entry_id, "edit")
        number = rows.add_revision(
            connection, entry, kind=kind, author=user.email, now=now, form=form.form_fields(draft)
        )
        if kind != "autosave":
            log_rows.record(
                connection,
                actor=user.email,
                action=kind,
                target=f"article {entry.id}",
                now=now,
                detail=f"revision {number}: {draft.title.strip()}",
            )
        found = rows.get_entry(connection, entry.id)
    assert found is not None
    return found


def latest(store: Store, entry_id: int) -> tuple[Entry, Draft] | None:
    """An entry and the draft of its latest revision."""
    with store.reading() as connection:
        entry = rows.get_entry(connection, entry_id)
        found = rows.revision(connection, entry_id, entry.revision) if entry and entry.revision else None
    if entry is None or found is None:
        return None
    return entry, form.draft_of(found.form)


def schedule(
    store: Store, user: User, entry_id: int, when: datetime, *, now: datetime | None = None
) -> Entry:
    """Publish ``entry_id`` at ``when`` (in the future); its latest revision then is what appears."""
    now = _now(now)
    _publisher(user)
    if when <= now:
        raise InputError.about("the publication time is in the past: publish now instead")
    with store.transaction() as connection:
        entry = _editable(connection, user, entry_id, "edit")
        if entry.state == "published":
            raise InputError.about("article {article} is already published", article=entry_id)
        _complete(connection, entry)
        rows.update_entry(
            connection,
            entry.id,
            state="scheduled",
            publish_at=when,
            claimed_at=None,
            last_error=None,
            updated_at=now,
        )
        log_rows.record(
            connection,
            actor=user.email,
            action="schedule",
            target=f"article {entry.id}",
            now=now,
            detail=when.isoformat(timespec="minutes"),
        )
        found = rows.get_entry(connection, entry.id)
    assert found is not None
    return found


def unschedule(store: Store, user: User, entry_id: int, *, now: datetime | None = None) -> None:
    """A scheduled article goes back to being a draft."""
    now = _now(now)
    _publisher(user)
    with store.transaction() as connection:
        entry = _editable(connection, user, entry_id, "edit")
        if entry.state == "scheduled":
            rows.update_entry(connection, entry.id, state="draft", publish_at=None, updated_at=now)
            log_rows.record(
                connection, actor=user.email, action="unschedule", target=f"article {entry.id}", now=now
            )


def _complete(connection: sa.Connection, entry: Entry) -> tuple[int, Draft]:
    """The latest saved revision (autosaves are work in progress) and its draft, if it can be
    published; else :class:`InputError` saying why."""
    found = rows.latest_saved(connection, entry.id)
    if found is None:
        raise InputError.about("article {article} has nothing saved yet", article=entry.id)
    draft = form.draft_of(found.form)
    wrong = form.problems(replace(draft, published=None))
    if wrong:
        raise InputError("; ".join(wrong))
    return found.number, draft


def publish(
    store: Store, grouping: Grouping, user: User, entry_id: int, *, now: datetime | None = None
) -> Entry:
    """Publish the latest saved revision now: the first time, again after a withdrawal, or as a
    correction (keeping the first publication time)."""
    _publisher(user)
    with store.reading() as connection:
        _editable(connection, user, entry_id, "edit")
    return _publish(store, grouping, entry_id, user.email, _now(now))


def _publish(store: Store, grouping: Grouping, entry_id: int, actor: str, now: datetime) -> Entry:
    with store.reading() as connection:
        entry = rows.get_entry(connection, entry_id)
        if entry is None:
            raise InputError.about("no article {article} in the newsroom", article=entry_id)
        number, draft = _complete(connection, entry)
    # the first publication's time: kept through corrections; an earlier time the form gives (a
    # story written after the fact); else now
    given = as_utc(datetime.fromisoformat(draft.published)) if draft.published else None
    first = entry.published_at or (given if given is not None and given < now else now)
    correcting = entry.state == "published"
    published = replace(draft, published=first.isoformat(timespec="seconds"), markup=draft.markup)
    document = form.document(entry.key, published, revision=number, saved_by=actor, saved_at=now)
    result = ingest.ingest_document(store, document, grouping=grouping)
    article_id = result.article_id or _article_of(store, entry.key)
    if article_id is None:
        raise InputError(result.reason or f"the article could not be stored ({result.status})")
    media.show_photo(store, article_id, draft.image_url)
    with store.transaction() as connection:
        rows.update_entry(
            connection,
            entry.id,
            state="published",
            article_id=article_id,
            live_revision=number,
            published_at=first,
            corrected_at=now if correcting else entry.corrected_at,
            publish_at=None,
            claimed_at=None,
            last_error=None,
            updated_at=now,
        )
        log_rows.record(
            connection,
            actor=actor,
            action="correct" if correcting else "publish",
            target=f"article {entry.id}",
            now=now,
            detail=f"revision {number} as portal article {article_id}",
        )
        found = rows.get_entry(connection, entry.id)
    log.info("newsroom: %s published entry %s as article %s", actor, entry.id, article_id)
    assert found is not None
    return found


def _article_of(store: Store, key: str) -> int | None:
    """The portal article of an editorial key (a revision ingested before, e.g. by an earlier try)."""
    with store.reading() as connection:
        found = connection.execute(
            sa.select(articles.c.id).where(articles.c.key == form.LOCATION_PREFIX + key)
        ).scalar()
    return None if found is None else int(found)


def publish_due(store: Store, grouping: Grouping, *, now: datetime | None = None) -> list[int]:
    """Publish every scheduled article whose time has come; returns the ids this call published.

    Safe to call from any number of processes at once: each article is claimed by one of them.
    A failure is recorded on the article (``last_error``) and it is tried again after the claim's lease.
    """
    now = _now(now)
    with store.reading() as connection:
        due = rows.due_ids(connection, now)
    done = []
    for entry_id in due:
        with store.transaction() as connection:
            if not rows.claim_due(connection, entry_id, now):
                continue
        try:
            _publish(store, grouping, entry_id, SCHEDULER, now)
        except Exception as exc:  # recorded on the entry; the claim's lease lets a later tick retry
            log.exception("newsroom: scheduled article %s could not be published", entry_id)
            with store.transaction() as connection:
                rows.update_entry(connection, entry_id, last_error=f"{type(exc).__name__}: {exc}"[:1000])
            continue
        done.append(entry_id)
    return done


def withdraw(
    store: Store, grouping: Grouping, user: User, entry_id: int, *, now: datetime | None = None
) -> None:
    """Take a published article off the portal (its stories and search too); its revisions stay."""
    now = _now(now)
    _publisher(user)
    with store.reading() as connection:
        entry = _editable(connection, user, entry_id, "withdraw")
        live = rows.revision(connection, entry.id, entry.live_revision or entry.revision)
    if entry.state == "published" and live is not None:
        draft = form.draft_of(live.form)
        document = form.document(
            entry.key, draft, revision=live.number, saved_by=user.email, saved_at=now, withdrawn=True
        )
        result = ingest.ingest_document(store, document, grouping=grouping)
        if result.status != "rejected":
            raise InputError(result.reason or f"article {entry_id} could not be withdrawn ({result.status})")
    with store.transaction() as connection:
        rows.update_entry(connection, entry.id, state="withdrawn", publish_at=None, updated_at=now)
        log_rows.record(
            connection, actor=user.email, action="withdraw", target=f"article {entry.id}", now=now
        )


def entries(store: Store, *, state: str | None = None, query: str | None = None) -> list[Entry]:
    with store.reading() as connection:
        return rows.list_entries(connection, state=state, query=query)


def of_article(store: Store, article_id: int) -> tuple[Entry, Draft] | None:
    """The newsroom entry a portal article was published from, with its published draft."""
    with store.reading() as connection:
        entry = rows.published_as(connection, article_id)
        if entry is None or entry.state != "published" or entry.live_revision is None:
            return None
        found = rows.revision(connection, entry.id, entry.live_revision)
    return None if found is None else (entry, form.draft_of(found.form))


def body_html(draft: Draft) -> str:
    """The text of ``draft`` as the portal shows it: sanitised HTML, each block ``dir="auto"``."""
    if draft.markup == "markdown":
        return richtext.to_html(draft.body)
    return "".join(f'<p dir="auto">{html.escape(line)}</p>\n' for line in draft.paragraphs)


@dataclass(frozen=True)
class ReaderView:
    """What the portal adds to an article published from the newsroom."""

    body_html: str  # sanitised
    updated: datetime | None  # the latest correction
    summary: str | None
    tags: tuple[str, ...]
    slug: str | None


def reader_view(store: Store, article_id: int) -> ReaderView | None:
    """The newsroom's part of a portal article (None for an article not published from it)."""
    found = of_article(store, article_id)
    if found is None:
        return None
    entry, draft = found
    return ReaderView(body_html(draft), entry.corrected_at, draft.summary, draft.tags, draft.slug)


def summaries(store: Store, article_ids: list[int]) -> dict[int, str]:
    """The editors' summaries of the portal articles among ``article_ids`` (for feeds)."""
    with store.reading() as connection:
        forms = rows.live_forms(connection, article_ids)
    return {article_id: str(found["summary"]) for article_id, found in forms.items() if found.get("summary")}
