"""Re-checking a story's members when a later article proves where they belong.

Online grouping decides each article once, in the order articles arrive: a translation that arrives
before its siblings may join another event's story (its language is new there, which counts for
it), and when its siblings arrive and start their own story, nothing brings it back. When an
article joins a story and also fits another that is not the same story (their centroids do not
merge), the other story's members are compared again: a member that reads closer to the story the
article joined (:func:`akhbar.stories.grouping.score`, the join's own rule) than to the rest of its
own story moves there, with the copies of its text, unless that story holds its template filled
with other names (as a new article never joins such a story).

Versions of one article in several languages are brought together whichever arrives first
(:mod:`akhbar.stories.versions` tells a translation by its shape): a member that is the arriving
article in another language moves with it (:func:`leavers`), and an article arriving after its
translations joins the story holding them when they read closer to that story than to the article
(:func:`version_home`).

Only small stories are re-checked (``grouping.MOVABLE`` articles at most): a long story's members have been
confirmed by many articles since, and reading them all would cost every placement.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa

from akhbar.services import copies
from akhbar.store import stories as records
from akhbar.store import story_members
from akhbar.store.story_members import MemberRow
from akhbar.stories import features, versions
from akhbar.stories import grouping as assignment
from akhbar.stories.embedding import from_bytes, to_bytes

log = logging.getLogger(__name__)


def member_features(row: MemberRow) -> assignment.Features:
    when = features.published_time(row.published, row.created_at)
    keys = features.entity_keys(row.title, row.body_paragraphs)
    shape = versions.shape_of(row.language, row.body_paragraphs)
    return assignment.Features(from_bytes(row.embedding), keys, when, row.language, shape=shape)


def leavers(
    joined: assignment.Candidate,
    rows: Sequence[MemberRow],
    settings: assignment.Settings,
    article: assignment.Features | None = None,
) -> list[MemberRow]:
    """The members (their own texts, not copies) that belong to ``joined``: closer to it than to the
    rest of their story (:func:`assignment.leaving`), or versions of ``article``, which joined it, in
    another language (:func:`assignment.versions`)."""
    own = [row for row in rows if row.original is None]
    placed = [member_features(row) for row in own]
    going = set(assignment.leaving(joined, placed, settings))
    if article is not None:
        going |= set(assignment.versions(article, placed, settings))
    return [own[n] for n in sorted(going)]


def version_home(
    connection: sa.Connection,
    article: assignment.Features,
    latest: dict[int, list[records.Member]],
    candidates: Sequence[assignment.Candidate],
    joining: int | None,
    settings: assignment.Settings,
) -> tuple[int, bool] | None:
    """The candidate story (other than ``joining``) that holds ``article`` in another language
    (:func:`assignment.versions`), if one does, and whether that version stays there: it reads
    closer to the rest of its story than to the article alone (the article then joins it, even when
    that story, broad or with versions in its language already, reads far from it), or not (it was
    placed there before its translations came, and follows the article). Only members in another
    language whose score as a story of one could reach the join (:func:`assignment.within_reach`)
    are read from the store."""
    if article.shape is None:
        return None
    pool = [
        (story_id, member)
        for story_id, members in latest.items()
        if story_id != joining
        for member in members
        if member.language is not None and member.language != article.language
    ]
    reach = assignment.within_reach(article.embedding, [m.embedding for _, m in pool], settings, article)
    near = [pair for pair, close in zip(pool, reach, strict=True) if close]
    if not near:
        return None
    alone = assignment.story_of(0, [article])
    rows = {
        r.article_id: r for r in story_members.articles_by_id(connection, [m.article_id for _, m in near])
    }
    stories = {candidate.story_id: candidate for candidate in candidates}
    for story_id, member in near:
        row = rows.get(member.article_id)
        if row is None or story_id not in stories:
            continue
        version = member_features(row)
        if assignment.versions(article, [version], settings):
            rest = _rest(stories[story_id], version, [m for m in latest[story_id] if m is not member])
            there = assignment.score(version, rest, settings) if rest is not None else -1.0
            return story_id, there > assignment.score(version, alone, settings)
    return None


def _rest(
    story: assignment.Candidate, member: assignment.Features, others: Sequence[records.Member]
) -> assignment.Candidate | None:
    """The story without one of its members (None: it has no other)."""
    if story.count <= 1:
        return None
    vectors = tuple(from_bytes(m.embedding) for m in others)
    entities = {k: n - (k in member.entities) for k, n in story.entities.items()}
    return assignment.Candidate(
        story.story_id,
        (story.centroid - member.embedding).astype(story.centroid.dtype),
        story.count - 1,
        story.first_seen,
        story.last_seen,
        {k: n for k, n in entities.items() if n > 0},
        frozenset(m.language for m in others if m.language),
        vectors if len(vectors) > assignment.NEAREST else (),
    )


def _other_events(connection: sa.Connection, row: MemberRow) -> frozenset[int]:
    """The stories holding this member's template filled with other names (never its place)."""
    body = copies.body_of(row.body_paragraphs or (row.title,), row.title)
    return copies.find(connection, row.article_id, body, body.signature.bands()).other_events


