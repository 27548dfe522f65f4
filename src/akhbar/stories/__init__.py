"""Stories: which articles tell the same story, across sources and languages.

An article becomes :class:`Features` (an embedding of title and body from an :class:`Embedder`,
entity and number keys, a time: :mod:`akhbar.stories.features`); :mod:`akhbar.stories.grouping`
scores it against candidate stories (:class:`Candidate`) and decides join, new or merge under
:class:`Settings`; :mod:`akhbar.stories.index` gives the candidate keys a store looks stories up by.
:class:`ProcessEmbedder` runs the model in child processes; :class:`MemoryGrouper` applies the same
rule in memory (evaluations). Services combine these with the store (``akhbar.services.stories``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akhbar.stories.embedding import Embedder, Vector, load
    from akhbar.stories.grouping import Candidate, Features, Settings
    from akhbar.stories.online import MemoryGrouper
    from akhbar.stories.processes import ProcessEmbedder

# imported when first asked for: starting the embedding service (akhbar.stories.launch) needs none
# of them, and numpy alone would hold a command's start back by a tenth of a second
_FROM = {
    "Candidate": "grouping",
    "Embedder": "embedding",
    "Features": "grouping",
    "MemoryGrouper": "online",
    "ProcessEmbedder": "processes",
    "Settings": "grouping",
    "Vector": "embedding",
    "load": "embedding",
}

__all__ = [
    "Candidate",
    "Embedder",
    "Features",
    "MemoryGrouper",
    "ProcessEmbedder",
    "Settings",
    "Vector",
    "load",
]


def __getattr__(name: str) -> Any:
    if name not in _FROM:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_FROM[name]}"), name)
