"""The typing test's services: the server's clock, the scoring package's measure, and the
plausibility flags that keep a run no person typed from certifying anyone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils import timezone, translation

from certification.models import Track, TrackVersion, TypingTest
from certification.selectors.typing import typing_meets, typing_passed, typing_policy
from certification.services.typing import GRACE_S, typing_test_finish, typing_test_start
from certification.track_spec import TrackSpec, TypingPolicy
from certification.typing_passages import passage_of_key
from scoring import score_typing_test
from simulator.service_errors import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the services' messages as written (in English)."""
    with translation.override("en"):
        yield


SENT_T = 5_000_000.0  # the page's clock (performance.now(), ms) when it hands the run in


def _started(test: TypingTest, seconds_ago: float) -> TypingTest:
    """The run as if its passage had been shown ``seconds_ago``."""
    test.started_at = timezone.now() - timedelta(seconds=seconds_ago)
    test.save(update_fields=["started_at"])
    return test


def _typing(text: str, seconds: float, *, piece: int = 2, end_before: float = 1.0) -> list:
    """Events of someone typing ``text`` evenly over ``seconds``, an IME committing
    ``piece`` characters at a time, the last commit ``end_before`` s before handing in."""
    pieces = [text[i : i + piece] for i in range(0, len(text), piece)]
    first = SENT_T - (seconds + end_before) * 1000
    step = seconds * 1000 / max(1, len(pieces) - 1)
    return [
        {"t": round(first + i * step), "type": "insertCompositionText", "data": p}
        for i, p in enumerate(pieces)
    ]


def _finish(trainee, test, typed, events, pastes=0, sent_t=SENT_T):
    return typing_test_finish(
        trainee=trainee, test_id=test.pk, typed=typed, events=events, pastes=pastes, sent_t=sent_t
    )


def _publish_policy(policy: dict) -> None:
    spec = TrackSpec(slug="cs-basic", title="客服上岗认证")
    data = spec.to_data()
    data["typing"] = policy
    track = Track.objects.create(slug="cs-basic", title="客服上岗认证", draft_yaml="x")
    version = TrackVersion.objects.create(
        track=track, number=1, yaml="x", data=data, content_hash="h"
    )
    track.published_version = version
    track.save()


# ----------------------------------------------------------------------------- start


def test_start_shows_a_passage_on_the_server_clock(trainee):
    before = timezone.now()
    test = typing_test_start(trainee=trainee)
    assert before <= test.started_at <= timezone.now()
    assert test.status == TypingTest.Status.RUNNING
    assert test.seconds_allowed == TypingPolicy().seconds
    assert passage_of_key(test.passage_key).text == test.reference


def test_a_new_start_abandons_the_run_still_going(trainee, other_trainee):
    first = typing_test_start(trainee=trainee)
    theirs = typing_test_start(trainee=other_trainee)
    second = typing_test_start(trainee=trainee)
    first.refresh_from_db()
    theirs.refresh_from_db()
    assert first.status == TypingTest.Status.ABANDONED
    assert theirs.status == TypingTest.Status.RUNNING  # another trainee's run is untouched
    assert second.passage_key.split(":")[1] != first.passage_key.split(":")[1]
    assert TypingTest.objects.filter(trainee=trainee, status="running").count() == 1


def test_the_published_track_sets_the_time_and_marks(trainee):
    _publish_policy({"min_cpm": 80, "min_accuracy": 0.97, "seconds": 120})
    assert typing_policy() == TypingPolicy(min_cpm=80, min_accuracy=0.97, seconds=120)
    assert typing_test_start(trainee=trainee).seconds_allowed == 120


# ---------------------------------------------------------------------------- finish


