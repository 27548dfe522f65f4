"""SemEval-2022 Task 8 pairs and the built duplicate set for ``akhbar eval stories``."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np

from akhbar.bench.quality import stories_baselines as baselines
from akhbar.bench.quality.extraction import load_pages
from akhbar.bench.quality.stories import FIXED_TIME, Item, Scores, _features, embed_items, load_parallel
from akhbar.dedupe.signatures import Signature, is_duplicate, signature
from akhbar.extract.html import extract_html
from akhbar.models import Rejected, as_utc
from akhbar.stories import grouping
from akhbar.stories.embedding import Embedder
from akhbar.text.urls import canonical_url

SAME, DIFFERENT = 1.5, 3.0
TFIDF_SAME = 0.3
TFIDF_DUPLICATE = 0.8
EMBEDDING_DUPLICATE = 0.95


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
    akhbar, gated = [], []
    for k in range(len(pairs)):
        a = _features(flat[2 * k], vectors[2 * k], entities=True)
        b = _features(flat[2 * k + 1], vectors[2 * k + 1], entities=True)
        story = grouping.Candidate(0, b.embedding, 1, b.published, b.published, dict.fromkeys(b.entities, 1))
        akhbar.append(grouping.similarity(a, story, settings))
        gated.append(grouping.score(a, story, settings))
    scores = {"akhbar": _pair_scores(akhbar, human, settings.join)}
    if with_baselines:
        scores["akhbar, time-gated"] = _pair_scores(gated, human, settings.join)
    if with_baselines:
        cosines = [float(vectors[2 * k] @ vectors[2 * k + 1]) for k in range(len(pairs))]
        scores["embeddings alone"] = _pair_scores(cosines, human, settings.join)
        tfidf = baselines.TitleTfidf([i.title for i in flat])
        titles = [baselines.cosine(tfidf.vector(a.title), tfidf.vector(b.title)) for a, b, _ in pairs]
        scores["title TF-IDF"] = _pair_scores(titles, human, TFIDF_SAME)
    return scores


def syndicated(item: Item, number: int) -> Item:
    """A realistic syndicated copy: another header and footer, last paragraph cut, new byline."""
    header = {"ar": "الرباط - وكالات", "fr": "PARIS (AFP) -"}.get(item.language or "", "LONDON (Reuters) -")
    footer = {"ar": "تابعوا آخر الأخبار على موقعنا", "fr": "Lire aussi : nos autres articles"}.get(
        item.language or "", "Read more stories like this on our website"
    )
    body = list(item.paragraphs[:-1] if len(item.paragraphs) > 3 else item.paragraphs)
    byline = f"By Staff Writer {number}"
    return Item(item.title, (byline, f"{header} {body[0]}", *body[1:], footer), item.language, item.truth)


def amp_copy(item: Item) -> Item:
    """The same page reached at its AMP address, one inner paragraph (an inline link box) missing."""
    if item.url is None:
        raise ValueError(f"duplicates set: {item.title!r} has no URL to make an AMP copy of")
    body = item.paragraphs
    if len(body) > 4:
        middle = len(body) // 2
        body = body[:middle] + body[middle + 1 :]
    url = item.url.split("?")[0].rstrip("/")
    amp = f"{url[:-5]}.amp.html" if url.endswith(".html") else f"{url}/amp/"
    return Item(item.title, body, item.language, item.truth, url=amp)


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


def duplicates(data_dir: Path, embedder: Embedder | None = None) -> Scores:
    """Precision and recall of "this is a copy of that" over originals plus their copies."""
    originals = load_parallel(data_dir) + real_pages(data_dir)
    copies = [syndicated(item, n) for n, item in enumerate(originals)]
    sources = list(range(len(originals)))
    amp = [n for n, item in enumerate(originals) if item.url]
    copies += [amp_copy(originals[n]) for n in amp]
    sources += amp
    stream = originals + copies  # originals first: the copy's original is the earliest
    truth = {len(originals) + k: n for k, n in enumerate(sources)}
    signatures = [signature(i.paragraphs) for i in stream]
    addresses = [canonical_url(i.url) if i.url else None for i in stream]

    def akhbar(i: int, j: int) -> bool:
        same_address = addresses[i] is not None and addresses[i] == addresses[j]
        return same_address or is_duplicate(signatures[i], signatures[j])

    scores = {"akhbar": _stream(len(stream), truth, akhbar, signatures, addresses)}
    tfidf = baselines.TitleTfidf([i.title for i in stream])
    titles = [tfidf.vector(i.title) for i in stream]
    scores["title TF-IDF"] = _stream(
        len(stream), truth, lambda i, j: baselines.cosine(titles[i], titles[j]) >= TFIDF_DUPLICATE
    )
    if embedder is not None:
        vectors = embed_items(stream, embedder)
        scores["embeddings alone"] = _stream(
            len(stream), truth, lambda i, j: float(vectors[i] @ vectors[j]) >= EMBEDDING_DUPLICATE
        )
    return scores


def _stream(
    count: int,
    truth: dict[int, int],
    same: Callable[[int, int], bool],
    signatures: list[Signature] | None = None,
    addresses: list[str | None] | None = None,
) -> dict[str, float]:
    """Each item's original is the earliest earlier item judged the same.

    With ``signatures`` the candidates are those sharing an LSH band or a canonical address, as in
    the store; without, every earlier item.
    """
    bands: dict[int, list[int]] = {}
    seen: dict[str, list[int]] = {}
    true_positive = flagged = 0
    for i in range(count):
        if signatures is not None:
            pool_set = {j for b in signatures[i].bands() for j in bands.get(b, [])}
            for b in signatures[i].bands():
                bands.setdefault(b, []).append(i)
            address = addresses[i] if addresses else None
            if address is not None:
                pool_set.update(seen.get(address, []))
                seen.setdefault(address, []).append(i)
            pool = sorted(pool_set)
        else:
            pool = list(range(i))
        found = next((j for j in pool if same(i, j)), None)
        if found is not None:
            flagged += 1
            true_positive += int(truth.get(i) == found)
    return {
        "precision": true_positive / flagged if flagged else 1.0,
        "recall": true_positive / len(truth),
        "flagged": float(flagged),
    }
