"""SemEval-2022 Task 8 pairs for ``akhbar eval stories``, and the real pages the duplicates set copies."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np

from akhbar.bench.quality import stories_baselines as baselines
from akhbar.bench.quality.extraction import load_pages
from akhbar.bench.quality.stories import FIXED_TIME, Item, Scores, _features, ablations, embed_items
from akhbar.extract.html import extract_html
from akhbar.models import Rejected, as_utc
from akhbar.stories import grouping
from akhbar.stories.embedding import Embedder, Vector

SAME, DIFFERENT = 1.5, 3.0
TFIDF_SAME = 0.3


def _time(text: str | None) -> datetime:
    for form in ("%a %b %d %H:%M:%S %Y", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"):
        try:
            when = datetime.strptime((text or "").strip(), form)
        except ValueError:
            continue
        return as_utc(when)
    return FIXED_TIME


def _item(side: dict[str, str], language: str) -> Item:
    paragraphs = tuple(p.strip() for p in side["text"].split("\n") if p.strip())
    return Item(
        side["title"] or "", paragraphs, language, side.get("id", ""), published=_time(side.get("published"))
    )


def load_pairs(data_dir: Path) -> list[tuple[Item, Item, float]]:
    pairs = []
    for line in (data_dir / "news-similarity" / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        a, b = _item(row["a"], row["lang1"]), _item(row["b"], row["lang2"])
        if FIXED_TIME in (a.published, b.published):  # a date is missing: time says nothing
            a, b = replace(a, published=FIXED_TIME), replace(b, published=FIXED_TIME)
        pairs.append((a, b, float(row["overall"])))
    return pairs


def _pair_scores(similarity: Sequence[float], human: Sequence[float], threshold: float) -> dict[str, float]:
    pearson = float(np.corrcoef(np.asarray(similarity), -np.asarray(human))[0, 1])
    decided = [
        (s >= threshold, h <= SAME)
        for s, h in zip(similarity, human, strict=True)
        if h <= SAME or h >= DIFFERENT
    ]
    accuracy = sum(1 for guess, truth in decided if guess == truth) / max(1, len(decided))
    return {"pearson": pearson, "accuracy": accuracy, "decided": float(len(decided))}


def semeval(data_dir: Path, embedder: Embedder, *, with_baselines: bool = True) -> Scores:
    pairs = load_pairs(data_dir)
    flat = [item for a, b, _ in pairs for item in (a, b)]
    vectors = embed_items(flat, embedder)
    human = [h for _, _, h in pairs]
    settings = grouping.for_model(embedder)
    sides = [
        (_features(flat[2 * k], vectors[2 * k], entities=True), _story(flat[2 * k + 1], vectors[2 * k + 1]))
        for k in range(len(pairs))
    ]
    similarity = [grouping.similarity(a, story, settings) for a, story in sides]
    scores = {"akhbar": _pair_scores(similarity, human, settings.join)}
    if with_baselines:  # the time gate, then each part left out (an ablation), then the cosine alone
        gated = [grouping.score(a, story, settings) for a, story in sides]
        scores["akhbar, time-gated"] = _pair_scores(gated, human, settings.join)
        for name, rule in ablations(settings).items():
            found = [grouping.similarity(a, story, rule) for a, story in sides]
            scores[name] = _pair_scores(found, human, rule.join)
        tfidf = baselines.TitleTfidf([i.title for i in flat])
        titles = [baselines.cosine(tfidf.vector(a.title), tfidf.vector(b.title)) for a, b, _ in pairs]
        scores["title TF-IDF"] = _pair_scores(titles, human, TFIDF_SAME)
    return scores


def _story(item: Item, vector: Vector) -> grouping.Candidate:
    """A story of one article."""
    side = _features(item, vector, entities=True)
    languages = frozenset({item.language}) if item.language else frozenset()
    return grouping.Candidate(
        0, side.embedding, 1, side.published, side.published, dict.fromkeys(side.entities, 1), languages
    )


def real_pages(data_dir: Path) -> list[Item]:
    """akhbar's extraction of the real pages of ``pages-fundus`` and ``pages-trafilatura``."""
    items = []
    for page in load_pages(data_dir):
        article = extract_html(page.html, url=page.url, fetched_at=page.fetched_at)
        if not isinstance(article, Rejected) and len(article.body_paragraphs) >= 2 and page.url:
            items.append(
                Item(article.title, article.body_paragraphs, article.language, page.name, url=page.url)
            )
    return items
