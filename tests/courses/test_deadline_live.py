"""At the time limit a real Celery worker submits the saved answers."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from courses import services
from courses.models import Attempt
from courses.services import attempt_save, attempt_start

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_worker_submits_saved_answers_at_the_deadline(
    course, quiz, trainee, live_worker, monkeypatch
):
    quiz.time_limit_minutes = 1
    quiz.save()
    # The quiz says one minute; the test shortens it to 2 s without changing the mechanism.
    monkeypatch.setattr(services, "attempt_deadline", lambda q, now: now + timedelta(seconds=2))
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = quiz.questions.get(slug="b-terse")
    attempt_save(user=trainee, attempt=attempt, answers={str(question.pk): {"value": False}})

    deadline = time.monotonic() + 12
    while time.monotonic() < deadline:
        attempt.refresh_from_db()
        if not attempt.is_open:
            break
        time.sleep(0.1)
    assert attempt.status == Attempt.Status.EXPIRED, live_worker.log()[-2000:]
    assert attempt.score == 1 and attempt.max_score == 5
    lateness = (attempt.submitted_at - attempt.deadline_at).total_seconds()
    assert 0 <= lateness <= 1.0
