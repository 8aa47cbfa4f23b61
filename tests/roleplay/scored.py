"""A role-play scored through the services, for tests that need a report to look at."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from roleplay.models import Report, Session
from roleplay.services.live import reply_receive, session_start, session_timer
from roleplay.services.reports import session_score


def scored_session(
    trainee, scenario, text: str = "你好，我不知道", events=None, sent_t=None
) -> Report:
    """One reply (a weak one unless ``text`` says otherwise) three seconds in, then the
    buyer's timers run out; the report. ``events`` and ``sent_t`` are the page's typing
    record (milliseconds on the page's clock), none by default."""
    session: Session = session_start(trainee=trainee, scenario=scenario)
    with time_machine.travel(session.started_at + timedelta(seconds=3), tick=False):
        reply_receive(
            session_id=session.pk,
            user=trainee,
            client_id="c-1",
            text=text,
            events=events or [],
            sent_t=sent_t,
        )
    session.refresh_from_db()
    if session.is_active:
        with time_machine.travel(session.started_at + timedelta(seconds=600), tick=False):
            session_timer(session_id=session.pk, version=session.timer_version)
    report = session_score(session_id=session.pk)
    assert report is not None
    return report
