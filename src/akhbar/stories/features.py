"""From an article to what grouping compares: an embedding of title and body, entity keys, a time.

The embedding joins two unit vectors of the model: the *title* and the *body* (the title and the
opening of the text, up to ``BODY_CHARS``), scaled by ``sqrt(TITLE_SHARE)`` and
``sqrt(1 - TITLE_SHARE)``. The result has unit length and twice the model's dimension, and the
cosine of two such vectors is ``TITLE_SHARE * title cosine + (1 - TITLE_SHARE) * body cosine``:
the title keeps translations and rewrites of one article together, the body tells apart events
that share a topic. The model's cost grows with the text's length; both texts of every article of
a batch go to it in one call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from akhbar.models import as_utc
from akhbar.stories import entities
from akhbar.stories.embedding import Embedder, Vector

LEAD_SENTENCES = 2
MAX_CHARS = 300
BODY_CHARS = 1500
TITLE_SHARE = 0.3
MIN_SENTENCE_CHARS = 21  # a shorter lead "sentence" is a dateline or a label, it says nothing
MIN_KEY_CHARS = 4  # entity keys kept: ~ and three consonants, # and three digits
YEARS = range(1900, 2100)  # a year dates an article, it does not tell its event from the others that year
_DATE_ALONE = len("2024-10-18")  # an ISO value this long or shorter has no time
_DATE_ALONE_HOUR = 12  # a date without a time is placed at midday, the middle of its day
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|\n+")


def lead_sentences(paragraphs: Sequence[str], count: int = LEAD_SENTENCES) -> list[str]:
    """The first sentences of the body that are long enough to say something."""
    found: list[str] = []
    for paragraph in paragraphs:
        for sentence in _SENTENCE_END.split(paragraph):
            if len(sentence.strip()) >= MIN_SENTENCE_CHARS:
                found.append(sentence.strip()[:MAX_CHARS])
                if len(found) == count:
                    return found
    return found


def body_text(title: str, paragraphs: Sequence[str]) -> str:
    """What the body vector reads: the title and the opening of the text."""
    return "\n".join([title, *paragraphs])[:BODY_CHARS]


def join(title: Vector, body: Vector) -> Vector:
    """The article vector: title and body side by side, weighted so the whole has unit length."""
    joined: Vector = np.concatenate([np.sqrt(TITLE_SHARE) * title, np.sqrt(1.0 - TITLE_SHARE) * body]).astype(
        np.float32
    )
    return joined


def embed_many(embedder: Embedder, articles: Sequence[tuple[str, Sequence[str]]]) -> list[Vector]:
    """Embed several (title, paragraphs) at once, in one call to the model."""
    titles = [title[:MAX_CHARS] for title, _ in articles]
    bodies = [body_text(title, paragraphs) for title, paragraphs in articles]
    vectors = embedder.embed(titles + bodies)
    count = len(articles)
    return [join(vectors[n], vectors[count + n]) for n in range(count)]


def entity_keys(title: str, paragraphs: Sequence[str]) -> frozenset[str]:
    """Names from the title and numbers of three digits or more (years left out) from title and lead."""
    names = {k for k in entities.names(title) if len(k) >= MIN_KEY_CHARS}
    lead = " ".join(lead_sentences(paragraphs))
    numbers = {
        k for k in entities.numbers(f"{title}\n{lead}") if len(k) >= MIN_KEY_CHARS and int(k[1:]) not in YEARS
    }
    return frozenset(names | numbers)


def published_time(published: str | None, fallback: datetime) -> datetime:
    """The article's time: its ISO date when it parses (midday for a date alone), else ``fallback``."""
    if published:
        try:
            when = datetime.fromisoformat(published)
        except ValueError:
            return fallback
        if len(published) <= _DATE_ALONE:
            when = when.replace(hour=_DATE_ALONE_HOUR)
        return as_utc(when).astimezone(UTC)  # in UTC: SQLite keeps the clock time and drops the offset
    return fallback
