"""Report page: violations marked in place and escaped; corrections and disputes by role."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from roleplay.models import Dispute
from roleplay.services.live import reply_receive, session_start, session_timer
from roleplay.services.reports import session_score


@pytest.fixture
def scored(published, trainee, scheduled, django_capture_on_commit_callbacks, cohort):
    with (
        time_machine.travel("2026-11-25 10:00:00 +0000", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        session = session_start(trainee=trainee, scenario=published[0])
    with time_machine.travel(session.started_at + timedelta(seconds=3), tick=False):
        reply_receive(
            session_id=session.pk,
            user=trainee,
            client_id="c-1",
            text="你好<script>x</script>，我不知道",
            events=[],
            sent_t=None,
        )
    session.refresh_from_db()
    if session.is_active:
        with time_machine.travel(session.started_at + timedelta(seconds=200), tick=False):
            session_timer(session_id=session.pk, version=session.timer_version)
    return session_score(session_id=session.pk)


@pytest.mark.django_db
def test_report_marks_hits_in_place_and_escapes_text(client, trainee, scored):
    client.force_login(trainee)
    html = client.get(f"/practice/sessions/{scored.session.pk}/report/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    assert '<mark class="hit"' in html and "消极或推诿用语" in html
    assert 'data-testid="correct-form"' not in html  # trainees cannot correct


@pytest.mark.django_db
def test_dispute_then_trainer_correction_with_reason(
    client, trainee, trainer, other_trainee, scored
):
    url = f"/practice/sessions/{scored.session.pk}/report/"
    client.force_login(other_trainee)
    assert client.get(url).status_code == 404  # someone else's report
    client.force_login(trainee)
    client.post(url, {"action": "dispute", "comment": "第一句其实有问候"})
    assert Dispute.objects.filter(status="open").count() == 1
    client.force_login(trainer)
    queue = client.get("/practice/review/").content.decode()
    assert "第一句其实有问候" in queue
    client.post(url, {"action": "correct", "total": "55", "reason": "问候算数，酌情加分"})
    client.force_login(trainee)
    html = client.get(url).content.decode()
    assert 'data-testid="total">55.0<' in html and "问候算数，酌情加分" in html
    assert Dispute.objects.get().status == "answered"


@pytest.mark.django_db
def test_review_queue_is_for_trainers(client, trainee, hr):
    client.force_login(trainee)
    assert client.get("/practice/review/").status_code == 403
