"""Response times against hand-computed values."""

from __future__ import annotations

import pytest

from scoring.inputs import Band, SessionMessage, Targets
from scoring.response import band_score, measure_response


def msgs(*items: tuple[str, float]) -> list[SessionMessage]:
    return [SessionMessage(role, t, "x") for role, t in items]


@pytest.mark.parametrize(
    ("wait", "expected"),
    [
        (0.0, 100.0),
        (6.0, 100.0),  # at the target: full marks
        (7.0, 75.0),  # (10 - 7) / (10 - 6) = 0.75
        (8.0, 50.0),
        (9.5, 12.5),
        (10.0, 0.0),  # at the limit: nothing
        (42.0, 0.0),
    ],
)
def test_first_response_band_interpolation(wait: float, expected: float) -> None:
    assert band_score(wait, Band(6, 10)) == pytest.approx(expected)


def test_later_band_interpolation() -> None:
    band = Band(15, 60)
    assert band_score(15, band) == 100
    assert band_score(20, band) == pytest.approx(100 * 40 / 45)  # 88.888…
    assert band_score(37.5, band) == pytest.approx(50)
    assert band_score(60, band) == 0


def test_consecutive_buyer_messages_are_one_wait_from_the_first() -> None:
    report = measure_response(
        msgs(("buyer", 0), ("buyer", 3), ("agent", 7), ("buyer", 10), ("agent", 30)), Targets()
    )
    assert report.first_s == 7.0
    assert report.waits == (7.0, 20.0)
    assert report.average_s == 13.5
    assert [(w.buyer_message, w.agent_message) for w in report.details] == [(0, 2), (3, 4)]
    # 7 s against 6/10 -> 75; 20 s against 15/60 -> 88.9; mean 81.95 -> 82.0 (half up)
    assert [w.score for w in report.details] == [75.0, 88.9]
    assert report.score == 82.0


def test_agent_messages_without_a_pending_buyer_message_end_no_wait() -> None:
    report = measure_response(
        msgs(("agent", 0), ("agent", 1), ("buyer", 5), ("agent", 9), ("agent", 12)), Targets()
    )
    assert report.waits == (4.0,)
    assert report.details[0].band == "first"
    assert report.details[0].score == 100.0


def test_unanswered_waits_are_listed_and_score_zero() -> None:
    report = measure_response(
        msgs(("buyer", 0), ("agent", 5), ("buyer", 20), ("buyer", 25)), Targets()
    )
    assert report.waits == (5.0,)
    assert [(w.buyer_message, w.start_t, w.score) for w in report.unanswered] == [(2, 20.0, 0.0)]
    assert report.score == 50.0  # (100 + 0) / 2
    assert report.to_dict()["unanswered"] == [
        {
            "buyer_message": 2,
            "start_t": 20.0,
            "band": "later",
            "target_s": 15.0,
            "limit_s": 60.0,
            "score": 0.0,
        }
    ]


def test_first_wait_unanswered_means_no_first_response() -> None:
    report = measure_response(msgs(("buyer", 0)), Targets())
    assert report.first_s is None
    assert report.average_s is None
    assert report.waits == ()
    assert report.details[0].band == "first"
    assert report.score == 0.0


def test_no_buyer_message_no_score() -> None:
    report = measure_response(msgs(("agent", 0)), Targets())
    assert (report.first_s, report.average_s, report.score) == (None, None, None)


def test_scenario_bands_and_unanswered_score_override_defaults() -> None:
    targets = Targets(first_response=Band(3, 5), response=Band(5, 25), unanswered_score=40)
    report = measure_response(
        msgs(("buyer", 0), ("agent", 4), ("buyer", 10), ("agent", 20), ("buyer", 30)), targets
    )
    # 4 s against 3/5 -> 50; 10 s against 5/25 -> 75; unanswered -> 40
    assert [w.score for w in report.details] == [50.0, 75.0, 40.0]
    assert report.score == 55.0


def test_fractional_times_are_rounded_to_milliseconds() -> None:
    report = measure_response(msgs(("buyer", 0.1), ("agent", 6.3)), Targets())
    assert report.first_s == 6.2  # not 6.199999999999999
    assert report.details[0].score == 95.0  # (10 - 6.2) / 4
