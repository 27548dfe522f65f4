"""``akhbar eval extract``: HTML extraction quality on labelled real pages, beside bare trafilatura.

Three sets, all under one data directory (``shared/data``) given by the caller:

* ``pages-trafilatura``: French and Arabic pages from trafilatura's own evaluation, with text
  segments that must (``with``) and must not (``without``) appear in the main text, scored like
  trafilatura scores itself (precision, recall, F1, accuracy over segments), plus title, date,
  author and language where the set states them;
* ``pages-fundus``: French and Lebanese pages from Fundus's tests, with the expected title,
  publishing date, body (summary, section headings and paragraphs, in order) and image captions:
  title exact-match rate, date match rate (the day), body similarity (token F1 and word-sequence
  ratio), caption found rate (pages whose cover image has a caption), language;
* the specimen text dump (``<data_dir>/../seed``) through :func:`akhbar.extract.extract`, including
  its other headlines (the rule in its ``expected.json``).

Dates are scored twice: ``date_rate`` over every page with a labelled date, ``date_stated_rate`` over
the pages that state their labelled day somewhere in their HTML
(:mod:`akhbar.bench.quality.extraction_dates`): a label the page never shows cannot be extracted.
``added_date_rate`` scores the pages ``pages-trafilatura`` leaves undated against akhbar's own labels
(``extract_labels.json``, every such page, with what the page shows; "no date" when it states none).
``time_rate`` (Fundus, whose labels carry a time) is the share of pages whose publication instant is
right to the minute; bare trafilatura outputs the day alone with default options.
``article_rate`` is the share of these real article pages taken as articles (not rejected by akhbar;
non-empty text from bare trafilatura): one minus the false-rejection rate.

The same scores are computed for bare trafilatura with default options: ``trafilatura.extract`` for
the text and ``trafilatura.bare_extraction(..., with_metadata=True)`` for title, date and author.
Bare trafilatura has no caption field: a caption counts as found when its text is anywhere in its
output. Texts are compared after :func:`akhbar.extract.text.clean` on both sides.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import trafilatura

from akhbar.bench.quality.extraction_cases import (
    EvalPage,
    FundusCase,
    SegmentCase,
    fundus_cases,
    load_pages,
    read_json,
    segment_cases,
    unstated_dates,
)
from akhbar.bench.quality.extraction_dates import same_instant
from akhbar.bench.quality.textdump import specimen_headlines_ok
from akhbar.bench.quality.world import ALL, WorldReport
from akhbar.bench.quality.world_cases import FOLDER as WORLD_FOLDER
from akhbar.extract import extract
from akhbar.extract.html import extract_html
from akhbar.extract.text import clean
from akhbar.models import Article, Document, Rejected

__all__ = [
    "SYSTEMS",
    "EvalPage",
    "Outcome",
    "evaluate_extraction",
    "extraction_floors",
    "format_report",
    "fundus_cases",
    "load_pages",
    "segment_cases",
    "unstated_dates",
]

SYSTEMS = ("akhbar", "trafilatura")
_TOKEN = re.compile(r"[^\W_]+")
_SPECIMEN_FIELDS = ("title", "site_name", "published", "language", "image_caption", "body_paragraphs")


@dataclass(frozen=True)
class Outcome:
    """What one system extracted from one page, in the fields the sets score."""

    text: str
    paragraphs: tuple[str, ...]
    title: str = ""
    published: str | None = None
    authors: tuple[str, ...] = ()
    caption: str | None = None
    language: str | None = None
    accepted: bool = True


def akhbar_outcome(page: EvalPage) -> Outcome:
    """akhbar's extraction of a page, as an Outcome (empty when it rejects the page)."""
    result = extract_html(page.html, url=page.url, fetched_at=page.fetched_at)
    if isinstance(result, Rejected):
        return Outcome("", (), accepted=False)
    return Outcome(
        "\n".join(result.body_paragraphs),
        result.body_paragraphs,
        result.title,
        result.published,
        result.authors,
        result.image_caption,
        result.language,
    )


def trafilatura_outcome(page: EvalPage) -> Outcome:
    """Bare trafilatura with default options: ``extract`` for text, ``bare_extraction`` for metadata."""
    text = trafilatura.extract(page.html, url=page.url) or ""
    meta = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    if meta is None or isinstance(meta, dict):
        return Outcome(text, tuple(line for line in text.split("\n") if line.strip()), accepted=bool(text))
    authors = tuple(name.strip() for name in (meta.author or "").split(";") if name.strip())
    return Outcome(
        text,
        tuple(line for line in text.split("\n") if line.strip()),
        meta.title or "",
        meta.date,
        authors,
        None,
        meta.language,
        accepted=bool(text),
    )


