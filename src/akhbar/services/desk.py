"""The breaking-news desk: recent articles and stories to flag, active flags with who set them,
detected breaking stories with their velocity for an editor to confirm or dismiss.

Only editors and admins flag, confirm, dismiss and remove; each of these is in the audit log.
A dismissed detection ends the flag at once, and the detector does not flag that story again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from akhbar.errors import InputError
from akhbar.models import ArticleSummary, BreakingFlag, Story
from akhbar.services import breaking, portal, stories
from akhbar.services.drafts import may_publish
from akhbar.store import Store
from akhbar.store import audit as log_rows
from akhbar.store import desk as rows
from akhbar.store.desk import Review
from akhbar.store.users import User

__all__ = ["Desk", "Review", "desk", "flag", "remove", "review"]


@dataclass(frozen=True)
class Desk:
    articles: list[ArticleSummary]  # recent or matching the search, aggregated and written
    stories: list[Story]  # the most recently active, fastest first
    flags: list[BreakingFlag]  # running now, newest first
    reviews: dict[int, Review]
    velocity: dict[int, float]  # story id -> velocity, for the detected flags


def desk(store: Store, query: str | None = None, *, limit: int = 30) -> Desk:
    """What the desk shows: articles matching ``query`` (else the latest), stories, running flags."""
    found = (
        [f.article for f in portal.search(store, query, limit=limit)]
        if query
        else portal.latest(store, limit=limit)
    )
    live = sorted(stories.list_stories(store, limit=limit), key=lambda s: s.velocity, reverse=True)
    running = breaking.list_flags(store, active_only=True)
    with store.reading() as connection:
        reviewed = rows.reviews(connection, [f.id for f in running])
        velocity = {}
        for f in running:
            if f.story_id is not None:
                story = stories.get_story(connection, f.story_id)
                velocity[f.story_id] = story.velocity if story else 0.0
    return Desk(found, live, running, reviewed, velocity)


def _editor(user: User) -> None:
    if not may_publish(user):
        raise InputError.about("only an editor may flag breaking news")


def flag(
    store: Store,
    user: User,
    article_id: int,
    until: datetime,
    *,
    story: bool = False,
    note: str | None = None,
) -> BreakingFlag:
    """Flag an article (or its whole story) until ``until``, in the editor's name."""
    _editor(user)
    if until <= datetime.now(UTC):
        raise InputError.about("the end of the flag is in the past")
    done = breaking.flag_article(store, article_id, until, story=story, note=note, created_by=user.email)
    with store.transaction() as connection:
        what = f"story {done.story_id}" if done.story_id else f"portal article {article_id}"
        log_rows.record(
            connection,
            actor=user.email,
            action="flag",
            target=what,
            now=datetime.now(UTC),
            detail=f"until {until.isoformat(timespec='minutes')}" + (f": {note}" if note else ""),
        )
    return done


def remove(store: Store, user: User, flag_id: int) -> None:
    _editor(user)
    if not breaking.remove_flag(store, flag_id):
        raise InputError.about("no breaking flag {flag}", flag=flag_id)
    with store.transaction() as connection:
        log_rows.record(
            connection, actor=user.email, action="unflag", target=f"flag {flag_id}", now=datetime.now(UTC)
        )


def review(store: Store, user: User, flag_id: int, verdict: str) -> None:
    """Confirm a flag (it runs on, now in the editor's name too) or dismiss it (it ends now)."""
    _editor(user)
    if verdict not in ("confirmed", "dismissed"):
        raise InputError.about("a flag is confirmed or dismissed")
    now = datetime.now(UTC)
    with store.transaction() as connection:
        if not rows.review(connection, flag_id, verdict, user.email, now, end=verdict == "dismissed"):
            raise InputError.about("no breaking flag {flag}", flag=flag_id)
        action = "confirm" if verdict == "confirmed" else "dismiss"
        log_rows.record(connection, actor=user.email, action=action, target=f"flag {flag_id}", now=now)


def is_dismissed(store: Store, story_id: int) -> bool:
    with store.reading() as connection:
        return rows.dismissed(connection, story_id)
