"""The articles ``akhbar bench web`` serves: real news texts in Arabic, French and English (the
parallel-news set) cycled into many sources, sections, a year of dates, multilingual stories and
syndicated copies, loaded with the search index's bulk path; and the words its searches ask for."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from akhbar.errors import StoreError
from akhbar.models import Article
from akhbar.services.demo import demo_directory
from akhbar.services.search import bulk_load
from akhbar.store import Store
from akhbar.store.tables import articles

SITES = {
    "ar": [("هسبريس", "hespress.ma"), ("الصباح", "assabah.com.tn"), ("النهار", "annahar.com.lb"),
           ("الشروق", "echoroukonline.dz"), ("بلادي نيوز", "biladinews.ma"), ("الأهرام", "ahram.eg")],
    "fr": [("Le Matin", "lematin.ma"), ("La Presse", "lapresse.tn"), ("L'Orient-Le Jour", "lorientlejour.lb"),
           ("El Watan", "elwatan.dz"), ("Le360", "le360.ma")],
    "en": [("Morocco World News", "moroccoworldnews.ma"), ("The National", "thenationalnews.ae"),
           ("Arab News", "arabnews.sa"), ("Daily Star", "dailystar.lb")],
}  # fmt: skip
EDITIONS = 4  # each site appears in this many editions (regional desks), for ~60 sources in all
SYNDICATED = 8  # one article in this many is a copy of the one before (same text, another site)
# Section folders put in the generated URLs, one per text group (the texts come with no section,
# so this is the bench's own assignment; it makes the home page render its section blocks).
FOLDERS = {
    "ar": [
        "%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9",
        "%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF",
        "sport",
        "monde",
        "culture",
    ],
    "fr": ["politique", "economie", "sport", "monde", "culture"],
    "en": ["politics", "economy", "sports", "world", "culture"],
}


@dataclass(frozen=True)
class Text:
    title: str
    paragraphs: tuple[str, ...]
    language: str
    group: int


def corpus(data_dir: Path | None) -> list[Text]:
    """Real news texts in ar/fr/en: the parallel-news set when present, else the specimen's paragraphs."""
    source = data_dir / "parallel-news" / "docs.jsonl" if data_dir else None
    texts: list[Text] = []
    if source is not None and source.exists():
        groups: dict[str, int] = {}
        for line in source.read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            paragraphs = tuple(p for p in doc["text"].split("\n") if p.strip())[:8]
            group = groups.setdefault(doc["group"], len(groups))
            texts.append(Text(doc["title"], paragraphs, doc["lang"], group))
        return texts
    lines = [x for x in (demo_directory() / "000_5f9867fcee487711.txt").read_text().splitlines() if x.strip()]
    return [Text(lines[2], tuple(lines[5:11]), "fr", 0), Text(lines[0], tuple(lines[1:2]), "ar", 0)]


