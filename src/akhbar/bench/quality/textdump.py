"""How well the text-dump extractor generalises beyond the specimen, on real pages and texts.

Four sets, all under one data directory (``shared/data``) passed in by the caller:

* the specimen (``<data_dir>/../seed``): every expected field must match exactly;
* ``pages-fundus/{fr,lb}``: real French and Lebanese news pages with their expected title, body
  paragraphs and publishing date (each ``<Publisher>_<YYYY>_<MM>_<DD>.html.gz`` belongs to
  ``<Publisher>.json``; the version whose publishing date is nearest the file's date is used).
  Bodies are compared with the expected section paragraphs (the standfirst and subheadings, which
  fundus keeps apart, count against the extractor);
* ``pages-trafilatura``: real pages with text segments that must (``with``) and must not
  (``without``) appear in the extracted main text, scored the way trafilatura's own evaluation
  scores them (segments and body compared after :func:`clean`, body paragraphs joined by newlines);
* ``parallel-news``: 240 real articles (80 each in Arabic, French and English), written as text
  files twice, alone (title line, blank line, paragraphs) and inside synthetic page chrome, and
  ingested through ``akhbar ingest``'s own code into a temporary store
  (:mod:`akhbar.bench.quality.textdump_parallel`).

Each HTML page is first turned into a whole-page text dump with :func:`page_text`, so the
extractor sees exactly what it would see in a dump of that page.
"""

from __future__ import annotations

import difflib
import gzip
import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from akhbar.bench.quality.textdump_parallel import (
    LANGUAGES,
    DumpCounts,
    Version,
    chrome_dumps,
    ingested,
    plain_dump,
    score_dumps,
    versions,
)
from akhbar.extract.pagetext import page_text
from akhbar.extract.text import clean
from akhbar.extract.textdump import extract_textdump
from akhbar.models import Article, Rejected

__all__ = [
    "SPECIMEN_FIELDS",
    "Dump",
    "FundusCase",
    "SegmentCase",
    "all_dumps",
    "evaluate",
    "evaluate_parallel",
    "evaluate_report",
    "fundus_cases",
    "score_fundus",
    "score_parallel",
    "score_specimen",
    "score_trafilatura",
    "specimen_headlines_ok",
    "throughput",
    "trafilatura_cases",
]

SPECIMEN_FIELDS = ("title", "site_name", "published", "language", "image_caption", "body_paragraphs")
_FILE_DATE = re.compile(r"^(?P<publisher>.+?)_(?P<y>\d{4})_(?P<m>\d{2})_(?P<d>\d{2})\.html\.gz$")
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Dump:
    """A whole-page text dump ready for the extractor, with what the page was known by."""

    name: str
    text: str
    url: str | None = None
    fetched_at: datetime | None = None


@dataclass(frozen=True)
class FundusCase:
    dump: Dump
    title: str
    paragraphs: tuple[str, ...]
    published: str | None


@dataclass(frozen=True)
class SegmentCase:
    dump: Dump
    with_: tuple[str, ...]
    without: tuple[str, ...]
    title: str | None = None
    published: str | None = None


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _nearest_version(versions: dict[str, Any], day: date) -> dict[str, Any]:
    def distance(entry: dict[str, Any]) -> int:
        stamp = str(entry.get("publishing_date") or "")[:10]
        try:
            return abs((date.fromisoformat(stamp) - day).days)
        except ValueError:
            return 1_000_000

    return min(versions.values(), key=distance)


def _fundus_case(path: Path, meta: dict[str, Any]) -> FundusCase | None:
    found = _FILE_DATE.match(path.name)
    expected_file = path.parent / f"{found['publisher']}.json" if found else None
    if found is None or expected_file is None or not expected_file.exists():
        return None
    day = date(int(found["y"]), int(found["m"]), int(found["d"]))
    version = _nearest_version(_read_json(expected_file), day)
    sections = version.get("body", {}).get("sections", [])
    paragraphs = tuple(clean(text) for section in sections for text in section.get("paragraphs", []))
    info = meta.get(path.name, {})
    crawled = info.get("crawl_date")
    dump = Dump(
        name=path.name,
        text=page_text(gzip.decompress(path.read_bytes())),
        url=info.get("url"),
        fetched_at=datetime.fromisoformat(crawled) if crawled else None,
    )
    published = version.get("publishing_date")
    return FundusCase(dump, clean(version.get("title") or ""), paragraphs, str(published)[:10] or None)


