"""The typing test: LCS against hand-computed values and a reference implementation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import ScoringInputError, score_typing_test
from scoring.typing_test import lcs_length


def naive_lcs(a: str, b: str) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("", "", 0),
        ("abc", "", 0),
        ("abcbdab", "bdcaba", 4),  # the textbook example: "bcba"
        ("您好欢迎光临", "您好欢迎光临", 6),
        ("您好欢迎光临", "您欢迎光临好", 5),
        ("亲在的呢", "亲在呢的", 3),
    ],
)
def test_lcs_known_values(a: str, b: str, expected: int) -> None:
    assert lcs_length(a, b) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab你好。", max_size=25), st.text(alphabet="ab你好。", max_size=25))
def test_lcs_matches_the_textbook_table(a: str, b: str) -> None:
    assert lcs_length(a, b) == naive_lcs(a, b) == lcs_length(b, a)


def test_perfect_test() -> None:
    result = score_typing_test("亲，您好！欢迎光临", "亲，您好！欢迎光临", 9)
    assert result.to_dict() == {"correct": 9, "accuracy": 1.0, "completion": 1.0, "cpm": 60.0}


def test_whitespace_is_ignored_on_both_sides() -> None:
    result = score_typing_test("亲 您好\n欢迎", "亲您 好欢迎  ", 60)
    assert (result.correct, result.reference_chars, result.typed_chars) == (5, 5, 5)


def test_errors_lower_accuracy_and_completion() -> None:
    # reference 10 characters; typed 8 of which 7 in order, one wrong
    result = score_typing_test("欢迎光临本店很高兴为", "欢迎光临店很错为", 30)
    assert result.correct == 7
    assert result.accuracy == 0.875  # 7 / 8
    assert result.completion == 0.7  # 7 / 10
    assert result.cpm == 14.0  # 7 / 30 * 60


def test_nothing_typed() -> None:
    result = score_typing_test("欢迎光临", "", 10)
    assert result.to_dict() == {"correct": 0, "accuracy": 0.0, "completion": 0.0, "cpm": 0.0}


def test_rounding_is_half_up_and_deterministic() -> None:
    result = score_typing_test("abc", "abd", 7)
    # 2 / 3 = 0.66666… -> 0.6667; 2 / 7 * 60 = 17.142857… -> 17.1
    assert (result.accuracy, result.completion, result.cpm) == (0.6667, 0.6667, 17.1)


@pytest.mark.parametrize(
    ("reference", "typed", "seconds", "field"),
    [
        ("", "x", 10, "reference"),
        ("  ", "x", 10, "reference"),
        ("abc", None, 10, "typed"),
        ("abc", "a", 0, "seconds"),
        ("abc", "a", -3, "seconds"),
        ("abc", "a", float("nan"), "seconds"),
        ("a" * 5001, "a", 10, "reference"),
    ],
)
def test_bad_inputs_name_the_field(
    reference: object, typed: object, seconds: float, field: str
) -> None:
    with pytest.raises(ScoringInputError) as err:
        score_typing_test(reference, typed, seconds)  # type: ignore[arg-type]
    assert err.value.field == field


def test_long_texts_are_fast_enough() -> None:
    text = "欢迎光临本店很高兴为您服务" * 380  # 4,940 characters
    assert lcs_length(text, text[::-1]) > 0
    assert score_typing_test(text, text, 600).correct == len(text)
