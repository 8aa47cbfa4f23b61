"""Telemetry a page could never send: non-finite or absurd clock readings are refused with
the field named, and nothing is stored (NaN used to fail the database's JSON check)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from roleplay.services.live import reply_receive, session_start

TEXT = "您好"
pytestmark = pytest.mark.django_db


@pytest.fixture
def session(published, trainee, scheduled, django_capture_on_commit_callbacks):
    with (
        time_machine.travel("2026-11-25 10:00:00 +0000", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return session_start(trainee=trainee, scenario=published[0])


def _event(t) -> dict:
    return {"t": t, "type": "insertText", "data": TEXT}


@pytest.mark.parametrize(
    ("events", "sent_t", "named"),
    [
        ([_event(float("nan"))], 1000, "events[0].t must be a finite number"),
        ([_event(100), _event(float("nan"))], 1000, "events[1].t must be a finite number"),
        ([_event(100)], float("nan"), "sent_t must be a finite number"),
        ([_event(100)], float("inf"), "sent_t must be a finite number"),
        ([], float("-inf"), "sent_t must be a finite number"),
        # Finite, but too large for the float arithmetic that places events in time.
        ([_event(0)], 10**400, "sent_t must be within"),
        ([_event(-(10**400))], 1000, "events[0].t must be within"),
    ],
)
def test_non_finite_telemetry_is_refused_naming_the_field(session, trainee, events, sent_t, named):
    with time_machine.travel(session.started_at + timedelta(seconds=5), tick=False):
        result = reply_receive(
            session_id=session.pk,
            user=trainee,
            client_id="c-1",
            text=TEXT,
            events=events,
            sent_t=sent_t,
        )
    assert not result.ok and named in result.error, result.error
    assert not session.messages.filter(role="agent").exists()
    session.refresh_from_db()
    assert session.reply_times == []
