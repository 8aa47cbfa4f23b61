"""Live sessions driven through their services with a controlled clock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from audit.selectors import audit_events_for
from roleplay.models import Dispute, Session
from roleplay.selectors import workbench_session
from roleplay.services.after_commit import Delivery, TaskCall
from roleplay.services.exams import exam_expire, exam_start
from roleplay.services.lines import message_deliver
from roleplay.services.live import reply_receive, session_start, session_timer
from roleplay.services.reports import session_score
from roleplay.services.reviews import dispute_create, report_correct

GOOD = "您好，欢迎光临！我们是品牌授权店，吊牌上有防伪码可以查询。"


def _events(text: str, start_ms: float = 1000.0, per_char_ms: float = 100.0) -> tuple[list, float]:
    events = [
        {"t": start_ms + i * per_char_ms, "type": "insertText", "data": ch}
        for i, ch in enumerate(text)
    ]
    return events, start_ms + len(text) * per_char_ms + 100


@pytest.fixture
def session(published, trainee, scheduled, django_capture_on_commit_callbacks):
    with (
        time_machine.travel("2026-11-25 10:00:00 +0000", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return session_start(trainee=trainee, scenario=published[0])


def _reply(session, user, client_id, text, at, **kwargs):
    events, sent_t = _events(text)
    with time_machine.travel(at, tick=False):
        return reply_receive(
            session_id=session.pk,
            user=user,
            client_id=client_id,
            text=text,
            events=kwargs.get("events", events),
            sent_t=kwargs.get("sent_t", sent_t),
        )


def test_start_pins_the_version_and_delivers_the_first_line(session, scheduled):
    first = session.messages.get()
    assert (first.seq, first.role, first.at) == (1, "buyer", session.started_at)
    assert session.scenario_version.number == 1
    timers = [c for c in scheduled if c[0] == "timer_task"]
    assert timers == [("timer_task", (session.pk, 1), session.started_at + timedelta(seconds=30))]


def test_reply_is_stored_acknowledged_and_the_buyer_answers_after_typing(
    session, trainee, scheduled, django_capture_on_commit_callbacks
):
    scheduled.clear()
    at = session.started_at + timedelta(seconds=4)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = _reply(session, trainee, "c-1", GOOD, at)
    assert result.ok and result.ack["seq"] == 2 and result.ack["hints"] == []
    # The reply's after-commit work comes back to the caller (the socket), nothing else.
    assert callbacks == [] and scheduled == []
    agent = session.messages.get(role="agent")
    assert agent.at == at and agent.telemetry["typed_chars"] == len(GOOD)
    assert agent.events[0]["t"] == pytest.approx(4 - (len(GOOD) * 100 + 100) / 1000, abs=0.01)
    pending = session.messages.get(role="buyer", at__isnull=True)
    assert pending.text == "好的。那我 160 斤穿什么码？"
    assert result.after.deliveries == [Delivery(pending.pk, session.pk, pending.due_at)]
    assert result.after.pushes == [] and result.after.tasks == []  # the wake-up is kept
    assert pending.due_at > at
    with time_machine.travel(pending.due_at, tick=False):
        delivered = message_deliver(message_id=pending.pk)
        assert message_deliver(message_id=pending.pk).pushes == []  # a second time: nothing
    [(session_id, payload)] = delivered.pushes
    assert session_id == session.pk and payload["message"]["seq"] == 3
    pending.refresh_from_db()
    assert (pending.seq, pending.at) == (3, pending.due_at)


def test_a_line_delivered_outside_a_socket_becomes_a_task_due_when_typed(
    session, scheduled, django_capture_on_commit_callbacks
):
    """Pages and Celery tasks hand deliveries to the worker, with the due time as eta."""
    from roleplay.services.after_commit import AfterCommit

    pending = session.messages.create(
        role="buyer", text="还在吗", kind="line", due_at=session.started_at + timedelta(seconds=9)
    )
    after = AfterCommit()
    after.deliver(pending)
    scheduled.clear()
    with django_capture_on_commit_callbacks(execute=True):
        after.dispatch()
    assert scheduled == [("deliver_task", (pending.pk, session.pk), pending.due_at)]


def test_a_resent_reply_is_stored_once(session, trainee):
    at = session.started_at + timedelta(seconds=4)
    first = _reply(session, trainee, "c-1", GOOD, at)
    again = _reply(session, trainee, "c-1", GOOD, at + timedelta(seconds=2))
    assert first.ack == again.ack
    assert session.messages.filter(role="agent").count() == 1


@pytest.mark.parametrize(
    "text, error",
    [("   ", "Type a reply"), ("好" * 1001, "at most 1000"), ("您好\x07", "control characters")],
)
def test_bad_text_is_refused_and_nothing_changes(session, trainee, text, error, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        result = _reply(session, trainee, "c-x", text, session.started_at + timedelta(seconds=3))
    assert not result.ok and error in result.error
    assert session.messages.count() == 1


def test_more_than_five_replies_a_second_is_refused(published, trainee, trainer, scheduled):
    from scenarios.services import scenario_create, scenario_publish
    from tests.roleplay.conftest import FIXTURE

    patient = FIXTURE.read_text(encoding="utf-8").replace("slug: genuine-coat", "slug: patient")
    scenario = scenario_create(actor=trainer, yaml_text=patient.replace("{tries: 3}", "{tries: 9}"))
    scenario_publish(actor=trainer, scenario=scenario)
    session = session_start(trainee=trainee, scenario=scenario)
    at = session.started_at + timedelta(seconds=5)
    results = [_reply(session, trainee, f"c-{n}", f"您好，第{n}条", at) for n in range(6)]
    assert [r.ok for r in results] == [True] * 5 + [False], [r.error for r in results]
    assert session.messages.filter(role="agent").count() == 5


def test_malformed_or_implausible_telemetry_is_refused(session, trainee):
    at = session.started_at + timedelta(seconds=5)
    bad = _reply(
        session,
        trainee,
        "c-1",
        "您好",
        at,
        events=[
            {"t": 500, "type": "insertText", "data": "您"},
            {"t": 100, "type": "insertText", "data": "好"},
        ],
        sent_t=600,
    )
    assert not bad.ok and "events[1].t" in bad.error
    worse = _reply(
        session, trainee, "c-2", "您好", at, events=[{"t": 1, "type": "hack"}], sent_t=10
    )
    assert not worse.ok and "events[0].type" in worse.error
    assert session.messages.count() == 1


def test_pasted_text_is_flagged(session, trainee):
    at = session.started_at + timedelta(seconds=5)
    events = [{"t": 1000, "type": "insertFromPaste", "data": GOOD}]
    result = _reply(session, trainee, "c-1", GOOD, at, events=events, sent_t=1500)
    assert result.ok
    agent = session.messages.get(role="agent")
    assert "pasted" in agent.telemetry["flags"] and agent.telemetry["typed_chars"] == 0


def test_stale_timers_do_nothing_and_patience_ends_the_session(
    session, trainee, scheduled, django_capture_on_commit_callbacks
):
    assert session_timer(session_id=session.pk, version=0) is False  # older than the state
    with time_machine.travel(session.started_at + timedelta(seconds=30), tick=False):
        assert session_timer(session_id=session.pk, version=1)
    session.refresh_from_db()
    assert session.messages.filter(kind="nudge").count() == 1
    with (
        time_machine.travel(session.started_at + timedelta(seconds=45), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        session_timer(session_id=session.pk, version=session.timer_version)
    session.refresh_from_db()
    assert session.status == Session.Status.ENDED and session.outcome == "流失"
    assert ("score_task", (session.pk,), None) in scheduled


def test_scoring_correction_and_dispute(session, trainee, trainer, other_trainee):
    at = session.started_at + timedelta(seconds=4)
    _reply(session, trainee, "c-1", GOOD, at)
    pending = session.messages.get(role="buyer", at__isnull=True)
    with time_machine.travel(pending.due_at, tick=False):
        message_deliver(message_id=pending.pk)
    _reply(
        session,
        trainee,
        "c-2",
        "亲，根据您的身高体重建议选 M 码，可以参考尺码表哦。",
        pending.due_at + timedelta(seconds=6),
    )
    session.refresh_from_db()
    assert session.outcome == "成交" and not session.is_active
    report = session_score(session_id=session.pk)
    assert report.total is not None and report.total > 80
    assert report.data["response"]["first_s"] == 4.0
    assert session_score(session_id=session.pk) == report  # once
    with pytest.raises(PermissionDenied):
        report_correct(actor=trainee, report=report, total=Decimal(100), reason="我觉得不错")
    with pytest.raises(PermissionDenied):
        dispute_create(trainee=other_trainee, report=report, comment="不公平")
    dispute = dispute_create(trainee=trainee, report=report, comment="第二句明明很礼貌")
    with pytest.raises(ValidationError):
        dispute_create(trainee=trainee, report=report, comment="再提一次")
    report = report_correct(
        actor=trainer, report=report, total=Decimal("95.0"), reason="复核：第二句用语规范"
    )
    assert report.final_total == Decimal("95.0")
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.ANSWERED and dispute.answered_by == trainer
    event = audit_events_for(report).get(action="score.override")
    assert event.after == {"total": "95.0"} and event.reason == "复核：第二句用语规范"


def test_someone_elses_session_is_refused(session, other_trainee):
    with pytest.raises(PermissionDenied):
        _reply(session, other_trainee, "c-1", GOOD, session.started_at + timedelta(seconds=4))


def test_exam_two_buyers_one_at_a_time_and_the_time_limit(published, trainee, scheduled):
    exam = exam_start(trainee=trainee, scenarios=list(published))
    assert exam.sessions.count() == 2
    assert all(s.mode == "exam" and s.deadline_at == exam.deadline_at for s in exam.sessions.all())
    with pytest.raises(ValidationError):
        exam_start(trainee=trainee, scenarios=list(published))
    rude, quiet = exam.sessions.order_by("pk")
    result = reply_receive(
        session_id=rude.pk,
        user=trainee,
        client_id="c-1",
        text="你好，我不知道",
        events=[],
        sent_t=None,
    )
    assert "hints" not in result.ack  # exams give no hints
    assert "step_hint" not in result.ack and workbench_session(rude)["step_hint"] == ""
    rude.refresh_from_db()
    assert (rude.outcome, rude.end_reason) == ("流失", "outcome")  # negative language
    with time_machine.travel(exam.deadline_at - timedelta(seconds=1), tick=False):
        assert not exam_expire(exam_id=exam.pk)  # not yet
    with time_machine.travel(exam.deadline_at + timedelta(seconds=1), tick=False):
        assert exam_expire(exam_id=exam.pk)
    quiet.refresh_from_db()
    exam.refresh_from_db()
    assert (quiet.status, quiet.end_reason, quiet.outcome) == ("ended", "time_up", "")
    assert exam.status == "ended"


def test_an_early_timer_is_scheduled_again_for_its_due_time(
    session, scheduled, django_capture_on_commit_callbacks
):
    scheduled.clear()
    with (
        time_machine.travel(session.started_at + timedelta(seconds=29.9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert session_timer(session_id=session.pk, version=1)
    assert session.messages.filter(kind="nudge").count() == 0
    assert scheduled == [
        ("timer_task", (session.pk, 2), session.started_at + timedelta(seconds=30))
    ]


def test_replies_keep_the_earlier_wake_up_which_then_plans_the_next(
    session, trainee, scheduled, django_capture_on_commit_callbacks
):
    from roleplay.selectors import session_spec
    from scenarios import engine

    scheduled.clear()
    result = _reply(session, trainee, "c-1", GOOD, session.started_at + timedelta(seconds=4))
    assert result.ok
    # The wake-up planned at the start (due at +30 s) comes first: no Celery task per reply.
    assert [c for c in result.after.tasks if c.name == "roleplay.timer"] == []
    session.refresh_from_db()
    due = engine.next_timer(session_spec(session), engine.State.from_dict(session.engine_state))
    assert due > 30
    with (
        time_machine.travel(session.started_at + timedelta(seconds=30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert session_timer(session_id=session.pk, version=1)
    assert session.messages.filter(kind="nudge").count() == 0  # nothing was due yet
    assert [c for c in scheduled if c[0] == "timer_task"] == [
        ("timer_task", (session.pk, 2), session.started_at + timedelta(seconds=due))
    ]
    assert session_timer(session_id=session.pk, version=1) is False  # replaced: stale


def test_a_lost_wake_up_is_replaced(
    session, trainee, scheduled, django_capture_on_commit_callbacks
):
    scheduled.clear()
    # A wake-up that was due three minutes ago never ran (the broker lost it): the next
    # reply sends a new one instead of counting on it.
    Session.objects.filter(pk=session.pk).update(timer_at=session.started_at - timedelta(minutes=3))
    result = _reply(session, trainee, "c-1", GOOD, session.started_at + timedelta(seconds=4))
    assert result.ok
    timers = [c for c in result.after.tasks if c.name == "roleplay.timer"]
    assert [call.args for call in timers] == [(session.pk, 2)]
    assert isinstance(timers[0], TaskCall) and timers[0].eta is not None


def test_a_reply_after_the_time_limit_is_refused_even_before_its_task_runs(
    session, trainee, scheduled
):
    """The worker that enforces the time limit is late (or was restarted): a reply that
    arrives after the limit ends the chat instead of counting."""
    late = session.deadline_at + timedelta(seconds=1)
    result = _reply(session, trainee, "c-late", GOOD, late)
    assert not result.ok and result.error in ("This conversation has ended.", "对话已结束。")
    session.refresh_from_db()
    assert (session.status, session.end_reason) == ("ended", "time_up")
    assert session.messages.filter(role="agent").count() == 0
    assert ("roleplay.score", (session.pk,), None) in [
        (call.name, call.args, call.eta) for call in result.after.tasks
    ]


def test_practice_shows_the_trainers_hint_for_the_step_the_buyer_is_at(session, trainee):
    assert workbench_session(session)["step_hint"] == "先问好，再拿出正品的依据。"
    result = _reply(session, trainee, "c-1", GOOD, session.started_at + timedelta(seconds=4))
    session.refresh_from_db()
    assert session.engine_state["step"] == "size"
    assert result.ack["step_hint"] == "按身高体重给出尺码建议，不打包票。"


def test_the_workbench_names_order_items_by_product_and_shows_what_a_shop_knows_of_the_buyer(
    session,
):
    shown = workbench_session(session)
    [item] = shown["order"]["items"]
    assert (item["product"], item["product_name"]) == ("double-face-wool-coat", "双面羊毛大衣")
    # The fixture's buyer has no membership, order count or tags: none is invented.
    assert shown["buyer"]["member_level"] == "" and shown["buyer"]["tags"] == []
    assert shown["buyer"]["orders_in_shop"] is None
    # Nothing of what the buyer is after (motive, price attitude) reaches the page.
    assert set(shown["buyer"]) == {
        "name",
        "gender",
        "age_group",
        "member_level",
        "orders_in_shop",
        "tags",
    }


def _close(session, user, action, at):
    from roleplay.services.live import session_close

    with time_machine.travel(at, tick=False):
        return session_close(session_id=session.pk, user=user, action=action)


def test_handing_over_to_a_supervisor_ends_the_chat_scored_as_the_scenario_says(session, trainee):
    _reply(session, trainee, "c-1", GOOD, session.started_at + timedelta(seconds=4))
    result = _close(session, trainee, "transfer", session.started_at + timedelta(seconds=20))
    assert result.ok
    session.refresh_from_db()
    assert (session.status, session.end_reason, session.outcome) == (
        "ended",
        "transferred",
        "转主管",
    )
    last = session.messages.order_by("-seq").first()
    assert (last.role, last.kind) == ("system", "transfer")
    assert ("roleplay.score", (session.pk,), None) in [
        (call.name, call.args, call.eta) for call in result.after.tasks
    ]
    report = session_score(session_id=session.pk)
    # The fixture's outcomes give 转主管 60: the outcome dimension says so.
    assert report.data["dimensions"]["outcome"]["score"] == 60.0
    # A late wake-up of her nudge timer finds the chat closed and says nothing.
    assert session_timer(session_id=session.pk, version=1) is False
    assert session.messages.count() == last.seq


def test_ending_a_chat_before_its_outcome_loses_the_buyer(session, trainee):
    result = _close(session, trainee, "end", session.started_at + timedelta(seconds=5))
    assert result.ok
    session.refresh_from_db()
    assert (session.end_reason, session.outcome) == ("agent_ended", "流失")
    assert session_score(session_id=session.pk).data["dimensions"]["outcome"]["score"] == 0.0


def test_closing_is_the_owners_own_and_only_once(session, trainee, other_trainee):
    with pytest.raises(PermissionDenied):
        _close(session, other_trainee, "end", session.started_at + timedelta(seconds=5))
    assert not _close(session, trainee, "leave-quietly", session.started_at).ok
    assert not _close(session, trainee, ["end"], session.started_at).ok  # any JSON may come
    assert _close(session, trainee, "end", session.started_at + timedelta(seconds=5)).ok
    again = _close(session, trainee, "transfer", session.started_at + timedelta(seconds=6))
    assert not again.ok and again.error
    session.refresh_from_db()
    assert session.end_reason == "agent_ended"
    assert session.messages.filter(role="system").count() == 1
