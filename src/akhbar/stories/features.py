"""From an article to what grouping compares: one embedding of title and lead, entity keys, a time."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from akhbar.models import as_utc
from akhbar.stories import entities
from akhbar.stories.embedding import Embedder, Vector, normalise_rows

TITLE_WEIGHT = 2.0
LEAD_SENTENCES = 2
MAX_CHARS = 300
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|\n+")


def lead_sentences(paragraphs: Sequence[str], count: int = LEAD_SENTENCES) -> list[str]:
    """The first sentences of the body that are long enough to say something."""
    found: list[str] = []
    for paragraph in paragraphs:
        for sentence in _SENTENCE_END.split(paragraph):
            if len(sentence.strip()) > 20:
                found.append(sentence.strip()[:MAX_CHARS])
                if len(found) == count:
                    return found
    return found


def texts(title: str, paragraphs: Sequence[str]) -> list[str]:
    """What is embedded: the title first, then the lead sentences."""
    return [title[:MAX_CHARS], *lead_sentences(paragraphs)]


def combine(vectors: Vector) -> Vector:
    """One unit vector from the title's and the lead sentences' vectors (the title weighs double)."""
    weights = np.ones(len(vectors), dtype=np.float32)
    weights[0] = TITLE_WEIGHT
    combined: Vector = normalise_rows((weights @ vectors)[None, :])[0]
    return combined


def embed_many(embedder: Embedder, articles: Sequence[tuple[str, Sequence[str]]]) -> list[Vector]:
    """Embed several (title, paragraphs) at once, in one batch."""
    parts = [texts(title, paragraphs) for title, paragraphs in articles]
    flat = [text for part in parts for text in part]
    vectors = embedder.embed(flat)
    out, start = [], 0
    for part in parts:
        out.append(combine(vectors[start : start + len(part)]))
        start += len(part)
    return out


def entity_keys(title: str, paragraphs: Sequence[str]) -> frozenset[str]:
    """Names from the title and numbers of three digits or more from title and lead."""
    names = {k for k in entities.names(title) if len(k) >= 4}
    lead = " ".join(lead_sentences(paragraphs))
    numbers = {k for k in entities.numbers(f"{title}\n{lead}") if len(k) >= 4}
    return frozenset(names | numbers)


def published_time(published: str | None, fallback: datetime) -> datetime:
    """The article's time: its ISO date when it parses (midday for a date alone), else ``fallback``."""
    if published:
        try:
            when = datetime.fromisoformat(published)
        except ValueError:
            return fallback
        if len(published) <= 10:
            when = when.replace(hour=12)
        return as_utc(when)
    return fallback