def generate(texts: list[Text], count: int, *, stories: bool = True) -> Iterator[tuple[str, Article]]:
    """``count`` articles cycling through ``texts``: many sources, a year of dates, multilingual stories,
    section folders in the URLs, and one in :data:`SYNDICATED` a copy of the article before it."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    groups = 1 + max(t.group for t in texts)
    for i in range(count):
        copy = i % SYNDICATED == SYNDICATED - 1  # of article i - 1, whose id is i in a fresh database
        source = i - 1 if copy else i
        text = texts[source % len(texts)]
        round_ = source // len(texts)
        sites = SITES.get(text.language, SITES["en"])
        name, domain = sites[(round_ + text.group + (1 if copy else 0)) % len(sites)]
        edition = i % EDITIONS
        folders = FOLDERS.get(text.language, FOLDERS["en"])
        url = f"https://{domain}/{folders[text.group % len(folders)]}/{edition}/{round_}/{i}"
        published = (start + timedelta(minutes=5 * i)).isoformat(timespec="seconds")
        article = Article(
            title=text.title,
            body_paragraphs=text.paragraphs,
            language=text.language,
            site_name=f"{name} {edition + 1}" if edition else name,
            url=url,
            published=published,
            story_id=1 + round_ * groups + text.group if stories else None,
            duplicate_of=i if copy else None,
        )
        yield f"bench:{i}", article


def load(store: Store, texts: list[Text], count: int, *, stories: bool = True, batch: int = 2000) -> float:
    """Insert ``count`` generated articles; returns seconds taken."""
    started = time.perf_counter()
    pending: list[tuple[str, Article]] = []
    for item in generate(texts, count, stories=stories):
        pending.append(item)
        if len(pending) == batch:
            with store.transaction() as connection:
                bulk_load(connection, pending)
            pending = []
    if pending:
        with store.transaction() as connection:
            bulk_load(connection, pending)
    with store.reading() as connection:
        _check_copies(connection)
    return time.perf_counter() - started


def _check_copies(connection: sa.Connection) -> None:
    """Each generated copy must point at an article with its title (ids follow the order of insertion)."""
    original = articles.alias("original")
    wrong = connection.execute(
        sa.select(sa.func.count())
        .select_from(articles.join(original, original.c.id == articles.c.duplicate_of))
        .where(original.c.title != articles.c.title)
    ).scalar_one()
    if wrong:
        raise RuntimeError(
            f"bench: {wrong} generated copies point at another text (load into an empty database)"
        )


def story_count(texts: list[Text], count: int) -> int:
    """How many story ids of :func:`generate` surely exist for ``count`` articles (ids 1..story_count)."""
    groups = 1 + max(t.group for t in texts)
    return max(1, count // len(texts)) * groups  # complete rounds only: every one of their ids exists


def search_words(texts: list[Text], limit: int = 2000) -> list[str]:
    """Words of the loaded texts, as readers would search them (letters only, 4 or more)."""
    found: dict[str, None] = {}
    for text in texts:
        for word in " ".join((text.title, *text.paragraphs)).split():
            word = word.strip(".,;:!?«»\"'()[]")
            if len(word) >= 4 and word.isalpha():
                found.setdefault(word, None)
    return list(found)[:limit]


_marker = sa.Table(
    "akhbar_bench_web_corpus",  # the bench's own record, beside akhbar's schema, in kept corpora only
    sa.MetaData(),
    sa.Column("articles", sa.Integer, nullable=False),
    sa.Column("stories", sa.Boolean, nullable=False),
    sa.Column("load_seconds", sa.Float, nullable=False),
    sa.Column("built_at", sa.String(40), nullable=False),
)


@dataclass(frozen=True)
class Prepared:
    """The corpus a run serves: how long loading it took, and when, if an earlier run built it."""

    load_seconds: float
    reused: str | None = None


def kept_path(articles: int, stories: bool) -> Path:
    """Where ``--keep`` keeps a corpus of ``articles`` (in the working directory) for ``--reuse``."""
    return Path(f"akhbar-bench-web-{articles}{'' if stories else '-no-stories'}.db")


def _kept(url: str) -> sa.Row[Any] | None:
    """The record of the corpus kept in the database at ``url``; None when there is none, or when
    another version of akhbar kept it (its schema is not this version's: the corpus is built anew)."""
    try:
        store = Store(url)
    except StoreError:
        return None
    try:
        with store.reading() as connection:
            if not sa.inspect(connection).has_table(_marker.name):
                return None
            return connection.execute(sa.select(_marker)).first()
    finally:
        store.close()


def prepared(
    path: Path, texts: list[Text], count: int, *, stories: bool, reuse: bool, keep: bool
) -> Prepared:
    """The corpus in the SQLite file ``path``: the one an earlier run kept there (``reuse``, same size
    and kind), or ``count`` articles loaded now into a new file (recorded for a later run with ``keep``
    or ``reuse``)."""
    url = f"sqlite:///{path}"
    found = _kept(url) if reuse and path.exists() else None
    if found is not None and (found.articles, found.stories) == (count, stories):
        return Prepared(found.load_seconds, found.built_at)
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    store = Store(url)
    try:
        seconds = load(store, texts, count, stories=stories)
        if keep or reuse:
            built = datetime.now(UTC).isoformat(timespec="seconds")
            with store.transaction() as connection:
                _marker.create(connection, checkfirst=True)
                connection.execute(
                    sa.insert(_marker),
                    [{"articles": count, "stories": stories, "load_seconds": seconds, "built_at": built}],
                )
    finally:
        store.close()
    return Prepared(seconds)