SYSTEM_FUNCTIONS: dict[str, Callable[[EvalPage], Outcome]] = {
    "akhbar": akhbar_outcome,
    "trafilatura": trafilatura_outcome,
}


def _tokens(texts: Iterable[str]) -> Counter[str]:
    return Counter(token.lower() for text in texts for token in _TOKEN.findall(text))


def token_f1(found: Iterable[str], expected: Iterable[str]) -> float:
    """Bag-of-words F1 between extracted and expected paragraphs."""
    got, want = _tokens(found), _tokens(expected)
    common = sum((got & want).values())
    if common == 0:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def sequence_ratio(found: Iterable[str], expected: Iterable[str]) -> float:
    """Similarity of the word sequences (difflib ratio): order and repetitions count."""
    got = [token.lower() for text in found for token in _TOKEN.findall(text)]
    want = [token.lower() for text in expected for token in _TOKEN.findall(text)]
    return difflib.SequenceMatcher(None, got, want, autojunk=False).ratio()


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _same_title(found: str, expected: str) -> float:
    return float(clean(found) == clean(expected))


def _same_day(found: str | None, expected: str) -> float:
    return float((found or "")[:10] == expected[:10])


def _caption_found(outcome: Outcome, expected: str, *, in_text: bool) -> float:
    wanted = clean(expected).casefold()
    got = clean(outcome.caption or "").casefold()
    if got and (wanted in got or got in wanted):
        return 1.0
    return float(in_text and wanted in clean(outcome.text).casefold())


def score_segments(cases: list[SegmentCase], system: Callable[[EvalPage], Outcome]) -> dict[str, float]:
    """Segment precision/recall/F1/accuracy, and title, date, author and language rates."""
    tp = fn = fp = tn = 0
    accepted: list[float] = []
    stated: dict[str, list[float]] = {
        "title": [],
        "date": [],
        "date_stated": [],
        "added_date": [],
        "author": [],
        "language": [],
    }
    for case in cases:
        outcome = system(case.page)
        accepted.append(float(outcome.accepted))
        text = clean(outcome.text)
        hits = [clean(segment) in text for segment in case.with_]
        misses = [clean(segment) in text for segment in case.without]
        tp, fn = tp + sum(hits), fn + len(hits) - sum(hits)
        fp, tn = fp + sum(misses), tn + len(misses) - sum(misses)
        expected = case.expected
        if "title" in expected:
            stated["title"].append(_same_title(outcome.title, expected["title"]))
        if "date" in expected:
            stated["date"].append(_same_day(outcome.published, expected["date"]))
            if case.date_stated:
                stated["date_stated"].append(stated["date"][-1])
        if "added_date" in expected:
            stated["added_date"].append(float((outcome.published or "")[:10] == expected["added_date"]))
        if "author" in expected:
            stated["author"].append(float(expected["author"] in map(clean, outcome.authors)))
        if expected.get("language"):
            stated["language"].append(float(outcome.language == expected["language"]))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    total = tp + fn + fp + tn
    scores = {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": (tp + tn) / total if total else 0.0,
    }
    scores.update({f"{name}_rate": _mean(values) for name, values in stated.items()})
    scores["article_rate"] = _mean(accepted)
    return scores


def score_fundus(
    cases: list[FundusCase], system: Callable[[EvalPage], Outcome], *, name: str
) -> dict[str, float]:
    """Title exact match, date match (all, stated, to the minute), body F1 and sequence ratio,
    caption found and language rates."""
    titles, dates, stated, times, f1s, ratios, captions, languages, accepted = ([] for _ in range(9))
    for case in cases:
        outcome = system(case.page)
        accepted.append(float(outcome.accepted))
        titles.append(_same_title(outcome.title, case.title))
        if case.published:
            dates.append(_same_day(outcome.published, case.published))
            if case.date_stated:
                stated.append(dates[-1])
            if len(case.published) > 10:
                times.append(float(same_instant(outcome.published, case.published)))
        f1s.append(token_f1(outcome.paragraphs, case.body))
        ratios.append(sequence_ratio(outcome.paragraphs, case.body))
        if case.caption:
            captions.append(_caption_found(outcome, case.caption, in_text=name == "trafilatura"))
        languages.append(float(outcome.language == case.language))
    return {
        "title_rate": _mean(titles),
        "date_rate": _mean(dates),
        "date_stated_rate": _mean(stated),
        "time_rate": _mean(times),
        "body_f1": _mean(f1s),
        "body_ratio": _mean(ratios),
        "caption_rate": _mean(captions),
        "language_rate": _mean(languages),
        "article_rate": _mean(accepted),
    }


