"""Placing articles: near-duplicate detection, online story assignment, breaking detection.

``prepare`` (:mod:`akhbar.services.grouping`, with the process's :class:`Grouping`) does the slow
part (embedding) outside any transaction; ``place`` runs inside the ingest transaction and keeps
every decision in the database (signatures, bands, story state), so any number of workers can
place articles and an edited article keeps its place.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import sqlalchemy as sa

from akhbar.errors import StoreError
from akhbar.models import Article, Story
from akhbar.services import copies, story_moves
from akhbar.services.grouping import Grouping, Prepared, prepare, prepare_many, prepare_safely, prepared_with
from akhbar.store import Store, story_members
from akhbar.store import breaking as flags
from akhbar.store import desk as desk_rows
from akhbar.store import signatures as placements
from akhbar.store import stories as records
from akhbar.stories import features, index, versions
from akhbar.stories import grouping as assignment
from akhbar.stories.embedding import from_bytes, to_bytes
from akhbar.text.urls import split_url

log = logging.getLogger(__name__)

__all__ = [  # Grouping and the preparing functions are services.grouping's, named here too
    "Breaking",
    "Grouping",
    "Prepared",
    "get_story",
    "list_stories",
    "place",
    "prepare",
    "prepare_many",
    "prepare_safely",
    "prepared_with",
    "show_story",
    "source_from",
    "source_name",
]


@dataclass(frozen=True)
class Breaking:
    """A story is breaking when its decaying rate of new independent sources passes ``threshold``."""

    half_life_seconds: float = 1800.0
    threshold: float = 4.0
    min_sources: int = 3
    flag_hours: float = 6.0


def source_name(article: Article, source_id: int | None) -> str:
    return source_from(article.site_name, article.url, source_id)


def source_from(site_name: str | None, url: str | None, source_id: int | None) -> str:
    """What counts as one source: the site's name, else the address's host, else the feed."""
    if site_name:
        return site_name.strip().casefold()
    if url:
        parts = split_url(url)
        return (parts.hostname if parts else None) or url
    return f"source:{source_id}" if source_id is not None else "unknown"


def _member_source(row: story_members.MemberRow) -> str:
    return source_from(row.site_name, row.url, row.source_id)


def _stored_id(story: records.CandidateRow | records.StoryRecord) -> int:
    """The id of a story read from (or just written to) the database."""
    if story.id is None:
        raise StoreError("stories: a story that should be stored has no id")
    return story.id


def _candidate(
    record: records.CandidateRow | records.StoryRecord, members: Sequence[bytes] = ()
) -> assignment.Candidate:
    centroid = from_bytes(record.centroid)
    languages = record.languages if isinstance(record, records.CandidateRow) else frozenset(record.titles)
    return assignment.Candidate(
        _stored_id(record),
        centroid,
        record.article_count,
        record.first_seen,
        record.last_seen,
        dict(record.entities),
        languages,
        tuple(from_bytes(member) for member in members),
    )


def _broad(record: records.CandidateRow, latest: dict[int, list[records.Member]]) -> list[bytes]:
    """The member vectors a story is also compared through (none when its centroid is their sum)."""
    if record.article_count <= assignment.NEAREST:
        return []
    return [member.embedding for member in latest.get(_stored_id(record), ())]


def place(
    connection: sa.Connection,
    article_id: int,
    article: Article,
    prepared: Prepared,
    grouping: Grouping,
    *,
    source_id: int | None = None,
    now: datetime | None = None,
    settings: assignment.Settings | None = None,
    breaking: Breaking | None = None,
    created: bool = False,
) -> placements.Placement:
    """Find the article's original (when it is a copy) and its story; store both.

    ``created`` says the article row was inserted in this transaction, so it has no earlier
    placement to look up (an edit keeps its story; a new article has none).
    """
    now = now or datetime.now(UTC)
    if settings is None:  # the model's own thresholds; no model is made when grouping is off
        settings = grouping.rule if prepared.embedding is not None else assignment.Settings()
    breaking = breaking or Breaking()
    when = features.published_time(article.published, now)
    previous = None if created else placements.get_placement(connection, article_id)
    bands = prepared.body.signature.bands()
    placements.lock_bands(connection, bands)  # "find the earliest copy, else be the original" as one step
    found = copies.find(connection, article_id, prepared.body, bands)
    copied = found.source
    # a copy of the same text joins its original's story; a text inside another (or holding
    # another) is its own article, placed by its own content
    original = copied.placement if copied is not None and copied.relation == "same" else None
    source = source_name(article, source_id)
    story: records.StoryRecord | None = None
    if original is not None and original.story_id is not None:
        story = records.get_story(connection, original.story_id, lock=True)
        if story is not None and (previous is None or previous.story_id != story.id):
            _count(story, article, source, when, now, independent=False)
            records.update_story(connection, story)
    elif previous is not None and previous.story_id is not None:
        story = records.get_story(connection, previous.story_id)  # an edit keeps its story
    if story is None and prepared.embedding is not None:
        story = _assign(
            connection,
            article_id,
            article,
            prepared,
            source,
            when,
            now,
            settings,
            grouping.model,
            found.other_events,
        )
        _detect(connection, story, now, breaking)
    duplicate_of = copied.placement.article_id if copied is not None else None
    kind = copied.relation if copied is not None else None
    story_id = story.id if story is not None else None
    signature = prepared.body.signature.to_bytes()
    placement = placements.Placement(article_id, signature, story_id, duplicate_of, kind)
    embedding = to_bytes(prepared.embedding) if prepared.embedding is not None else None
    placements.save(
        connection, placement, bands, embedding, anchors=prepared.body.anchors, replace=previous is not None
    )
    placements.link_article(connection, article_id, story_id, duplicate_of, kind)
    return placement


def _count(
    story: records.StoryRecord,
    article: Article,
    source: str,
    when: datetime,
    now: datetime,
    *,
    independent: bool,
) -> None:
    story.article_count += 1
    if article.language and article.language not in story.titles:
        story.titles[article.language] = article.title
    if source not in story.sources:
        story.sources.append(source)
        if independent:
            story.velocity = _decayed(story, now) + 1.0
            story.velocity_at = now
    if when < story.first_seen:
        story.first_seen = when
    story.last_seen = max(story.last_seen, when)


def _decayed(
    story: records.StoryRecord, now: datetime, half_life: float = Breaking.half_life_seconds
) -> float:
    if story.velocity_at is None:
        return story.velocity
    elapsed = max(0.0, (now - story.velocity_at).total_seconds())
    return story.velocity * math.pow(0.5, elapsed / half_life)


def _assign(
    connection: sa.Connection,
    article_id: int,
    article: Article,
    prepared: Prepared,
    source: str,
    when: datetime,
    now: datetime,
    settings: assignment.Settings,
    model: str,
    other_events: frozenset[int] = frozenset(),
) -> records.StoryRecord:
    """Join the best story within reach (never one holding this text's template filled with other
    names: ``other_events``), or start one; merge the stories it proves to be one."""
    embedding = prepared.embedding
    if embedding is None:
        raise ValueError("stories: an article without an embedding cannot join a story")
    shape = versions.shape_of(article.language, article.body_paragraphs)
    item = assignment.Features(embedding, prepared.entities, when, article.language, source, shape)
    space = index.model_space(model)
    nearest = records.candidate_centroids(connection, index.lookup_keys(embedding, when, space))
    reach = assignment.within_reach(embedding, [centroid for _, centroid in nearest], settings, item)
    found = records.candidates(connection, [pair for pair, near in zip(nearest, reach, strict=True) if near])
    found = [r for r in found if r.id not in other_events]
    chosen, also, pulled = _choose(connection, item, found, settings, article.title)
    existing = records.get_story(connection, chosen.story_id, lock=True) if chosen is not None else None
    if chosen is None or existing is None:
        zero = np.zeros_like(embedding)
        story = records.StoryRecord(None, article_id, source, when, when, to_bytes(zero))
        chosen = assignment.Candidate(0, zero, 0, when, when)
    else:  # grow the story as it is now, locked: another worker may have grown it since the lookup
        story = existing
        chosen = _candidate(existing)
    is_first = story.id is None or when < story.first_seen
    assignment.absorb(chosen, item)
    _count(story, article, source, when, now, independent=True)
    if is_first:
        story.first_article_id, story.first_source = article_id, source
    story.centroid, story.entities = to_bytes(chosen.centroid), chosen.entities
    inserted = story.id is None
    if inserted:
        records.insert_story(connection, story)
    records.add_keys(connection, _stored_id(story), index.store_keys(embedding, when, space))
    changed = not inserted  # a story just inserted is already stored as it is, unless a merge grows it
    changed |= _settle(connection, story, chosen, also, pulled, settings, item, space)
    if changed:
        records.update_story(connection, story)
    return story


def _choose(
    connection: sa.Connection,
    item: assignment.Features,
    found: Sequence[records.CandidateRow],
    settings: assignment.Settings,
    title: str,
) -> tuple[assignment.Candidate | None, list[assignment.Candidate], list[assignment.Candidate]]:
    """The story to join (None: a new one), the others the article also fits, and a story holding
    it in another language that it does not join (:func:`story_moves.version_home`)."""
    latest = records.latest_members(connection, [r.id for r in found], assignment.MEMBERS_KEPT)
    candidates = [_candidate(r, _broad(r, latest)) for r in found]  # broad ones compared through members too
    chosen, _, also = assignment.best(item, candidates, settings)
    joining = chosen.story_id if chosen else None
    home = story_moves.version_home(connection, item, latest, candidates, joining, settings)
    if home is None:
        return chosen, also, []
    story_id, stays = home
    if stays:  # its version reads closer to the rest of its story than to this article: it joins there
        log.info("stories: %r joins story %s, which holds it in another language", title[:60], story_id)
        chosen, _, also = assignment.best(item, candidates, settings, story_id)
        return chosen, also, []
    return chosen, also, [c for c in candidates if c.story_id == story_id and c not in also]


def _settle(
    connection: sa.Connection,
    story: records.StoryRecord,
    chosen: assignment.Candidate,
    also: Sequence[assignment.Candidate],
    pulled: Sequence[assignment.Candidate],
    settings: assignment.Settings,
    item: assignment.Features,
    space: int,
) -> bool:
    """Merge into ``story`` the stories the article proves to be one with it, and move to it the
    members of the others (and of ``pulled``) that belong there; whether ``story`` changed."""
    changed = False
    apart = list(pulled)  # stories the article also fits that prove not to be this one, and its version's
    for other in also:
        if not assignment.should_merge(chosen, other, settings):
            apart.append(other)
            continue
        absorbed = records.get_story(connection, other.story_id, lock=True)
        if absorbed is not None and absorbed.id != story.id:
            chosen = assignment.merged(chosen, _candidate(absorbed))  # the next merge grows the union
            _merge(connection, story, absorbed, chosen)
            changed = True
    for moved in story_moves.rehome(connection, story, chosen, apart, settings, _member_source, item):
        records.add_keys(
            connection, _stored_id(story), index.store_keys(moved.embedding, moved.published, space)
        )
        changed = True
    return changed


def _merge(
    connection: sa.Connection,
    story: records.StoryRecord,
    other: records.StoryRecord,
    union: assignment.Candidate,
) -> None:
    other_id = _stored_id(other)
    log.info("stories: merging story %s into %s", other_id, story.id)
    story.centroid, story.entities = to_bytes(union.centroid), union.entities
    story.article_count += other.article_count
    story.sources.extend(s for s in other.sources if s not in story.sources)
    for language, title in other.titles.items():
        story.titles.setdefault(language, title)
    if other.first_seen < story.first_seen:
        story.first_seen, story.first_article_id, story.first_source = (
            other.first_seen,
            other.first_article_id,
            other.first_source,
        )
    story.last_seen = max(story.last_seen, other.last_seen)
    records.merge_into(connection, story, other_id)


def _detect(connection: sa.Connection, story: records.StoryRecord, now: datetime, settings: Breaking) -> None:
    """Flag the story as breaking (origin ``detected``) when its source velocity is far above usual."""
    if story.id is None or story.velocity < settings.threshold or len(story.sources) < settings.min_sources:
        return
    active = flags.list_flags(connection, active_at=now)
    if any(f.story_id == story.id and f.origin == "detected" for f in active):
        return
    if desk_rows.dismissed(connection, story.id):  # an editor said it is not breaking news
        return
    note = f"{len(story.sources)} sources, velocity {story.velocity:.1f}"
    flags.add_flag(
        connection,
        article_id=None,
        story_id=story.id,
        until=now + timedelta(hours=settings.flag_hours),
        origin="detected",
        note=note,
    )
    log.info("stories: story %s detected as breaking (%s)", story.id, note)


def get_story(connection: sa.Connection, story_id: int) -> Story | None:
    found = records.get_story(connection, story_id)
    return found.to_model() if found else None


def list_stories(store: Store, *, limit: int = 50, offset: int = 0) -> list[Story]:
    """Live stories, most recently active first."""
    with store.reading() as connection:
        return [r.to_model() for r in records.list_stories(connection, limit=limit, offset=offset)]


def show_story(store: Store, story_id: int) -> tuple[Story, list[dict[str, object]]] | None:
    """A story (following merges) and its articles, oldest first: the timeline."""
    with store.reading() as connection:
        found = records.get_story(connection, story_id)
        if found is None or found.id is None:
            return None
        return found.to_model(), records.story_article_rows(connection, found.id)
