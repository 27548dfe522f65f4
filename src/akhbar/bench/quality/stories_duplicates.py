"""The duplicates set of ``akhbar eval stories``: copies as they occur on real sites, and look-alikes.

Built in memory from real articles (the parallel-news texts, akhbar's extraction of the real pages
in ``pages-fundus`` and ``pages-trafilatura``, the articles of ``news-similarity``), then placed one
by one, in a seeded order, by the product's own code (:func:`akhbar.services.stories.place`, in
a temporary SQLite store, as ingest places them). Each article plays one part:

- ``syndicated``: another site's copy (header, footer and byline changed, last paragraph cut);
- ``amp``: a real page at its AMP address, one inner paragraph missing;
- ``spelling``: another site's syndicated copy in its own spelling habits (:mod:`.copies`: Arabic
  hamza, alef maqsura, ta marbuta, tanwin, digits; French œ, quotes, spaces; English quotes, -ize);
- ``rewrite``: a lightly edited rewrite (a sentence dropped, paragraphs swapped, a verb changed, a
  credit line), names and numbers kept;
- ``contains``: a roundup printing earlier wire items whole (its original: any of them);
- ``contained``: a wire item printed alone after a roundup that carried it (its original: the roundup);
- ``template``: cables of one template (:mod:`.cables`) and real articles with every name and number
  replaced (:func:`.copies.templated`): different news, never copies;
- ``original``: articles with no earlier copy (translations, other outlets' stories on one event).

A link is right when it points to one of the article's originals. Precision and recall are given
overall and by part, with how many template texts were linked. Given the model, the articles are
grouped into stories as they are placed, and ``templates_in_own_story`` is the share of template
texts in no story with another text of their template (another country, another burglary: another
event; the names and places that differ count against a join).
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import sqlalchemy as sa

from akhbar.bench.quality import copies as made
from akhbar.bench.quality import stories_baselines as baselines
from akhbar.bench.quality.cables import cables
from akhbar.bench.quality.stories import Item, embed_items, load_parallel
from akhbar.dedupe.signatures import is_duplicate, signature
from akhbar.models import Article, Document
from akhbar.services import stories
from akhbar.store import Store, articles, documents
from akhbar.store.tables import articles as article_rows
from akhbar.stories.embedding import Embedder

SEED = 16
COPY_KINDS = ("syndicated", "amp", "spelling", "rewrite", "contains", "contained")
KINDS = (*COPY_KINDS, "template", "original")
ROUNDUP_ITEMS = (3, 4)
TFIDF_DUPLICATE = 0.8
EMBEDDING_DUPLICATE = 0.95


@dataclass(frozen=True)
class Entry:
    """An article of the set, its part, and the keys of the articles it may rightly be linked to."""

    key: str
    item: Item
    kind: str
    sources: tuple[str, ...] = ()
    relation: str | None = None


def similar_articles(data_dir: Path) -> list[Item]:
    """The articles of the SemEval pairs (news-similarity), each once."""
    found: dict[str, Item] = {}
    for line in (data_dir / "news-similarity" / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for side, language in (("a", row["lang1"]), ("b", row["lang2"])):
            article = row[side]
            paragraphs = tuple(p.strip() for p in article["text"].split("\n") if p.strip())
            if paragraphs:
                found.setdefault(
                    article["id"], Item(article["title"] or "", paragraphs, language, article["id"])
                )
    return list(found.values())


def _header(item: Item, n: int) -> Item:
    """Another site's frame around the same text: dateline and credit line."""
    dateline = {"ar": "الرباط - وكالات", "fr": "PARIS (AFP) -"}.get(item.language or "", "LONDON (Reuters) -")
    first, *rest = item.paragraphs
    return replace(item, paragraphs=(f"{dateline} {first}", *rest, f"© {2018 + n % 7}"))


def _copies(originals: Sequence[tuple[str, Item]], rng: random.Random) -> Iterator[Entry]:
    """Each original's copies: syndicated always, AMP for pages, a spelling copy or a light edit."""
    for n, (key, item) in enumerate(originals):
        yield Entry(f"{key}/syndicated", made.syndicated(item, n), "syndicated", (key,), "same")
        if item.url:
            yield Entry(f"{key}/amp", made.amp_copy(item), "amp", (key,), "same")
        if n % 2 == 0:  # another site's copy, in its own spelling habits
            spelled, _ = made.respelled(made.syndicated(item, n + 1), rng)
            yield Entry(f"{key}/spelling", _header(spelled, n), "spelling", (key,), "same")
        else:
            yield Entry(f"{key}/rewrite", made.edited(item, rng)[0], "rewrite", (key,), "same")