def fundus_cases(data_dir: Path) -> list[FundusCase]:
    """The fundus pages under ``data_dir/pages-fundus`` with their expected values."""
    cases: list[FundusCase] = []
    for folder in sorted(p for p in (data_dir / "pages-fundus").iterdir() if p.is_dir()):
        meta_file = folder / "meta.info"
        meta = _read_json(meta_file) if meta_file.exists() else {}
        for path in sorted(folder.glob("*.html.gz")):
            case = _fundus_case(path, meta)
            if case is not None:
                cases.append(case)
    return cases


def trafilatura_cases(data_dir: Path) -> list[SegmentCase]:
    """The trafilatura evaluation pages under ``data_dir/pages-trafilatura`` with their segments."""
    root = data_dir / "pages-trafilatura"
    cases: list[SegmentCase] = []
    for url, entry in sorted(_read_json(root / "evaldata_fr_ar.json").items()):
        path = root / "html" / entry["file"]
        if not path.exists():
            continue
        dump = Dump(name=path.name, text=page_text(path.read_bytes()), url=url)
        title, published = clean(entry.get("title") or ""), str(entry.get("date") or "")[:10]
        segments = tuple(entry["with"]), tuple(entry["without"])
        cases.append(SegmentCase(dump, *segments, title=title or None, published=published or None))
    return cases


def score_parallel(cases: list[Version], found: list[Article | None]) -> dict[str, float]:
    """Exact body rate, body token F1, exact title and language rates on real articles in chrome."""
    bodies, f1s, titles, languages = [], [], [], []
    for case, article in zip(cases, found, strict=True):
        body = article.body_paragraphs if article is not None else ()
        bodies.append(float(article is not None and body == case.paragraphs))
        f1s.append(token_f1(body, case.paragraphs))
        titles.append(float(article is not None and article.title == case.title))
        languages.append(float(article is not None and article.language == case.language))
    return {
        "parallel_body_exact": _mean(bodies),
        "parallel_body_f1": _mean(f1s),
        "parallel_title_exact": _mean(titles),
        "parallel_language": _mean(languages),
    }


def evaluate_parallel(data_dir: Path) -> tuple[dict[str, float], dict[str, DumpCounts]]:
    """The parallel-news versions alone and in chrome, ingested and read back: scores, and the
    counts per language of the versions alone."""
    cases = versions(data_dir)
    found = ingested([plain_dump(case) for case in cases] + chrome_dumps(cases))
    counts = score_dumps(cases, found[: len(cases)])
    scores = score_parallel(cases, found[len(cases) :])
    for language in LANGUAGES:
        scores.update(counts[language].rates(language))
    return scores, counts


def _extract(dump: Dump) -> Article | Rejected:
    return extract_textdump(dump.text, url=dump.url, fetched_at=dump.fetched_at)


def _tokens(texts: list[str] | tuple[str, ...]) -> Counter[str]:
    return Counter(token.lower() for text in texts for token in _TOKEN.findall(text))


def token_f1(found: list[str] | tuple[str, ...], expected: list[str] | tuple[str, ...]) -> float:
    """Bag-of-words F1 between extracted and expected paragraphs."""
    got, want = _tokens(found), _tokens(expected)
    common = sum((got & want).values())
    if common == 0:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def _ratio(found: tuple[str, ...], expected: tuple[str, ...]) -> float:
    matcher = difflib.SequenceMatcher(None, "\n".join(found), "\n".join(expected), autojunk=False)
    return matcher.ratio()


def score_fundus(cases: list[FundusCase]) -> dict[str, float]:
    """Title exact-match rate, body token F1 and similarity ratio, and date match rate."""
    titles, f1s, ratios, dates = [], [], [], []
    for case in cases:
        result = _extract(case.dump)
        body = result.body_paragraphs if isinstance(result, Article) else ()
        titles.append(float(isinstance(result, Article) and result.title == case.title))
        f1s.append(token_f1(body, case.paragraphs))
        ratios.append(_ratio(body, case.paragraphs))
        if case.published:
            published = result.published if isinstance(result, Article) else None
            dates.append(float((published or "")[:10] == case.published))
    return {
        "fundus_title_exact": _mean(titles),
        "fundus_body_f1": _mean(f1s),
        "fundus_body_ratio": _mean(ratios),
        "fundus_date": _mean(dates),
    }