def test_a_plausible_run_is_scored_by_the_scoring_package_on_server_time(trainee):
    test = _started(typing_test_start(trainee=trainee), 100)
    typed = test.reference[:-3] + "错"
    test = _finish(trainee, test, typed, _typing(typed, 90))
    assert test.status == TypingTest.Status.FINISHED
    assert test.flags == [] and test.plausible
    assert 100 <= test.seconds < 102
    expected = score_typing_test(test.reference, typed, test.seconds)
    assert test.result["correct"] == expected.correct
    assert (test.cpm, test.accuracy) == (expected.cpm, expected.accuracy)
    assert test.result["completion"] == expected.completion
    # Events are kept on the run's clock: seconds after the passage was shown.
    assert 0 < test.events[0]["t"] < test.events[-1]["t"] <= test.seconds


def test_a_page_claiming_a_longer_run_gains_nothing(trainee):
    test = _started(typing_test_start(trainee=trainee), 30)
    typed = test.reference
    # The page says typing began ten minutes before handing in; the server showed the
    # passage 30 s ago.
    test = _finish(trainee, test, typed, _typing(typed, 600))
    assert 30 <= test.seconds < 32
    assert test.cpm == score_typing_test(test.reference, typed, test.seconds).cpm
    assert "clock_inconsistent" in test.flags
    assert not test.plausible


def test_a_run_handed_in_after_the_time_counts_only_the_time_allowed(trainee):
    test = _started(typing_test_start(trainee=trainee), 3600)
    typed = test.reference
    test = _finish(trainee, test, typed, _typing(typed, 170))
    assert test.seconds == test.seconds_allowed + GRACE_S
    assert "late" in test.flags
    assert test.result["elapsed_s"] >= 3600


def test_a_paste_is_recorded_and_the_run_flagged(trainee):
    test = _started(typing_test_start(trainee=trainee), 100)
    typed = test.reference
    test = _finish(trainee, test, typed, _typing(typed, 90), pastes=2)
    assert test.pastes == 2
    assert test.flags == ["pasted"]
    assert not test.plausible
    assert not typing_meets(test, TypingPolicy())
    assert typing_passed(trainee, TypingPolicy()) is None


def test_a_paste_event_sent_despite_the_page_is_flagged(trainee):
    test = _started(typing_test_start(trainee=trainee), 100)
    typed = test.reference
    events = _typing(typed[:20], 80) + [
        {"t": SENT_T - 5000, "type": "insertFromPaste", "data": typed[20:]}
    ]
    test = _finish(trainee, test, typed, events)
    assert "pasted" in test.flags


def test_sustained_superhuman_speed_is_flagged(trainee):
    test = _started(typing_test_start(trainee=trainee), 100)
    typed = test.reference
    # The whole passage (120+ characters) in 15 s: over 480 字/分 for 15 s.
    test = _finish(trainee, test, typed, _typing(typed, 15, piece=1))
    assert "implausibly_fast" in test.flags
    assert not test.plausible
    assert typing_passed(trainee, TypingPolicy()) is None


def test_a_burst_of_fast_commits_within_a_slower_run_is_human(trainee):
    test = _started(typing_test_start(trainee=trainee), 100)
    typed = test.reference
    burst, rest = typed[:24], typed[24:]
    # 24 characters in 4 s (360 字/分 for a moment: phrase commits), then an even pace.
    events = _typing(burst, 4, piece=4, end_before=86) + _typing(rest, 80, piece=2)
    test = _finish(trainee, test, typed, events)
    assert test.flags == []


def test_characters_with_no_input_events_are_flagged(trainee):
    test = _started(typing_test_start(trainee=trainee), 100)
    typed = test.reference
    test = _finish(trainee, test, typed, _typing(typed[:30], 60))
    assert "text_without_events" in test.flags
    no_events = _started(typing_test_start(trainee=trainee), 100)
    no_events = _finish(trainee, no_events, typed, [], sent_t=None)
    assert "text_without_events" in no_events.flags


def test_events_out_of_order_are_flagged_and_the_run_still_scored(trainee):
    test = _started(typing_test_start(trainee=trainee), 100)
    typed = test.reference
    events = _typing(typed, 90)
    events[3]["t"], events[4]["t"] = events[4]["t"], events[3]["t"] - 1
    test = _finish(trainee, test, typed, events)
    assert test.status == TypingTest.Status.FINISHED
    assert test.flags == ["events_inconsistent"]
    assert test.cpm == score_typing_test(test.reference, typed, test.seconds).cpm


