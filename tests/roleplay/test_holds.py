"""The buyer's clock stands still while her line has not reached the page, and a line no
page showed is not held against the trainee (roleplay.holds, lines.lines_shown)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from roleplay.holds import BuyerClock, hold_for_shown
from roleplay.models import Message, Session
from roleplay.services.lines import lines_shown, message_deliver, session_attach
from roleplay.services.live import session_expire, session_start, session_timer
from roleplay.services.reports import session_score
from tests.roleplay.test_services import GOOD, _reply

START = "2026-11-25 10:00:00 +0000"
SIZE_ANSWER = "亲，您160斤建议穿XL码哦。"


@pytest.fixture
def confirmed(published, trainee, scheduled, django_capture_on_commit_callbacks):
    """A practice chat whose workbench connected and saw the buyer's first line at once."""
    with (
        time_machine.travel(START, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        session = session_start(trainee=trainee, scenario=published[0])
        session_attach(session_id=session.pk)
        lines_shown(session_id=session.pk, shown={1: session.started_at})
    session.refresh_from_db()
    return session


def _timer(session: Session, at) -> None:
    session.refresh_from_db()
    with time_machine.travel(at, tick=False):
        session_timer(session_id=session.pk, version=session.timer_version)
    session.refresh_from_db()


def _kinds(session: Session) -> list[str]:
    return list(session.messages.filter(role="buyer").order_by("pk").values_list("kind", flat=True))


def test_the_clock_stands_still_while_a_due_line_has_not_been_shown(confirmed):
    clock = BuyerClock(confirmed, confirmed.started_at + timedelta(seconds=50))
    assert clock.seconds == 50.0
    frozen = BuyerClock(
        confirmed,
        confirmed.started_at + timedelta(seconds=50),
        unshown_since=confirmed.started_at + timedelta(seconds=20),
    )
    assert (frozen.seconds, frozen.pending_s) == (20.0, 30.0)
    # A timer due at second 35 of her clock is 15 s away once the clock runs again.
    assert frozen.wall(35.0) == confirmed.started_at + timedelta(seconds=65)


def test_time_already_held_is_not_counted_twice(confirmed):
    base = confirmed.started_at
    hold_for_shown(confirmed, base + timedelta(seconds=10), base + timedelta(seconds=40))
    hold_for_shown(confirmed, base + timedelta(seconds=12), base + timedelta(seconds=40))
    hold_for_shown(confirmed, base + timedelta(seconds=50), base + timedelta(seconds=50.5))
    assert confirmed.held_s == pytest.approx(30.5)


def test_a_line_stuck_behind_a_locked_database_is_not_held_against_the_trainee(confirmed, trainee):
    """The buyer's answer could not be delivered for a minute (the database was locked):
    her nudge and her patience count from when the page got the line, not from when it was
    due, and the wait that the report measures starts then too."""
    base = confirmed.started_at
    result = _reply(confirmed, trainee, "c-1", GOOD, base + timedelta(seconds=4))
    assert result.ok
    line = confirmed.messages.get(role="buyer", at__isnull=True)
    due = line.due_at
    # Wake-ups during the outage: without the hold the nudge (30 s) and the buyer leaving
    # (90 s) would fire here, on a line the trainee never saw.
    _timer(confirmed, due + timedelta(seconds=31))
    _timer(confirmed, due + timedelta(seconds=95))
    assert confirmed.is_active and _kinds(confirmed) == ["line", "line"]
    # The database is back: the line is delivered and the page confirms it.
    back = due + timedelta(seconds=100)
    with time_machine.travel(back, tick=False):
        message_deliver(message_id=line.pk)
    line.refresh_from_db()
    lines_shown(session_id=confirmed.pk, shown={line.seq: back})
    confirmed.refresh_from_db()
    assert confirmed.held_s == pytest.approx(100.0)
    _timer(confirmed, back + timedelta(seconds=29))
    assert _kinds(confirmed) == ["line", "line"]  # 29 s after she was seen: no nudge yet
    _timer(confirmed, back + timedelta(seconds=30))
    assert _kinds(confirmed) == ["line", "line", "nudge"]


def test_the_wait_starts_when_the_page_got_the_line(confirmed, trainee):
    """The line was delivered while the page was reconnecting; the page got it 20 s later
    and the trainee answered 5 s after that: the report measures 5 s."""
    base = confirmed.started_at
    _reply(confirmed, trainee, "c-1", GOOD, base + timedelta(seconds=4))
    line = confirmed.messages.get(role="buyer", at__isnull=True)
    with time_machine.travel(line.due_at, tick=False):
        message_deliver(message_id=line.pk)
    line.refresh_from_db()
    lines_shown(session_id=confirmed.pk, shown={line.seq: line.due_at + timedelta(seconds=20)})
    _reply(confirmed, trainee, "c-2", SIZE_ANSWER, line.due_at + timedelta(seconds=25))
    with time_machine.travel(confirmed.deadline_at, tick=False):
        session_expire(session_id=confirmed.pk)
    report = session_score(session_id=confirmed.pk).data
    assert report["response"]["waits"][-1] == pytest.approx(5.0)


def test_a_line_no_page_showed_is_left_out_of_the_report(confirmed, trainee):
    base = confirmed.started_at
    _reply(confirmed, trainee, "c-1", GOOD, base + timedelta(seconds=4))
    line = confirmed.messages.get(role="buyer", at__isnull=True)
    with time_machine.travel(line.due_at, tick=False):
        message_deliver(message_id=line.pk)  # pushed, but the page was gone
    with time_machine.travel(confirmed.deadline_at, tick=False):
        session_expire(session_id=confirmed.pk)
    confirmed.refresh_from_db()
    assert confirmed.end_reason == Session.EndReason.TIME_UP  # she never left: never seen
    report = session_score(session_id=confirmed.pk).data
    assert report["response"]["unanswered"] == []


def test_a_session_without_a_page_keeps_the_plain_clock(session_plain, trainee):
    """Driven without a workbench (no receipts can come), the buyer's clock is the
    session's: holding back receipts can never stop her patience."""
    base = session_plain.started_at
    _reply(session_plain, trainee, "c-1", GOOD, base + timedelta(seconds=4))
    line = session_plain.messages.get(role="buyer", at__isnull=True)
    _timer(session_plain, line.due_at + timedelta(seconds=31))
    assert "nudge" in _kinds(session_plain)


def test_a_line_is_stamped_shown_once(confirmed):
    later = confirmed.started_at + timedelta(seconds=9)
    assert lines_shown(session_id=confirmed.pk, shown={1: later}) == 0
    assert Message.objects.get(session=confirmed, seq=1).shown_at == confirmed.started_at


@pytest.fixture
def session_plain(published, trainee, scheduled, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(START, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return session_start(trainee=trainee, scenario=published[0])
