"""The body scores of published extraction benchmarks: 4-token shingles and ROUGE-LSum, in any script."""

from __future__ import annotations

import pytest

from akhbar.bench.quality.body_metrics import Shingles, rouge_lsum, shingle_counts, summarise, tokens


def test_chinese_and_japanese_characters_are_tokens_of_their_own() -> None:
    assert tokens("東京で会議 Hello wörld 한국어") == [
        "東",
        "京",
        "で",
        "会",
        "議",
        "Hello",
        "wörld",
        "한국어",
    ]


def test_shingles_are_normalised_per_page() -> None:
    page = shingle_counts(["a b c d e f"], ["a b c d e g"])
    assert page == Shingles(tp=0.5, fp=0.25, fn=0.25)


def test_rouge_lsum_takes_the_union_of_lcs_over_paragraphs() -> None:
    # Reference 9 tokens; "the cat sat on _ mat" + "a" from the first, "the" + "dog" from the second.
    precision, recall, f1 = rouge_lsum(
        ["the cat sat on the mat", "a dog"], ["the cat sat on a mat", "the dog barked"]
    )
    assert precision == 1.0
    assert recall == pytest.approx(8 / 9)
    assert f1 == pytest.approx(2 * (8 / 9) / (1 + 8 / 9))


def test_rouge_lsum_of_nothing_is_zero() -> None:
    assert rouge_lsum([], ["some text"]) == (0.0, 0.0, 0.0)


def test_rouge_lsum_of_a_copy_is_one() -> None:
    text = ["Erster Absatz mit Worten.", "Zweiter Absatz, länger als der erste."]
    assert rouge_lsum(text, text) == (1.0, 1.0, 1.0)


def test_set_scores_leave_empty_outputs_out_of_precision() -> None:
    pages = [shingle_counts(["a b c d"], ["a b c d"]), shingle_counts([], ["a b c d"])]
    scores = summarise(pages, [(1.0, 1.0, 1.0), (0.0, 0.0, 0.0)])
    assert (scores.precision, scores.recall) == (1.0, 0.5)
    assert scores.rouge_f1 == 0.5