def test_a_resend_of_the_finish_returns_the_stored_run(trainee):
    test = _started(typing_test_start(trainee=trainee), 100)
    typed = test.reference
    first = _finish(trainee, test, typed, _typing(typed, 90))
    again = _finish(trainee, test, typed + "多打的字", _typing(typed, 95), pastes=3)
    assert again.pk == first.pk
    stored = TypingTest.objects.get(pk=test.pk)
    assert (stored.typed, stored.pastes, stored.cpm, stored.finished_at, stored.flags) == (
        typed,
        0,
        first.cpm,
        first.finished_at,
        [],
    )


def test_an_abandoned_or_foreign_run_cannot_be_handed_in(trainee, other_trainee):
    old = typing_test_start(trainee=trainee)
    typing_test_start(trainee=trainee)
    with pytest.raises(Conflict):
        _finish(trainee, old, "您好", [])
    theirs = typing_test_start(trainee=other_trainee)
    with pytest.raises(ObjectDoesNotExist):
        _finish(trainee, theirs, "您好", [])
    theirs.refresh_from_db()
    assert theirs.status == TypingTest.Status.RUNNING


@pytest.mark.parametrize(
    ("typed", "events", "pastes", "sent_t", "message"),
    [
        ("字" * 2001, [], 0, None, "too long"),
        (123, [], 0, None, "must be text"),
        ("您好", [{"t": 1, "type": "insertText", "data": "您"}] * 5001, 0, SENT_T, "Too many"),
        ("您好", [{"t": 1, "type": "keydown", "data": "您"}], 0, SENT_T, "Input event 0"),
        ("您好", [{"t": "soon", "type": "insertText", "data": "您"}], 0, SENT_T, "Input event 0"),
        ("您好", [{"t": 1, "type": "insertText", "data": "您"}], 0, None, "sent_t"),
        ("您好", "not a list", 0, None, "must be a list"),
        ("您好", [], -1, None, "pastes"),
        ("\ud800", [], 0, None, "surrogate"),
    ],
)
def test_malformed_input_is_refused_and_the_run_kept_going(
    trainee, typed, events, pastes, sent_t, message
):
    test = _started(typing_test_start(trainee=trainee), 100)
    with pytest.raises(ValidationError) as caught:
        _finish(trainee, test, typed, events, pastes=pastes, sent_t=sent_t)
    assert message in " ".join(caught.value.messages)
    test.refresh_from_db()
    assert test.status == TypingTest.Status.RUNNING


# ---------------------------------------------------------------------- passing runs


def test_typing_passed_is_the_latest_plausible_run_meeting_the_policy(trainee, other_trainee):
    policy = TypingPolicy(min_cpm=60, min_accuracy=0.95, seconds=180)
    good = _started(typing_test_start(trainee=trainee), 100)
    good = _finish(trainee, good, good.reference, _typing(good.reference, 90))
    assert good.cpm >= 60 and typing_meets(good, policy)
    slow = _started(typing_test_start(trainee=trainee), 179)
    slow = _finish(trainee, slow, slow.reference[:100], _typing(slow.reference[:100], 170))
    assert slow.cpm < 60
    assert typing_passed(trainee, policy) == good
    assert typing_passed(other_trainee, policy) is None
    assert typing_passed(trainee, TypingPolicy(min_cpm=int(good.cpm) + 1)) is None


def test_a_few_characters_handed_in_early_do_not_pass(trainee):
    test = _started(typing_test_start(trainee=trainee), 6)
    typed = test.reference[:10]
    test = _finish(trainee, test, typed, _typing(typed, 4, piece=1))
    assert test.plausible and test.cpm >= 60 and test.accuracy == 1.0
    assert not typing_meets(test, TypingPolicy())
    assert typing_passed(trainee, TypingPolicy()) is None