def _roundups(wires: Sequence[tuple[str, Item]], rng: random.Random) -> tuple[list[Entry], list[Entry]]:
    """Wire items in roundups of the same language: (first entries, later entries)."""
    first: list[Entry] = []
    later: list[Entry] = []
    by_language: dict[str, list[tuple[str, Item]]] = {}
    for key, item in wires:
        by_language.setdefault(item.language or "", []).append((key, item))
    number = 0
    for group in by_language.values():
        while len(group) >= ROUNDUP_ITEMS[0]:
            size = min(len(group), rng.choice(ROUNDUP_ITEMS))
            members, group = group[:size], group[size:]
            number += 1
            key = f"roundup:{number}"
            whole = made.roundup([item for _, item in members], number)
            if number % 2:  # the wire items first, the roundup later
                first += [Entry(k, item, "original") for k, item in members]
                later.append(Entry(key, whole, "contains", tuple(k for k, _ in members), "contains"))
            else:  # the roundup first, one of its items alone later
                first.append(Entry(key, whole, "original"))
                later += [Entry(k, item, "contained", (key,), "contained_in") for k, item in members]
        first += [Entry(k, item, "original") for k, item in group]
    return first, later


def _templates(
    bases: Sequence[tuple[str, Item]], names: Callable[[Item], set[str]], rng: random.Random
) -> list[Entry]:
    """Each base article and two fills of its template with other names and numbers."""
    pools: dict[str, list[str]] = {}
    for _, item in bases:
        pools.setdefault(item.language or "", []).extend(sorted(names(item)))
    found = [Entry(f"cable:{n}", item, "template") for n, item in enumerate(cables())]
    for key, item in bases:
        found_names = names(item)
        variants = [made.templated(item, found_names, pools[item.language or ""], rng) for _ in range(2)]
        if all(v is not None for v in variants):
            found.append(Entry(key, item, "template"))
            found += [Entry(f"{key}/fill{n}", v, "template") for n, v in enumerate(variants) if v is not None]
        else:
            found.append(Entry(key, item, "original"))
    return found


def _name_finder(parallel: Sequence[Item]) -> Callable[[Item], set[str]]:
    """Names of an article: its own for Latin script, its English version's spellings for Arabic."""
    latin = {item.truth: made.latin_names(item) for item in parallel if item.language == "en"}

    def names(item: Item) -> set[str]:
        if item.language == "ar":
            return made.arabic_names(item, latin.get(item.truth, set()))
        return made.latin_names(item)

    return names


def build(data_dir: Path, pages: Sequence[Item]) -> list[Entry]:
    """The set in stream order: originals, templates and roundups first, their copies after."""
    rng = random.Random(SEED)
    parallel = load_parallel(data_dir)
    pool = [(f"news:{n}", item) for n, item in enumerate(parallel)]
    pool += [(f"similar:{item.truth}", item) for item in similar_articles(data_dir)]
    rng.shuffle(pool)
    quarter = len(pool) // 4
    originals = [(f"page:{n}", item) for n, item in enumerate(pages)] + pool[:quarter]
    wires = [(key, made.wire_item(item, rng)) for key, item in pool[quarter : 2 * quarter]]
    bases = [
        (key, item) for key, item in pool[2 * quarter : 3 * quarter] if item.language in ("ar", "fr", "en")
    ]
    background = [Entry(key, item, "original") for key, item in pool[3 * quarter :]]
    wire_first, wire_later = _roundups(wires, rng)
    first = [Entry(key, item, "original") for key, item in originals] + wire_first + background
    first += _templates(bases, _name_finder(parallel), rng)
    later = list(_copies(originals, rng)) + wire_later
    rng.shuffle(first)
    rng.shuffle(later)
    return first + later


Link = tuple[int | None, str | None]  # stream index of the article's original, relation


def _placed(
    store: Store, entries: Sequence[Entry], grouping: stories.Grouping
) -> tuple[list[Link], list[int | None]]:
    """Each entry stored and placed in turn as ingest does: its link, and its story."""
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, Document("eval", b"duplicates set"), None)
    index: dict[int, int] = {}
    links: list[Link] = []
    for n, entry in enumerate(entries):
        item = entry.item
        article = Article(item.title, item.paragraphs, item.language, url=item.url)
        prepared = stories.prepare(article, grouping)
        with store.transaction() as connection:
            article_id, created = articles.upsert_article(connection, f"eval:{n}", raw_id, article, None)
            placed = stories.place(connection, article_id, article, prepared, grouping, created=created)
        index[article_id] = n
        original = index.get(placed.duplicate_of) if placed.duplicate_of is not None else None
        kind = getattr(placed, "duplicate_kind", None) or "same"  # a store before relations: same text
        links.append((original, kind if original is not None else None))
    with store.reading() as connection:  # stories as they end, merges included
        rows = connection.execute(sa.select(article_rows.c.id, article_rows.c.story_id))
        final: dict[int, int | None] = {int(i): story for i, story in rows}
    return links, [final.get(article_id) for article_id in index]


def place_all(
    entries: Sequence[Entry], embedder: Embedder | None = None
) -> tuple[list[Link], list[int | None]]:
    """:func:`_placed` in a throwaway SQLite store; stories too when given the model."""
    grouping = (
        stories.Grouping(embedder=embedder) if embedder is not None else stories.Grouping(enabled=False)
    )
    with tempfile.TemporaryDirectory(prefix="akhbar-eval-") as scratch:
        store = Store(f"sqlite:///{scratch}/duplicates.db")
        try:
            return _placed(store, entries, grouping)
        finally:
            store.close()


