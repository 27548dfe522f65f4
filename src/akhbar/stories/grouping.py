"""Online story assignment: score an article against candidate stories, decide join or new, merges.

Pure functions over values: the service loads the candidates (through an index, never a scan) and
saves what these functions decide. The score is the similarity of :mod:`akhbar.stories.similarity`
(the embedding cosine to the story centroid and fitted parts beside it: shared names and numbers,
conflicting numbers, a story not yet in the article's language), minus a penalty for distance in
time; a story that has run for days needs a higher score to take a new article, so a long-running
topic does not swallow events.

A story that has taken several articles is also compared through its members nearest the article
(:data:`NEAREST` of them, summed): its centroid drifts with every article it takes, so a version
arriving after its siblings joined a broad story could otherwise read as less like that story than
like the siblings alone, and the arrival order would decide where it ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from akhbar.stories.embedding import Vector
from akhbar.stories.similarity import NAMES_CAP, NUMBERS_CAP, Parts, Weights, fitted
from akhbar.stories.versions import Shape, same_article

MOVABLE = 8  # stories this small have their members re-checked when an article also fits them
NEAREST = 2  # members a story is also compared through: the sum of the article's nearest ones
MEMBERS_KEPT = 64  # member vectors a story keeps for that (its latest ones)


@dataclass(frozen=True)
class Settings:
    """The similarity's weights and join score, and the time gate and merge thresholds."""

    weights: Weights = field(default_factory=Weights)
    hours_free: float = 36.0
    penalty_per_day: float = 0.08
    age_free_days: float = 3.0
    age_penalty_per_day: float = 0.03
    penalty_cap: float = 0.3
    merge: float = 0.8

    @property
    def join(self) -> float:
        return self.weights.join


def for_model(model: object, base: Settings | None = None) -> Settings:
    """The rule for ``model``: the fitted weights (``similarity.json``), or, for a model that states
    its own ``join`` (its cosines have their own scale), names and numbers beside that join; and the
    model's own ``merge`` score when it states one."""
    base = base or Settings(weights=fitted())
    join, merge = getattr(model, "join", None), getattr(model, "merge", None)
    weights = base.weights if join is None else Weights(join=float(join))
    return replace(base, weights=weights, merge=base.merge if merge is None else float(merge))


@dataclass(frozen=True)
class Features:
    """What the grouping knows about one article."""

    embedding: Vector
    entities: frozenset[str]
    published: datetime
    language: str | None = None
    source: str | None = None
    shape: Shape | None = None  # its paragraphs and numbers, to tell a translation (None: unknown)

    @property
    def numbers(self) -> frozenset[str]:
        return frozenset(k for k in self.entities if k.startswith("#"))


@dataclass
class Candidate:
    """A story as the grouping sees it: summed member embeddings, entity counts, time span."""

    story_id: int
    centroid: Vector  # sum of member embeddings
    count: int
    first_seen: datetime
    last_seen: datetime
    entities: dict[str, int] = field(default_factory=dict)
    languages: frozenset[str] = frozenset()
    members: tuple[Vector, ...] = ()  # member embeddings (the latest MEMBERS_KEPT; empty: unknown)

    def direction(self) -> Vector:
        norm = float(np.linalg.norm(self.centroid))
        return self.centroid / norm if norm else self.centroid


def shared_names(a: frozenset[str] | set[str], b: dict[str, int] | set[str] | frozenset[str]) -> float:
    """Shared name keys: long skeletons count 1, three-letter skeletons half."""
    return sum(1.0 if len(key) >= 4 else 0.5 for key in a if key in b and not key.startswith("#"))


def nearest_members(article: Features, story: Candidate, count: int = NEAREST) -> Vector | None:
    """The sum of the ``count`` members nearest the article, when the story has more members than
    that (else None: its centroid is that sum already)."""
    members = [m for m in story.members if m.shape == article.embedding.shape]
    if len(members) <= count:
        return None
    stacked = np.stack(members)
    nearest = np.argsort(-(stacked @ article.embedding), kind="stable")[:count]
    found: Vector = stacked[nearest].sum(axis=0).astype(np.float32)
    return found