def rehome(
    connection: sa.Connection,
    story: records.StoryRecord,
    joined: assignment.Candidate,
    others: Sequence[assignment.Candidate],
    settings: assignment.Settings,
    source_of: Callable[[MemberRow], str],
    article: assignment.Features | None = None,
) -> list[assignment.Features]:
    """Move to ``story`` (whose grouping state is ``joined``, which ``article`` just joined) the
    members of ``others`` that belong there, and update both stories' records; the moved members
    (their keys are the caller's). A story left with no member of its own is merged into ``story``."""
    moved: list[assignment.Features] = []
    for other in others:
        if other.story_id == story.id or other.count > assignment.MOVABLE:
            continue
        rows = story_members.members(connection, other.story_id)
        leaving = [
            row
            for row in leavers(joined, rows, settings, article)
            if story.id not in _other_events(connection, row)
        ]
        if not leaving:
            continue
        record = records.get_story(connection, other.story_id, lock=True)
        if record is None or record.id != other.story_id or story.id is None:
            continue  # merged meanwhile: it is someone else's to re-check
        going = {row.article_id for row in leaving}
        going |= {row.article_id for row in rows if row.original in going}
        log.info("stories: moving articles %s from story %s to %s", sorted(going), record.id, story.id)
        story_members.move(connection, sorted(going), story.id)
        for row in (row for row in rows if row.article_id in going):
            item = member_features(row)
            if row.original is None:
                assignment.absorb(joined, item)
                moved.append(item)
            _take(story, row, item.published, source_of(row))
        story.centroid, story.entities = to_bytes(joined.centroid), joined.entities
        staying = [row for row in rows if row.article_id not in going]
        if any(row.original is None for row in staying):
            _rebuild(record, staying, source_of)
            records.update_story(connection, record)
        else:  # every member went: the two stories are one
            records.merge_into(connection, story, record.id)
    return moved


def _take(story: records.StoryRecord, row: MemberRow, when: datetime, source: str) -> None:
    story.article_count += 1
    if row.language and row.language not in story.titles:
        story.titles[row.language] = row.title
    if source not in story.sources:
        story.sources.append(source)
    if when < story.first_seen:
        story.first_seen, story.first_article_id, story.first_source = when, row.article_id, source
    story.last_seen = max(story.last_seen, when)


def _rebuild(
    record: records.StoryRecord, rows: Sequence[MemberRow], source_of: Callable[[MemberRow], str]
) -> None:
    """The story's state from the members it keeps (velocity and breaking flags stay as they are)."""
    own = [member_features(row) for row in rows if row.original is None]
    state = assignment.story_of(0, own) if own else None
    if state is not None:
        record.centroid, record.entities = to_bytes(state.centroid), state.entities
    record.article_count = len(rows)
    record.titles, record.sources = {}, []
    for row in rows:
        if row.language:
            record.titles.setdefault(row.language, row.title)
        if (source := source_of(row)) not in record.sources:
            record.sources.append(source)
    times = [(features.published_time(row.published, row.created_at), row) for row in rows]
    if times:
        first_time, first = min(times, key=lambda pair: (pair[0], pair[1].article_id))
        record.first_seen, record.last_seen = first_time, max(when for when, _ in times)
        record.first_article_id, record.first_source = first.article_id, source_of(first)
