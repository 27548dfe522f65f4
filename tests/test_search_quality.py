"""The relevance floor: akhbar's recall@5 on the relevance set may not drop below the recorded floor.

The floor is ``floor_recall_at_5`` in ``akhbar/bench/quality/search_queries.json``: lower it only on
purpose, in the commit that says why.
"""

from __future__ import annotations

from collections import Counter

from akhbar.bench.quality import search as quality
from akhbar.store import Store
from conftest import DATA, needs_shared


def test_relevance_set_is_big_and_varied() -> None:
    qs = quality.queries()
    assert len(qs) >= 60
    languages = Counter(q.language for q in qs)
    assert min(languages[lang] for lang in ("ar", "fr", "en")) >= 10
    variants = {q.variant for q in qs}
    assert {
        "diacritics",
        "hamza",
        "attached و",
        "ة/ه",
        "ى/ي",
        "accents",
        "elision",
        "plural/singular",
    } <= variants
    assert all(1 <= len(q.expect) <= 5 for q in qs)


@needs_shared(DATA / "parallel-news", DATA / "pages-fundus")
def test_recall_at_5_stays_above_the_floor_and_the_default(store: Store) -> None:
    akhbar, default = quality.evaluate(store, DATA)
    assert akhbar.recall >= quality.floor(), akhbar.failures
    assert akhbar.recall > default.recall
    assert akhbar.mrr > default.mrr