def parts(article: Features, story: Candidate, centroid: Vector | None = None) -> Parts:
    """What the similarity compares between the article and the story (through ``centroid``, a
    sum of some of its members, instead of the story's own when given)."""
    centroid = story.centroid if centroid is None else centroid
    norm = float(np.linalg.norm(centroid))
    cosine = float(article.embedding @ centroid) / norm if norm else 0.0
    half = article.embedding.shape[0] // 2
    mine, theirs_body = article.embedding[half:], centroid[half:]
    norms = float(np.linalg.norm(mine) * np.linalg.norm(theirs_body))
    body = float(mine @ theirs_body) / norms if norms else cosine  # a vector without two halves
    numbers = article.numbers
    theirs = {key for key in story.entities if key.startswith("#")}
    shared = len(numbers & theirs)
    return Parts(
        cosine,
        body,
        names=min(NAMES_CAP, shared_names(article.entities, story.entities)),
        numbers=min(NUMBERS_CAP, float(shared)),
        conflict=float(bool(numbers) and bool(theirs) and not shared),
        cross_language=float(
            article.language is not None and bool(story.languages) and article.language not in story.languages
        ),
    )


def _hours_apart(when: datetime, first: datetime, last: datetime) -> float:
    if first <= when <= last:
        return 0.0
    edge = first if when < first else last
    return abs((when - edge).total_seconds()) / 3600


def similarity(article: Features, story: Candidate, settings: Settings = Settings()) -> float:
    """How alike the article and the story read (:mod:`akhbar.stories.similarity`): through its
    centroid, or through its members nearest the article when they read closer.

    A story whose vectors have another dimension (made by another model) is unrelated: 0.
    """
    if article.embedding.shape != story.centroid.shape:
        return 0.0
    found = settings.weights.combine(parts(article, story))
    nearest = nearest_members(article, story)
    if nearest is not None:
        found = max(found, settings.weights.combine(parts(article, story, nearest)))
    return found


def score(article: Features, story: Candidate, settings: Settings = Settings()) -> float:
    """How strongly the article belongs to the story (comparable with ``settings.join``).

    The similarity, less a penalty for distance in time: a story is open to new articles for a
    while after its last one, and a story that has run for days needs a closer match.
    """
    gap = _hours_apart(article.published, story.first_seen, story.last_seen)
    penalty = settings.penalty_per_day * max(0.0, gap - settings.hours_free) / 24
    age = (max(article.published, story.last_seen) - story.first_seen).total_seconds() / 86400
    penalty += settings.age_penalty_per_day * max(0.0, age - settings.age_free_days)
    return similarity(article, story, settings) - min(settings.penalty_cap, penalty)


def within_reach(
    embedding: Vector,
    centroids: Sequence[bytes],
    settings: Settings = Settings(),
    article: Features | None = None,
) -> list[bool]:
    """Which stories (by their stored centroid sums) could still score ``settings.join``: their
    cosines (of the whole vectors and of the bodies) plus the largest bonus the other parts can
    give ``article`` (any article, when None) reach it. The others can be neither joined nor
    merged, so their names and times need not be read. One matrix product for all of them.
    """
    reach = [False] * len(centroids)
    width = embedding.shape[0] * 4
    same = [n for n, centroid in enumerate(centroids) if len(centroid) == width]  # another model's: never
    if not same:
        return reach
    sums = np.frombuffer(b"".join(centroids[n] for n in same), dtype="<f4").reshape(len(same), -1)
    cosines = _cosines(sums, embedding)
    half = embedding.shape[0] // 2
    bodies = _cosines(sums[:, half:], embedding[half:], fallback=cosines)
    weights = settings.weights
    bonus = (
        weights.largest_bonus()
        if article is None
        else weights.largest_bonus(
            names=float(len(article.entities) - len(article.numbers)),
            numbers=float(len(article.numbers)),
            language=article.language is not None,
        )
    )
    best_case = weights.cosine * cosines + weights.body * bodies + bonus
    for n, value in zip(same, best_case, strict=True):
        reach[n] = bool(value >= settings.join)
    return reach


def _cosines(rows: Vector, vector: Vector, fallback: Vector | None = None) -> Vector:
    """The cosine of each row with ``vector``; where either is zero, ``fallback`` (else 0)."""
    norms = np.linalg.norm(rows, axis=1) * float(np.linalg.norm(vector))
    found: Vector = np.divide(
        rows @ vector, norms, out=np.zeros(len(rows), dtype=np.float32), where=norms > 0
    )
    if fallback is not None:
        found = np.where(norms > 0, found, fallback).astype(np.float32)
    return found


