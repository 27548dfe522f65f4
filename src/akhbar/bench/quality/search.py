"""``akhbar eval search``: recall@5 and MRR of akhbar's search beside the backend's default analyser.

The corpus is real news — the 80 articles of ``parallel-news/docs.jsonl`` in Arabic, French and
English and the pages of ``pages-fundus`` (their reviewed titles and bodies) — plus the generated
articles of ``search_queries.json``, which also holds the queries: each with the documents that
must be in the top 5. recall@5 of a query is the share of those documents found in its top 5;
MRR is the mean of 1/rank of the first one found.

The default is the backend with no analysis of ours: an FTS5 table with the ``unicode61``
tokenizer (SQLite), or ``to_tsvector('simple', ...)`` (PostgreSQL), over the raw title and body,
queried with the raw words (AND), ranked by bm25 / ts_rank.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from akhbar.models import Article
from akhbar.services import search
from akhbar.store import Store

TOP = 5
_RAW_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class EvalQuery:
    id: str
    query: str
    language: str
    variant: str
    expect: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    name: str
    recall: float
    mrr: float
    failures: tuple[str, ...]  # ids of queries with recall below 1

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "recall_at_5": self.recall,
            "mrr": self.mrr,
            "failures": list(self.failures),
        }


def _set() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("search_queries.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def queries() -> list[EvalQuery]:
    return [
        EvalQuery(q["id"], q["query"], q["language"], q["variant"], tuple(q["expect"]))
        for q in _set()["queries"]
    ]


def floor() -> float:
    """The recall@5 akhbar's analyser must keep (each backend), recorded beside the queries."""
    return float(_set()["floor_recall_at_5"])


def corpus(data_dir: Path) -> list[tuple[str, Article]]:
    """(key, article) for the real documents under ``data_dir`` and the generated ones."""
    found: list[tuple[str, Article]] = []
    docs = data_dir / "parallel-news" / "docs.jsonl"
    for line in docs.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        key = f"pn:{d['group'].split(':', 1)[1]}:{d['lang']}"
        found.append((key, Article(d["title"], tuple(d["text"].split("\n")), language=d["lang"])))
    for path in sorted((data_dir / "pages-fundus").glob("*/*.json")):
        for version, page in json.loads(path.read_text(encoding="utf-8")).items():
            body = page["body"]
            paragraphs = [*body.get("summary", []), *(p for s in body["sections"] for p in s["paragraphs"])]
            language = "ar" if path.parent.name == "lb" else "fr"
            key = f"fundus:{path.stem}:{version}"
            found.append((key, Article(page["title"], tuple(paragraphs), language=language)))
    for g in _set()["generated_articles"]:
        found.append((f"gen:{g['id']}", Article(g["title"], tuple(g["body"]), language=g["language"])))
    return found


def load(store: Store, documents: Sequence[tuple[str, Article]]) -> dict[str, int]:
    """Store and index the corpus (bulk loading indexes); returns article id by key."""
    with store.transaction() as connection:
        ids = search.bulk_load(connection, documents)
    return {key: article_id for (key, _), article_id in zip(documents, ids, strict=True)}


def score(name: str, qs: Sequence[EvalQuery], ranked: Callable[[EvalQuery], list[str]]) -> Score:
    recalls, reciprocal, failures = [], [], []
    for q in qs:
        top = ranked(q)[:TOP]
        found = [key for key in q.expect if key in top]
        recalls.append(len(found) / len(q.expect))
        first = min((top.index(k) + 1 for k in found), default=None)
        reciprocal.append(1 / first if first else 0.0)
        if len(found) < len(q.expect):
            failures.append(q.id)
    count = len(qs) or 1
    return Score(name, sum(recalls) / count, sum(reciprocal) / count, tuple(failures))


def evaluate(store: Store, data_dir: Path) -> tuple[Score, Score]:
    """(akhbar, backend default) on ``store``, which must be a new, empty database."""
    documents = corpus(data_dir)
    ids = load(store, documents)
    keys = {v: k for k, v in ids.items()}
    qs = queries()

    def akhbar(q: EvalQuery) -> list[str]:
        return [keys[i] for i in search.matching_ids(store, q.query, limit=TOP)]

    default = (
        _default_postgres(store, documents) if store.dialect == "postgresql" else _default_sqlite(documents)
    )
    name = "PostgreSQL simple" if store.dialect == "postgresql" else "FTS5 unicode61"
    return score("akhbar", qs, akhbar), score(name, qs, default)


def _raw_words(text: str) -> list[str]:
    return _RAW_WORD.findall(text.replace('"', " "))


def _default_sqlite(documents: Sequence[tuple[str, Article]]) -> Callable[[EvalQuery], list[str]]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE raw USING fts5(key UNINDEXED, title, body)")
    db.executemany(
        "INSERT INTO raw VALUES (?, ?, ?)", [(k, a.title, "\n".join(a.body_paragraphs)) for k, a in documents]
    )

    def ranked(q: EvalQuery) -> list[str]:
        words = _raw_words(q.query)
        if not words:
            return []
        match = " AND ".join('"' + w + '"' for w in words if w != "OR")
        rows = db.execute("SELECT key FROM raw WHERE raw MATCH ? ORDER BY rank LIMIT ?", (match, TOP))
        return [str(r[0]) for r in rows]

    return ranked


def _default_postgres(
    store: Store, documents: Sequence[tuple[str, Article]]
) -> Callable[[EvalQuery], list[str]]:
    rows = [{"k": k, "t": a.title + "\n" + "\n".join(a.body_paragraphs)} for k, a in documents]
    with store.transaction() as connection:
        connection.execute(sa.text("CREATE TABLE eval_default (key text, v tsvector)"))
        connection.execute(sa.text("INSERT INTO eval_default VALUES (:k, to_tsvector('simple', :t))"), rows)

    def ranked(q: EvalQuery) -> list[str]:
        words = [w for w in _raw_words(q.query) if w != "OR"]
        statement = sa.text(
            "SELECT key FROM eval_default, plainto_tsquery('simple', :q) query WHERE v @@ query "
            "ORDER BY ts_rank(v, query) DESC LIMIT :n"
        )
        with store.reading() as connection:
            return [str(r[0]) for r in connection.execute(statement, {"q": " ".join(words), "n": TOP})]

    return ranked
