"""Search: analysis (Arabic, French, English), query parsing, and the SQLite FTS5 and PostgreSQL backends.

``analysis`` turns text into index terms the same way for documents and queries; ``query`` parses
what a reader types; ``sqlite`` and ``postgres`` match; ``ranking`` blends; ``snippets`` highlights.
Services combine these with the store (``akhbar.services.search``).
"""

from __future__ import annotations

from akhbar.search.index import Candidate, Filters
from akhbar.search.query import Query, QueryProblem, parse

__all__ = ["Candidate", "Filters", "Query", "QueryProblem", "parse"]