def _specimen_outcome(text: str, path: Path, name: str) -> dict[str, Any]:
    if name == "akhbar":
        document = Document(location=str(path), data=path.read_bytes(), content_type="text/plain")
        result = extract(document)
        return result.to_json() if isinstance(result, Article) else {}
    body = trafilatura.extract(text) or ""
    meta = trafilatura.bare_extraction(text, with_metadata=True)
    found: dict[str, Any] = {"body_paragraphs": [line for line in body.split("\n") if line.strip()]}
    if meta is not None and not isinstance(meta, dict):
        found.update(title=meta.title, site_name=meta.sitename, published=meta.date, language=meta.language)
        found["image_caption"] = None
    return found


def score_specimen(seed_dir: Path, name: str) -> dict[str, float]:
    """The specimen dumps: share of exact fields, body token F1, chrome kept out of the body, and
    other headlines following the rule of ``expected.json`` (bare trafilatura gives none)."""
    fields, titles, dates, f1s, clean_bodies, headlines = [], [], [], [], [], []
    for path in sorted(seed_dir.glob("*.txt")):
        expected_file = path.with_suffix(".json")
        expected_file = expected_file if expected_file.exists() else seed_dir / "expected.json"
        if not expected_file.exists():
            continue
        expected = read_json(expected_file)
        got = _specimen_outcome(path.read_text(encoding="utf-8"), path, name)
        fields.append(_mean([float(got.get(key) == expected[key]) for key in _SPECIMEN_FIELDS]))
        titles.append(_same_title(str(got.get("title") or ""), str(expected["title"])))
        dates.append(_same_day(got.get("published"), str(expected["published"])))
        body = got.get("body_paragraphs") or []
        f1s.append(token_f1(body, expected["body_paragraphs"]))
        joined = "\n".join(body)
        clean_bodies.append(
            float(bool(body) and not any(item in joined for item in expected.get("not_in_body", [])))
        )
        source = expected.get("headlines_source_line")
        if source:
            found = tuple(str(item) for item in got.get("headlines") or ())
            headlines.append(float(specimen_headlines_ok(found, str(source))))
    return {
        "fields_rate": _mean(fields),
        "title_rate": _mean(titles),
        "date_rate": _mean(dates),
        "body_f1": _mean(f1s),
        "not_in_body_rate": _mean(clean_bodies),
        "headlines_rate": _mean(headlines),
    }


def evaluate_extraction(
    data_dir: Path, world: WorldReport | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """Scores by system (``akhbar``, ``trafilatura``), then by set, then by score name.

    ``data_dir`` is the shared data folder (``pages-trafilatura``, ``pages-fundus``); the specimen
    is read from ``data_dir/../seed``. ``world``, a report on ``pages-fundus-world`` covering both
    systems (:func:`akhbar.bench.quality.world.evaluate_world`), adds that set's scores over all pages.
    """
    segments, fundus = segment_cases(data_dir), fundus_cases(data_dir)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name in SYSTEMS:
        system = SYSTEM_FUNCTIONS[name]
        results[name] = {
            "pages-trafilatura": score_segments(segments, system),
            "pages-fundus": score_fundus(fundus, system, name=name),
            "specimen": score_specimen(data_dir.parent / "seed", name),
        }
        if world is not None:
            results[name][WORLD_FOLDER] = world.scores[name][ALL]
    return results


def extraction_floors() -> dict[str, dict[str, float]]:
    """The recorded floors (``extract_floors.json``), by set and score name."""
    text = resources.files(__package__).joinpath("extract_floors.json").read_text(encoding="utf-8")
    table: dict[str, Any] = json.loads(text)
    return {
        str(set_name): {str(key): float(value) for key, value in scores.items()}
        for set_name, scores in table.items()
        if not set_name.startswith("_")
    }


def format_report(
    results: dict[str, dict[str, dict[str, float]]], floors: dict[str, dict[str, float]] | None = None
) -> str:
    """A plain-text table: each set's scores for akhbar and bare trafilatura side by side."""
    floors = floors or {}
    lines = [f"{'set':<18} {'score':<21} {'akhbar':>8} {'trafilatura':>12} {'floor':>7}"]
    for set_name, scores in results["akhbar"].items():
        for score, value in scores.items():
            baseline = results.get("trafilatura", {}).get(set_name, {}).get(score)
            floor = floors.get(set_name, {}).get(score)
            shown_baseline = "" if baseline is None else f"{baseline:.3f}"
            shown_floor = "" if floor is None else f"{floor:.3f}"
            lines.append(f"{set_name:<18} {score:<21} {value:>8.3f} {shown_baseline:>12} {shown_floor:>7}")
    return "\n".join(lines)