def templates_apart(entries: Sequence[Entry], story_ids: Sequence[int | None]) -> float:
    """The share of template texts in no story with another text of their template."""
    groups = [e.item.truth.removeprefix("template:") if e.kind == "template" else None for e in entries]
    members: dict[tuple[str, int], int] = {}
    for group, story in zip(groups, story_ids, strict=True):
        if group is not None and story is not None:
            members[(group, story)] = members.get((group, story), 0) + 1
    templates = [(g, s) for g, s in zip(groups, story_ids, strict=True) if g is not None]
    apart = sum(1 for g, s in templates if s is None or members[(g, s)] == 1)
    return apart / len(templates) if templates else 1.0


def score(
    entries: Sequence[Entry], links: Sequence[tuple[int | None, str | None]]
) -> dict[str, dict[str, float]]:
    """Precision, recall and links by part, and overall (``all``)."""
    keys = [entry.key for entry in entries]
    figures: dict[str, dict[str, float]] = {}
    for kind in ("all", *KINDS):
        chosen = [n for n, e in enumerate(entries) if kind in ("all", e.kind)]
        copies = sum(1 for n in chosen if entries[n].sources)
        linked = [n for n in chosen if links[n][0] is not None]
        right = [n for n in linked if keys[links[n][0] or 0] in entries[n].sources]
        related = sum(1 for n in right if links[n][1] == entries[n].relation)
        figures[kind] = {
            "items": float(len(chosen)),
            "copies": float(copies),
            "linked": float(len(linked)),
            "precision": len(right) / len(linked) if linked else 1.0,
            "recall": len(right) / copies if copies else 1.0,
            "relation": related / len(right) if right else 1.0,
        }
    return figures


def _earliest(
    entries: Sequence[Entry],
    same: Callable[[int, int], bool],
    pools: Callable[[int], Sequence[int]] | None = None,
) -> list[tuple[int | None, str | None]]:
    """A baseline's links: each entry's earliest earlier entry judged the same (among ``pools(i)``)."""
    links: list[tuple[int | None, str | None]] = []
    for i in range(len(entries)):
        pool = pools(i) if pools is not None else range(i)
        found = next((j for j in pool if same(i, j)), None)
        links.append((found, "same" if found is not None else None))
    return links


def _minhash_bands(entries: Sequence[Entry]) -> list[tuple[int | None, str | None]]:
    """MinHash with LSH bands alone: how akhbar found copies before containment (candidates that
    share a band, then the signatures' Jaccard or estimated containment)."""
    signatures = [signature(e.item.paragraphs) for e in entries]
    bands: dict[int, list[int]] = {}

    def pool(i: int) -> list[int]:
        found = sorted({j for b in signatures[i].bands() for j in bands.get(b, [])})
        for b in signatures[i].bands():
            bands.setdefault(b, []).append(i)
        return found

    return _earliest(entries, lambda i, j: is_duplicate(signatures[i], signatures[j]), pool)


def _summary(figures: dict[str, dict[str, float]]) -> dict[str, float]:
    """The overall figures, contained copies' recall, and the share of template texts left unlinked."""
    contained = figures["contained"]["copies"] + figures["contains"]["copies"]
    right = figures["contained"]["recall"] * figures["contained"]["copies"]
    right += figures["contains"]["recall"] * figures["contains"]["copies"]
    templates = figures["template"]
    return {
        "precision": figures["all"]["precision"],
        "recall": figures["all"]["recall"],
        "contained_recall": right / contained if contained else 1.0,
        "templates_unlinked": 1.0 - templates["linked"] / templates["items"] if templates["items"] else 1.0,
    }


def duplicates(
    data_dir: Path, pages: Sequence[Item], embedder: Embedder | None = None, *, with_baselines: bool = True
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """(akhbar, and the baselines; akhbar by part). Given the model, articles are grouped into
    stories too, and the share of template texts in a story of their own is given."""
    entries = build(data_dir, pages)
    links, story_ids = place_all(entries, embedder)
    by_kind = score(entries, links)
    systems = {"akhbar": _summary(by_kind)}
    if embedder is not None:
        systems["akhbar"]["templates_in_own_story"] = templates_apart(entries, story_ids)
    if embedder is None or not with_baselines:
        return systems, {kind: by_kind[kind] for kind in ("all", *KINDS)}
    systems["MinHash bands alone"] = _summary(score(entries, _minhash_bands(entries)))
    tfidf = baselines.TitleTfidf([e.item.title for e in entries])
    titles = [tfidf.vector(e.item.title) for e in entries]
    links = _earliest(entries, lambda i, j: baselines.cosine(titles[i], titles[j]) >= TFIDF_DUPLICATE)
    systems["title TF-IDF"] = _summary(score(entries, links))
    vectors = embed_items([e.item for e in entries], embedder)
    links = _earliest(entries, lambda i, j: float(vectors[i] @ vectors[j]) >= EMBEDDING_DUPLICATE)
    systems["embeddings alone"] = _summary(score(entries, links))
    return systems, {kind: by_kind[kind] for kind in ("all", *KINDS)}
