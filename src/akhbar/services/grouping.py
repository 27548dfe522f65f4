"""How a process groups articles, and what placing needs of each article before its transaction.

:class:`Grouping` holds the process's settings for stories and its embedding model; ``prepare``
computes an article's costly features (its signature, names and embedding) outside any
transaction, for :func:`akhbar.services.stories.place`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from akhbar.config import BUILT_IN_MODEL, Settings
from akhbar.models import Article
from akhbar.services import copies
from akhbar.stories import embedding, features
from akhbar.stories import grouping as assignment
from akhbar.stories.embedding import Embedder, Vector
from akhbar.stories.processes import ProcessEmbedder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    """The costly features of an article, computed before the transaction."""

    body: copies.Body  # its words, MinHash signature and anchors
    embedding: Vector | None  # None when grouping is off: duplicates only
    entities: frozenset[str]


class Grouping:
    """How this process places articles: whether stories are grouped (setting ``stories``), with
    which embedding model (``stories_model``) and where it runs (``stories_processes``: 0 runs it in
    the calling thread), and the model itself.

    One is made per process (a command, ``serve``, a worker) and passed down to every ingest, so
    two callers in one process may place with different settings. The model is made on first use
    and kept; :meth:`close` closes its connections to the machine's embedding service. Duplicate
    detection needs no model and runs either way. ``rule`` replaces the model's assignment rule
    (evaluations compare variants of it). A plugged-in model's module is imported when the grouping
    is made, so a wrong name stops the command at once (:class:`ConfigError`); its weights load on
    first use.
    """

    def __init__(
        self,
        *,
        enabled: bool = True,
        model: str = BUILT_IN_MODEL,
        processes: int = 0,
        embedder: Embedder | None = None,
        rule: assignment.Settings | None = None,
    ) -> None:
        if enabled and embedder is None:
            embedding.resolve(model)
        self.enabled, self.model, self.processes = enabled, model, processes
        self._embedder = embedder
        self._owned: ProcessEmbedder | None = None
        self._rule = rule  # None: the model's own (fitted weights, or the join it states)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Grouping:
        return cls(
            enabled=settings.stories, model=settings.stories_model, processes=settings.stories_processes
        )

    def __repr__(self) -> str:
        return f"Grouping(enabled={self.enabled}, model={self.model!r}, processes={self.processes})"

    def duplicates_only(self) -> Grouping:
        """Grouping off, the rest alike: articles get signatures and duplicates, no story."""
        return Grouping(enabled=False, model=self.model, processes=self.processes)

    @property
    def embedder(self) -> Embedder:
        """The model, made on first use (in the machine's embedding service, or here)."""
        with self._lock:
            if self._embedder is None:
                if self.processes:
                    self._owned = ProcessEmbedder(self.model, self.processes)
                    self._embedder = self._owned
                else:
                    self._embedder = embedding.shared(self.model)
            return self._embedder

    @property
    def rule(self) -> assignment.Settings:
        """The assignment rule with the model's own thresholds, worked out once."""
        if self._rule is None:
            self._rule = assignment.for_model(self.embedder)
        return self._rule

    def close(self) -> None:
        """Close this grouping's connections to the embedding service, if it used it."""
        with self._lock:
            owned, self._owned = self._owned, None
            if owned is not None:
                self._embedder = None
        if owned is not None:
            owned.close()

    def __enter__(self) -> Grouping:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def prepare_many(articles: Sequence[Article], grouping: Grouping) -> list[Prepared]:
    """Signatures, and embeddings unless grouping is off (setting ``stories``)."""
    vectors: Sequence[Vector | None] = [None] * len(articles)
    if grouping.enabled:
        vectors = features.embed_many(grouping.embedder, [(a.title, a.body_paragraphs) for a in articles])
    return [prepared_with(a, vector) for a, vector in zip(articles, vectors, strict=True)]


def prepared_with(article: Article, vector: Vector | None) -> Prepared:
    """The article's signature and names beside its embedding (None: duplicates only)."""
    return Prepared(
        copies.body_of(article.body_paragraphs or (article.title,), article.title),
        vector,
        features.entity_keys(article.title, article.body_paragraphs),
    )


def prepare(article: Article, grouping: Grouping) -> Prepared:
    return prepare_many([article], grouping)[0]


def prepare_safely(article: Article, grouping: Grouping) -> Prepared | None:
    """``prepare``, but a failure is logged and the article is stored unplaced rather than lost."""
    try:
        return prepare(article, grouping)
    except Exception:  # a model defect must not stop ingestion; it is logged with its traceback
        log.exception("stories: could not prepare %r", article.title[:80])
        return None
