"""From an article to what grouping compares: an embedding of headline and body, entity keys, a time.

The embedding joins two unit vectors of the model: the *headline* (title and the first lead
sentences, the title weighing double) and the *body* (title and the opening of the text, up to
``BODY_CHARS``), scaled by ``sqrt(HEADLINE_SHARE)`` and ``sqrt(1 - HEADLINE_SHARE)``. The result has
unit length and twice the model's dimension, and the cosine of two such vectors is
``HEADLINE_SHARE * headline cosine + (1 - HEADLINE_SHARE) * body cosine``: the headline keeps
translations and rewrites of one article together, the body tells apart events that share a topic.
All texts of a batch go to the model in one call (the model's cost is mostly per call).
"""

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
BODY_CHARS = 1500
HEADLINE_SHARE = 0.4
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


def body_text(title: str, paragraphs: Sequence[str]) -> str:
    """What the body vector reads: the title and the opening of the text."""
    return "\n".join([title, *paragraphs])[:BODY_CHARS]


def combine(vectors: Vector) -> Vector:
    """One unit vector from the title's and the lead sentences' vectors (the title weighs double)."""
    weights = np.ones(len(vectors), dtype=np.float32)
    weights[0] = TITLE_WEIGHT
    combined: Vector = normalise_rows((weights @ vectors)[None, :])[0]
    return combined


def join(headline: Vector, body: Vector) -> Vector:
    """The article vector: headline and body side by side, weighted so the whole has unit length."""
    joined: Vector = np.concatenate(
        [np.sqrt(HEADLINE_SHARE) * headline, np.sqrt(1.0 - HEADLINE_SHARE) * body]
    ).astype(np.float32)
    return joined


def embed_many(embedder: Embedder, articles: Sequence[tuple[str, Sequence[str]]]) -> list[Vector]:
    """Embed several (title, paragraphs) at once, in one call to the model."""
    parts = [texts(title, paragraphs) for title, paragraphs in articles]
    flat = [text for part in parts for text in part]
    flat += [body_text(title, paragraphs) for title, paragraphs in articles]
    vectors = embedder.embed(flat)
    out, start, body = [], 0, sum(len(part) for part in parts)
    for n, part in enumerate(parts):
        out.append(join(combine(vectors[start : start + len(part)]), vectors[body + n]))
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
