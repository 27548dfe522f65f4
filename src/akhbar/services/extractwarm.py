"""What the extraction fork server imports before it forks any worker (``akhbar.services.extractors``).

Importing this module is its work, and only the fork server imports it: it warms the extraction
stack (:func:`akhbar.extract.warm.warm`), hands the heap's freed pages back, and freezes the
collector's view of every object made so far. Each worker forked afterwards starts with the
libraries, their tables and caches as pages shared with the server and every other worker, and
the collector's passes never write to those objects (which would copy their pages into the child).
"""

from __future__ import annotations

import gc

from akhbar.extract.warm import warm
from akhbar.memory import release_free_memory
from akhbar.services import extractors

__all__ = ["extractors"]  # what every worker runs, imported here so that no worker imports it again

warm()
release_free_memory()
gc.freeze()
