"""A live session and the self-test simulation are one runner: the same seed and the same
replies at the same moments give the same transcript, the same scoring input and the same
report, whether played through the database and the clock or on a virtual clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from roleplay.models import Message
from roleplay.selectors import session_spec
from roleplay.services.lines import message_deliver
from roleplay.services.live import reply_receive, session_start, session_timer
from roleplay.services.reports import session_score, session_scoring_input
from scenarios import runner
from scenarios.simulation import simulate

PROOF = "您好，欢迎光临！我们是品牌授权店，吊牌上有防伪码可以查询。"
SIZE = "亲，根据您的身高体重建议选 M 码，可以参考尺码表哦。"


def _reply(session, trainee, client_id: str, text: str, at) -> None:
    with time_machine.travel(at, tick=False):
        result = reply_receive(
            session_id=session.pk,
            user=trainee,
            client_id=client_id,
            text=text,
            events=[],
            sent_t=None,
        )
    assert result.ok, result.error


def _deliver_pending(session):
    """The buyer's typed line, delivered exactly when due; returns that moment."""
    pending = session.messages.get(at__isnull=True, role=Message.Role.BUYER)
    with time_machine.travel(pending.due_at, tick=False):
        assert message_deliver(message_id=pending.pk).pushes
    return pending.due_at


def test_live_session_and_simulation_agree(published, trainee, scheduled):
    with time_machine.travel("2026-11-25 10:00:00 +0000", tick=False):
        session = session_start(trainee=trainee, scenario=published[0])
    start = session.started_at
    # Silence until the nudge, a reply that answers nothing (the buyer asks again), the
    # proof of genuineness, then size advice: the buyer buys.
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert session_timer(session_id=session.pk, version=session.timer_version)
    _reply(session, trainee, "c-1", "亲，您好", start + timedelta(seconds=33))
    asked_again = _deliver_pending(session)
    _reply(session, trainee, "c-2", PROOF, asked_again + timedelta(seconds=4))
    size_asked = _deliver_pending(session)
    _reply(session, trainee, "c-3", SIZE, size_asked + timedelta(seconds=5))
    session.refresh_from_db()
    assert (session.status, session.outcome) == ("ended", "成交")

    spec = session_spec(session)
    conversation = simulate(
        spec,
        session.seed,
        [
            {"after_s": 33, "text": "亲，您好"},
            {"after_s": 4, "text": PROOF},
            {"after_s": 5, "text": SIZE},
        ],
    )
    live = [
        (m.role, round((m.at - start).total_seconds(), 3), m.text, m.kind)
        for m in session.messages.filter(at__isnull=False).order_by("seq")
        if m.kind != "final"
    ]
    simulated = [
        (line.role, line.t, line.text, line.kind or "reply")
        for line in conversation.transcript
        if line.kind != "final"
    ]
    assert [entry[:3] for entry in live] == [entry[:3] for entry in simulated]
    assert [m.kind for m in session.messages.filter(kind="nudge")] == ["nudge"]
    assert list(conversation.state.path) == list(
        runner.engine.State.from_dict(session.engine_state).path
    )

    # The same scoring input and the same report.
    lines = [(line.t, line, None) for line in conversation.transcript]
    assert session_scoring_input(session) == runner.scoring_input(spec, lines, conversation.outcome)
    report = session_score(session_id=session.pk)
    simulated_report = runner.score(spec, lines, conversation.outcome).to_dict()
    assert report.data == simulated_report
    assert float(report.total) == pytest.approx(simulated_report["total"])


def test_a_nudge_is_recorded_with_the_same_reason_live_and_simulated(published, trainee, scheduled):
    with time_machine.travel("2026-11-25 10:00:00 +0000", tick=False):
        session = session_start(trainee=trainee, scenario=published[0])
    with time_machine.travel(session.started_at + timedelta(seconds=30), tick=False):
        session_timer(session_id=session.pk, version=session.timer_version)
    nudge = session.messages.get(kind="nudge")
    conversation = simulate(session_spec(session), session.seed, [{"wait_s": 31}])
    [simulated] = [line for line in conversation.transcript if line.kind == "nudge"]
    assert nudge.branch_reason == simulated.reason
    # Waiting raised her mood, and the reason says so.
    assert simulated.reason == runner.NUDGE_REASON + " · mood calm → impatient"