def score_trafilatura(cases: list[SegmentCase]) -> dict[str, float]:
    """Precision, recall, F1 and accuracy over ``with``/``without`` segments, as trafilatura scores;
    title and date match rates where the evaluation data gives them."""
    counts: Counter[str] = Counter()
    titles, dates = [], []
    for case in cases:
        result = _extract(case.dump)
        article = result if isinstance(result, Article) else None
        body = "\n".join(article.body_paragraphs) if article is not None else ""
        counts.update("tp" if clean(segment) in body else "fn" for segment in case.with_)
        counts.update("fp" if clean(segment) in body else "tn" for segment in case.without)
        if case.title is not None:
            titles.append(float(article is not None and article.title == case.title))
        if case.published is not None:
            dates.append(float(article is not None and (article.published or "")[:10] == case.published))
    tp, fn, fp, tn = counts["tp"], counts["fn"], counts["fp"], counts["tn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    total = tp + fn + fp + tn
    return {
        "trafilatura_precision": precision,
        "trafilatura_recall": recall,
        "trafilatura_f1": f1,
        "trafilatura_accuracy": (tp + tn) / total if total else 0.0,
        "trafilatura_title_exact": _mean(titles),
        "trafilatura_date": _mean(dates),
    }


def specimen_headlines_ok(headlines: tuple[str, ...], source_line: str) -> bool:
    """Whether headlines follow the rule of expected.json: substrings covering the line's words in order."""
    if not headlines or not all(item and item in source_line for item in headlines):
        return False
    return " ".join(headlines).split() == source_line.split()


def _expected_for(dump_file: Path) -> Path | None:
    """``<name>.json`` beside a dump, else the folder's single ``expected.json``."""
    for candidate in (dump_file.with_suffix(".json"), dump_file.parent / "expected.json"):
        if candidate.exists():
            return candidate
    return None


def _specimen_scores(result: Article | Rejected, expected: dict[str, Any]) -> tuple[float, float, float]:
    if not isinstance(result, Article):
        return 0.0, 0.0, 0.0
    got = result.to_json()
    fields = _mean([float(got[name] == expected[name]) for name in SPECIMEN_FIELDS])
    body = "\n".join(result.body_paragraphs)
    clean_body = float(not any(text in body for text in expected.get("not_in_body", [])))
    source = expected.get("headlines_source_line")
    headlines = float(source is None or specimen_headlines_ok(result.headlines, source))
    return fields, clean_body, headlines


def score_specimen(seed_dir: Path) -> dict[str, float]:
    """Share of exactly matching fields, bodies free of chrome, and headlines following the rule."""
    scores: list[tuple[float, float, float]] = []
    for dump_file in sorted(seed_dir.glob("*.txt")):
        expected_file = _expected_for(dump_file)
        if expected_file is not None:
            result = extract_textdump(dump_file.read_text(encoding="utf-8"))
            scores.append(_specimen_scores(result, _read_json(expected_file)))
    return {
        "specimen_fields": _mean([score[0] for score in scores]),
        "specimen_not_in_body": _mean([score[1] for score in scores]),
        "specimen_headlines": _mean([score[2] for score in scores]),
    }


def all_dumps(data_dir: Path) -> list[Dump]:
    """Every dump of the evaluation: the specimen and the real pages turned into text."""
    seed = data_dir.parent / "seed"
    dumps = [Dump(path.name, path.read_text(encoding="utf-8")) for path in sorted(seed.glob("*.txt"))]
    dumps.extend(case.dump for case in fundus_cases(data_dir))
    dumps.extend(case.dump for case in trafilatura_cases(data_dir))
    return dumps


def throughput(dumps: list[Dump], *, rounds: int = 5) -> float:
    """Pages per second of ``extract_textdump`` over the dumps, best of ``rounds`` (CPU time, one core)."""
    best = float("inf")
    for _ in range(max(rounds, 1)):
        started = time.process_time()
        for dump in dumps:
            _extract(dump)
        best = min(best, time.process_time() - started)
    return len(dumps) / best if best > 0 else float("inf")


def evaluate_report(data_dir: Path) -> tuple[dict[str, float], dict[str, DumpCounts]]:
    """Every score, by name, and the parallel-news text dumps' counts per language; ``data_dir`` is
    the shared data folder, the specimen is in ``../seed``."""
    scores = score_specimen(data_dir.parent / "seed")
    scores.update(score_fundus(fundus_cases(data_dir)))
    scores.update(score_trafilatura(trafilatura_cases(data_dir)))
    parallel, counts = evaluate_parallel(data_dir)
    scores.update(parallel)
    return scores, counts


def evaluate(data_dir: Path) -> dict[str, float]:
    """Every score, by name (see :func:`evaluate_report`)."""
    return evaluate_report(data_dir)[0]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