def best(
    article: Features,
    candidates: Sequence[Candidate],
    settings: Settings = Settings(),
    home: int | None = None,
) -> tuple[Candidate | None, float, list[Candidate]]:
    """The best story to join (None: start a new one), its score, and other stories it also fits.

    ``home``, when one of the candidates, is joined whatever its score: the story holding this
    article in another language (:func:`versions`), which may read far from it when that story is
    broad and has versions in its language already.
    """
    scored = sorted(((score(article, c, settings), c) for c in candidates), key=lambda p: -p[0])
    chosen = next((pair for pair in scored if pair[1].story_id == home), None) if home is not None else None
    if chosen is None and (not scored or scored[0][0] < settings.join):
        return None, scored[0][0] if scored else 0.0, []
    chosen = chosen or scored[0]
    also = [c for s, c in scored if s >= settings.join and c is not chosen[1]]
    return chosen[1], chosen[0], also


def absorb(story: Candidate, article: Features, top: int = 24) -> None:
    """Add an article to a story in place: centroid, count, time span, entity counts."""
    story.centroid = (story.centroid + article.embedding).astype(np.float32)
    story.count += 1
    story.first_seen = min(story.first_seen, article.published)
    story.last_seen = max(story.last_seen, article.published)
    if article.language:
        story.languages = story.languages | {article.language}
    story.members = (*story.members, article.embedding)[-MEMBERS_KEPT:]
    for key in article.entities:
        story.entities[key] = story.entities.get(key, 0) + 1
    if len(story.entities) > top * 2:
        kept = sorted(story.entities.items(), key=lambda kv: -kv[1])[:top]
        story.entities = dict(kept)


def story_of(story_id: int, members: Sequence[Features]) -> Candidate:
    """A story made of these members (at least one), as absorbing them one by one makes it."""
    first = members[0]
    found = Candidate(story_id, np.zeros_like(first.embedding), 0, first.published, first.published)
    for member in members:
        absorb(found, member)
    return found


def leaving(joined: Candidate, members: Sequence[Features], settings: Settings = Settings()) -> list[int]:
    """Which members of another story (by position) read closer to ``joined`` than to the rest of
    their own story, by at least the join: placed when they arrived, before the articles that now
    make ``joined`` existed, they belong there. None when all would leave: the two stories did not
    prove to be one (no merge), so their members stay where they are."""
    found = []
    for n, member in enumerate(members):
        rest = [other for m, other in enumerate(members) if m != n]
        if not rest:
            continue
        there = score(member, joined, settings)
        if there >= settings.join and there > score(member, story_of(0, rest), settings):
            found.append(n)
    return [] if len(found) == len(members) else found


def versions(article: Features, members: Sequence[Features], settings: Settings = Settings()) -> list[int]:
    """Which members of a story (by position) are ``article`` in another language: the same article
    by its shape (:func:`akhbar.stories.versions.same_article`) that also reads like it (their score
    as a story of one reaches the join). Versions of one article belong in one story, whichever
    arrived first: a member placed before the article, in a story of its own or another event's,
    follows it to the story it joins."""
    if article.shape is None:
        return []
    alone = story_of(0, [article])
    return [
        n
        for n, member in enumerate(members)
        if member.shape is not None
        and same_article(article.shape, member.shape)
        and score(member, alone, settings) >= settings.join
    ]


def should_merge(a: Candidate, b: Candidate, settings: Settings = Settings()) -> bool:
    """Two stories prove to be one when their centroids agree and their time spans touch."""
    if a.centroid.shape != b.centroid.shape:
        return False
    close = float(a.direction() @ b.direction()) >= settings.merge
    gap = _hours_apart(b.first_seen, a.first_seen, a.last_seen) if b.first_seen > a.last_seen else 0.0
    return close and gap <= settings.hours_free


def merged(into: Candidate, other: Candidate) -> Candidate:
    """The union of two stories (keeps ``into``'s id)."""
    entities = dict(into.entities)
    for key, count in other.entities.items():
        entities[key] = entities.get(key, 0) + count
    return Candidate(
        into.story_id,
        (into.centroid + other.centroid).astype(np.float32),
        into.count + other.count,
        min(into.first_seen, other.first_seen),
        max(into.last_seen, other.last_seen),
        entities,
        into.languages | other.languages,
        (*into.members, *other.members)[-MEMBERS_KEPT:],
    )
