"""Finding what a new article copies: candidates from the store, decided on both texts' words.

Two indexes give candidates, both shared by every worker through the database: MinHash LSH bands
(texts with much the same shingles) and anchors (texts sharing passages: a wire item printed whole
inside a roundup shares nearly all its anchors with it, though its Jaccard similarity is tiny).
Cheap estimates drop most candidates; the rest are read back (their bodies, as stored) and compared
word for word by :func:`akhbar.dedupe.compare.compare`, which also rules out template texts whose
names, places or numbers differ. An article is never linked to its own copies. A template text
filled with other names or places is another event: its story is named so the new article does
not join it (other numbers alone may be an update, which may).

The article a copy is linked to is the first of its text (a copy of a copy links to the first
original). A copy of the *same* text is preferred to a containment: an item printed in a roundup
and later alone on two sites is the second site's copy of the first, not of the roundup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from akhbar.dedupe.anchors import anchors
from akhbar.dedupe.compare import Match, Relation, compare
from akhbar.dedupe.signatures import Signature, Text, read, signature
from akhbar.store import signatures as placements
from akhbar.store.signatures import Placement

ANCHOR_SHARE = 0.5  # of the anchors of the text with fewer: worth reading both texts
MINHASH_JACCARD = 0.3  # estimated from the signatures: worth reading both texts
MINHASH_CONTAINMENT = 0.5


@dataclass(frozen=True)
class Body:
    """An article's body as duplicate detection reads it, with its signature and anchors."""

    text: Text
    signature: Signature
    anchors: tuple[int, ...]


def body_of(paragraphs: Sequence[str], title: str = "") -> Body:
    """What placing needs of a body (made before the transaction: it takes a few milliseconds)."""
    text = read(paragraphs, title)
    return Body(text, signature(text), tuple(anchors(text.words)))


@dataclass(frozen=True)
class Source:
    """What a new article copies: the first article of that text, and how."""

    placement: Placement
    relation: Relation


def _promising(mine: Signature, theirs: Signature) -> bool:
    return mine.jaccard(theirs) >= MINHASH_JACCARD or mine.containment(theirs) >= MINHASH_CONTAINMENT


def candidates(
    connection: sa.Connection, article_id: int, body: Body, bands: Sequence[int]
) -> dict[int, Placement]:
    """Stored articles worth comparing word for word, by id."""
    found: dict[int, Placement] = {}
    for placement in placements.near(connection, bands, article_id):
        if _promising(body.signature, Signature.from_bytes(placement.minhash)):
            found[placement.article_id] = placement
    for placement in placements.anchored(connection, body.anchors, article_id, ANCHOR_SHARE):
        found.setdefault(placement.article_id, placement)
    # an article placed again (an edit, ``akhbar reprocess``) is not a copy of its own copies
    return {i: p for i, p in found.items() if article_id not in (p.root, p.duplicate_of)}


@dataclass(frozen=True)
class Found:
    """What a body copies (None: an original text), and the stories of texts that are its template
    filled with other names or places: other events, which it must not join."""

    source: Source | None
    other_events: frozenset[int]


def find(connection: sa.Connection, article_id: int, body: Body, bands: Sequence[int]) -> Found:
    """The earliest article whose text this body copies, and how; the stories of other events."""
    found = candidates(connection, article_id, body, bands)
    texts = placements.bodies(connection, list(found))
    matches: list[tuple[Placement, Match]] = []
    for candidate_id, placement in found.items():
        if placement.root == article_id:  # its own copies, met again when it is reprocessed
            continue
        match = compare(body.text, read(*texts[candidate_id])) if candidate_id in texts else None
        if match is not None:
            matches.append((placement, match))
    others = {p.story_id for p, m in matches if m.another_event and p.story_id is not None}
    return Found(_first(connection, [(p, m) for p, m in matches if m.is_copy]), frozenset(others))


def _first(connection: sa.Connection, matches: list[tuple[Placement, Match]]) -> Source | None:
    """The first article of the matched text: same-text matches first, then containments."""
    same = [(p, m) for p, m in matches if m.relation == "same"]
    chosen = same or matches
    if not chosen:
        return None
    placement, match = min(chosen, key=lambda pm: (pm[0].root, pm[0].article_id))
    if placement.root != placement.article_id:
        placement = placements.get_placement(connection, placement.root) or placement
    return Source(placement, match.relation)
