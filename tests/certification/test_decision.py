"""The pass/fail decision: every mark must be met, each dimension says why, and the same
inputs always give the same decision."""

from __future__ import annotations

from dataclasses import replace

import pytest

from certification.decision import Conversation, decide
from certification.track_spec import Marks, TypingPolicy

GOOD = Conversation(compliance=92.0, first_response_s=4.0, total=85.0, fatal_hits=0)


DEFAULT_MARKS = Marks()


def _decide(conversations=(GOOD, GOOD), cpm=72.0, accuracy=0.97, marks=DEFAULT_MARKS):
    return decide(
        marks=marks,
        typing_policy=TypingPolicy(),
        typing_cpm=cpm,
        typing_accuracy=accuracy,
        conversations=list(conversations),
    )


def _by_name(decision) -> dict:
    return {d.name: d for d in decision.dimensions}


def test_an_exam_meeting_every_mark_passes_and_says_so_per_dimension():
    decision = _decide()
    assert decision.passed
    dims = _by_name(decision)
    assert set(dims) == {
        "typing_cpm",
        "typing_accuracy",
        "compliance",
        "first_response_median_s",
        "first_response_max_s",
        "total",
        "fatal_hits",
    }
    assert all(d.ok and d.reason == "met" for d in dims.values())
    assert dims["typing_accuracy"].measured == 97.0 and dims["typing_accuracy"].mark == 95.0


@pytest.mark.parametrize(
    "change, failing",
    [
        ({"cpm": 59.0}, "typing_cpm"),
        ({"accuracy": 0.94}, "typing_accuracy"),
        ({"conversations": (GOOD, replace(GOOD, compliance=60.0))}, "compliance"),
        ({"conversations": (GOOD, replace(GOOD, total=60.0))}, "total"),
        ({"conversations": (GOOD, replace(GOOD, fatal_hits=1))}, "fatal_hits"),
        (
            {"conversations": (GOOD, GOOD, replace(GOOD, first_response_s=11.0))},
            "first_response_max_s",
        ),
        (
            {
                "conversations": (
                    replace(GOOD, first_response_s=7.0),
                    replace(GOOD, first_response_s=8.0),
                )
            },
            "first_response_median_s",
        ),
    ],
)
def test_missing_any_one_mark_fails_with_that_dimension_named(change, failing):
    decision = _decide(**change)
    assert not decision.passed
    missed = [d.name for d in decision.dimensions if not d.ok]
    assert missed == [failing]
    assert _by_name(decision)[failing].reason == "missed"


def test_a_buyer_never_answered_fails_the_slowest_first_response():
    decision = _decide(conversations=(GOOD, replace(GOOD, first_response_s=None)))
    dims = _by_name(decision)
    assert not decision.passed
    assert dims["first_response_max_s"].reason == "unanswered"
    assert dims["first_response_max_s"].measured is None


def test_figures_are_compared_as_shown():
    # 79.96 is shown as 80.0: it meets "at least 80", as the page says.
    decision = _decide(
        conversations=(replace(GOOD, compliance=79.96), replace(GOOD, compliance=79.96))
    )
    assert _by_name(decision)["compliance"].measured == 80.0
    assert _by_name(decision)["compliance"].ok


def test_no_typing_run_and_no_conversation_are_not_measured():
    decision = _decide(conversations=(), cpm=None, accuracy=None)
    assert not decision.passed
    assert all(d.reason == "not_measured" for d in decision.dimensions)


def test_the_same_inputs_give_the_same_decision():
    assert _decide().to_dict() == _decide().to_dict()
