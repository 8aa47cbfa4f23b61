"""Dimension scores, weights, exclusions and deterministic rounding."""

from __future__ import annotations

import pytest

from scoring.composite import combine, compliance_score, excluded, included
from scoring.inputs import Targets
from scoring.rounding import round_half_up


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [(2.675, 2, 2.68), (0.125, 2, 0.13), (62.95, 1, 63.0), (88.8888, 1, 88.9), (-0.04, 1, 0.0)],
)
def test_round_half_up(value: float, places: int, expected: float) -> None:
    assert round_half_up(value, places) == expected
    assert str(round_half_up(-0.04, 1)) == "0.0"


def test_compliance_penalties_by_severity() -> None:
    score, inputs = compliance_score(["minor", "minor", "major"], Targets())
    assert score == 75.0  # 100 - 5 - 5 - 15
    assert inputs["counts"] == {"minor": 2, "major": 1, "fatal": 0}
    assert inputs["deductions"] == 25.0
    assert not inputs["capped_by_fatal"]


def test_compliance_floor_is_zero() -> None:
    assert compliance_score(["major"] * 8, Targets())[0] == 0.0


def test_fatal_hit_caps_compliance() -> None:
    score, inputs = compliance_score(["fatal"], Targets())
    assert score == 0.0 and inputs["capped_by_fatal"]
    lenient = Targets(fatal_cap=40.0)
    assert compliance_score(["fatal"], lenient)[0] == 40.0  # 100 - 30 = 70, capped at 40
    assert compliance_score(["fatal", "major", "major", "major"], lenient)[0] == 25.0
    assert compliance_score([], lenient)[0] == 100.0


def test_total_is_the_weighted_mean_of_shown_scores() -> None:
    dims = [
        included("response", 82.04, {}),
        included("typing", 75.0, {}),
        included("compliance", 90.0, {}),
        included("outcome", 100.0, {}),
        included("required_points", 50.0, {}),
    ]
    final, total = combine(dims, Targets().weights)
    assert [d.score for d in final] == [82.0, 75.0, 90.0, 100.0, 50.0]
    # (82*25 + 75*15 + 90*30 + 100*15 + 50*15) / 100 = 81.25 -> 81.3 (half up)
    assert total.score == 81.3
    assert not total.renormalised
    assert [d.share for d in final] == [0.25, 0.15, 0.3, 0.15, 0.15]


def test_dimensions_without_data_are_excluded_and_weights_renormalised() -> None:
    dims = [
        included("response", 80.0, {}),
        excluded("typing", "no agent message with typed characters"),
        included("compliance", 100.0, {}),
        excluded("outcome", "no outcome given for this session"),
        excluded("required_points", "the scenario lists no required points"),
    ]
    final, total = combine(dims, Targets().weights)
    # (80*25 + 100*30) / 55 = 90.909… -> 90.9
    assert total.score == 90.9
    assert total.used == ("response", "compliance")
    assert total.excluded == {
        "typing": "no agent message with typed characters",
        "outcome": "no outcome given for this session",
        "required_points": "the scenario lists no required points",
    }
    assert total.renormalised
    shares = {d.name: d.share for d in final}
    assert shares == {
        "response": 0.4545,
        "typing": 0.0,
        "compliance": 0.5455,
        "outcome": 0.0,
        "required_points": 0.0,
    }


def test_weight_zero_is_an_exclusion_with_its_reason() -> None:
    dims = [
        included(name, 50.0, {})
        for name in ("response", "typing", "compliance", "outcome", "required_points")
    ]
    weights = {
        "response": 1.0,
        "typing": 0.0,
        "compliance": 1.0,
        "outcome": 0.0,
        "required_points": 0.0,
    }
    final, total = combine(dims, weights)
    assert total.score == 50.0
    assert {d.name: d.reason for d in final if not d.included}["typing"] == (
        "weight 0 in this scenario"
    )
    assert not total.renormalised


def test_no_data_at_all_gives_no_total() -> None:
    dims = [
        excluded(name, "none")
        for name in ("response", "typing", "compliance", "outcome", "required_points")
    ]
    _, total = combine(dims, Targets().weights)
    assert total.score is None
