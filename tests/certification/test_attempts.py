"""Certification exam attempts: the server draws the buyers, the prerequisites and the
attempt policy hold, and the decision is stored once, against the version started under."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from certification.models import Certificate, CertificationAttempt
from certification.selectors.attempts import track_standing
from certification.services import attempts as attempts_service
from certification.services.attempts import _draw, attempt_decide, attempt_start
from certification.track_spec import TrackSpec
from roleplay.models import Exam, Session
from tests.certification.exams import POOL, SPEC, end_with_reports, published_track, typed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the services' messages as written (in English)."""
    with translation.override("en"):
        yield


def test_without_a_typing_test_the_exam_does_not_start(cert_track, trainee):
    standing = track_standing(trainee, cert_track)
    assert not standing.can_start and standing.reason == _("Pass the typing test first.")
    with pytest.raises(ValidationError):
        attempt_start(trainee=trainee, track=cert_track)
    assert not CertificationAttempt.objects.exists() and not Exam.objects.exists()


@pytest.mark.parametrize(
    "run",
    [
        {"cpm": 50.0},  # too slow
        {"accuracy": 0.9},  # too many mistakes
        {"pastes": 1},  # pasted
        {"flags": ["no_input_events"]},  # no person typed it
    ],
)
def test_a_typing_run_below_the_policy_or_flagged_does_not_qualify(cert_track, trainee, run):
    typed(trainee, **run)
    assert track_standing(trainee, cert_track).typing is None


def test_the_server_draws_the_buyers_from_the_pool_with_the_attempts_seed(cert_track, trainee):
    typed(trainee)
    attempt = attempt_start(trainee=trainee, track=cert_track)
    sessions = list(attempt.exam.sessions.select_related("scenario_version__scenario"))
    drawn = [s.scenario_version.scenario.slug for s in sessions]
    assert sorted(drawn) == sorted(attempt.drawn) and len(set(drawn)) == 2
    assert set(drawn) <= set(POOL)
    assert [s.slug for s in _draw(SPEC, attempt.seed)] == attempt.drawn  # reproducible
    assert all(s.mode == Session.Mode.EXAM for s in sessions)
    minutes = (attempt.exam.deadline_at - attempt.exam.started_at).total_seconds() / 60
    assert 24.9 < minutes < 25.1  # the track's time limit


def test_different_seeds_draw_different_buyers(cert_pool):
    draws = {tuple(s.slug for s in _draw(SPEC, seed)) for seed in range(40)}
    assert len(draws) > 3


def test_a_second_start_while_one_runs_is_refused(cert_track, trainee):
    typed(trainee)
    attempt_start(trainee=trainee, track=cert_track)
    with pytest.raises(ValidationError, match="in progress"):
        attempt_start(trainee=trainee, track=cert_track)
    assert CertificationAttempt.objects.count() == 1


def test_a_good_exam_passes_and_the_decision_is_stored_once(cert_track, trainee):
    typed(trainee)
    attempt = attempt_start(trainee=trainee, track=cert_track)
    assert attempt_decide(attempt_id=attempt.pk) is None  # the exam is still running
    end_with_reports(attempt)
    decided = attempt_decide(attempt_id=attempt.pk)
    assert decided.passed and decided.status == CertificationAttempt.Status.DECIDED
    again = attempt_decide(attempt_id=attempt.pk)
    assert (again.decided_at, again.results) == (decided.decided_at, decided.results)
    certificate = Certificate.objects.get()  # issued with the decision, once
    assert certificate.attempt_id == attempt.pk and certificate.holder == trainee
    marks = {d["name"]: d for d in decided.results["dimensions"]}
    assert marks["compliance"]["measured"] == 90.0 and marks["total"]["measured"] == 88.0


def test_a_fatal_fault_fails_and_the_next_attempt_waits(cert_track, trainee):
    typed(trainee)
    attempt = attempt_start(trainee=trainee, track=cert_track)
    end_with_reports(attempt, hits=[{"rule": "off_platform", "severity": "fatal"}])
    decided = attempt_decide(attempt_id=attempt.pk)
    assert decided.passed is False
    assert [d["name"] for d in decided.results["dimensions"] if not d["ok"]] == ["fatal_hits"]
    standing = track_standing(trainee, cert_track)
    assert not standing.can_start and standing.next_allowed_at is not None
    with pytest.raises(ValidationError):
        attempt_start(trainee=trainee, track=cert_track)
    later = timezone.now() + timedelta(hours=25)
    assert track_standing(trainee, cert_track, now=later).can_start


def test_the_attempt_limit_holds(cert_track, trainee):
    typed(trainee)
    for _attempt in range(2):
        attempt = attempt_start(trainee=trainee, track=cert_track)
        end_with_reports(attempt, total=40.0)
        attempt_decide(attempt_id=attempt.pk)
        CertificationAttempt.objects.filter(pk=attempt.pk).update(
            decided_at=timezone.now() - timedelta(days=2)
        )
    standing = track_standing(trainee, cert_track)
    assert not standing.can_start and "2" in standing.reason
    with pytest.raises(ValidationError):
        attempt_start(trainee=trainee, track=cert_track)


def test_a_later_version_changes_no_past_decision(cert_track, trainee):
    typed(trainee)
    attempt = attempt_start(trainee=trainee, track=cert_track)
    stricter = TrackSpec(**{**SPEC.__dict__, "marks": SPEC.marks.__class__(total=95.0)})
    published_track(stricter, number=2, track=cert_track)  # published while the exam runs
    end_with_reports(attempt)
    decided = attempt_decide(attempt_id=attempt.pk)
    assert decided.track_version.number == 1 and decided.passed  # judged on version 1


def test_the_last_report_of_a_certification_exam_sends_the_decision(
    cert_track, trainee, monkeypatch, django_capture_on_commit_callbacks
):
    from certification import tasks
    from roleplay.services.exams import exam_close_if_done

    sent = []
    monkeypatch.setattr(tasks.decide_task, "delay", lambda attempt_id: sent.append(attempt_id))
    typed(trainee)
    attempt = attempt_start(trainee=trainee, track=cert_track)
    end_with_reports(attempt)
    with django_capture_on_commit_callbacks(execute=True):
        exam_close_if_done(exam_id=attempt.exam_id)
    assert sent == [attempt.pk]


def test_rearm_decides_what_was_left(cert_track, trainee, monkeypatch):
    from certification import tasks

    sent = []
    monkeypatch.setattr(tasks.decide_task, "delay", lambda attempt_id: sent.append(attempt_id))
    typed(trainee)
    attempt = attempt_start(trainee=trainee, track=cert_track)
    tasks.rearm_task()
    assert sent == []  # still running
    end_with_reports(attempt)
    tasks.rearm_task()
    assert sent == [attempt.pk]
    assert attempts_service.attempt_decide(attempt_id=attempt.pk).passed


def test_the_certificate_shows_the_figures_the_exam_was_decided_on(cert_track, trainee):
    typed(trainee, cpm=72.4, accuracy=0.973)
    attempt = attempt_start(trainee=trainee, track=cert_track)
    end_with_reports(attempt, compliance=88.5, total=81.0, first_s=4.2)
    attempt_decide(attempt_id=attempt.pk)
    shown = Certificate.objects.get(attempt=attempt).results
    assert shown["typing_cpm"] == 72.4 and shown["typing_accuracy"] == 0.973
    assert shown["compliance"] == 88.5 and shown["total"] == 81.0
    assert shown["first_response_median_s"] == 4.2
