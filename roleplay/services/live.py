"""The live path: starting a session, receiving replies, the buyer's turns and her timers
(nudges, silence branches, the patience limit), time limits. Server time is the only clock;
the buyer's lines are stored and delivered by ``lines``.

Writes happen under a row lock on the session. What must happen after the commit (pushes,
line deliveries, Celery tasks) is collected in an ``AfterCommit`` value that the socket's
calls (``reply_receive`` here, ``message_deliver`` and ``session_catch_up`` in ``lines``)
return to their caller; the calls made only by pages and Celery tasks dispatch it
themselves at their end.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roleplay.holds import BuyerClock
from roleplay.models import Exam, Message, Session
from roleplay.reply_text import reply_text_problem
from roleplay.rule_names import rule_name
from roleplay.selectors import session_spec, step_hint, unshown_since
from roleplay.services.after_commit import AfterCommit
from roleplay.services.lines import deliver_overdue, emit_lines, next_seq
from roleplay.statements import (
    messages_insert,
    session_lock,
    session_save_state,
)
from roleplay.telemetry import TelemetryError, telemetry_check
from scenarios import engine, runner
from scenarios.models import Scenario
from scenarios.validation import ScenarioSpec
from scoring import check_reply

MAX_REPLIES_PER_SECOND = 5
SLOW_DOWN = gettext_lazy("Too many messages at once; slow down.")
# A wake-up this long overdue was lost (the broker was flushed, say): a new one is sent.
LOST_TIMER_AFTER = timedelta(minutes=2)


def _clock(session: Session, when: datetime) -> float:
    """Seconds since the session started (the rate limit and telemetry's clock; the buyer's
    own clock, which her timers follow, is ``_buyer_clock``)."""
    return (when - session.started_at).total_seconds()


def _buyer_clock(session: Session, now: datetime) -> BuyerClock:
    unshown = unshown_since(session, now) if session.page_confirms else None
    return BuyerClock(session, now, unshown)


def _schedule_timer(
    session: Session, spec: ScenarioSpec, state: engine.State, clock: BuyerClock, after: AfterCommit
) -> None:
    """Make sure a wake-up is scheduled no later than the state's next timer.

    A wake-up already due at or before it is kept (it will find nothing to do yet and plan
    the next one), so a reply costs no Celery task; one that should have run long ago was
    lost and is replaced.
    """
    due = engine.next_timer(spec, state)
    if due is None:
        return
    eta = clock.wall(due)
    planned = session.timer_at
    if planned is not None and timezone.now() - LOST_TIMER_AFTER < planned <= eta:
        return
    session.timer_version += 1
    session.timer_at = eta
    after.send("roleplay.timer", (session.pk, session.timer_version), eta)


def session_end(
    session: Session, now: datetime, reason: str, after: AfterCommit, outcome: str = ""
) -> None:
    """End the chat (the caller saves the row): the page is told, the session scored."""
    session.status = Session.Status.ENDED
    session.outcome = outcome
    session.end_reason = reason
    session.ended_at = now
    after.push(
        session.pk,
        {"type": "session.ended", "session": session.pk, "outcome": outcome, "reason": reason},
    )
    after.send("roleplay.score", (session.pk,))


def _apply(
    session: Session,
    spec: ScenarioSpec,
    turn: engine.Turn,
    trigger_at: datetime,
    clock: BuyerClock,
    after: AfterCommit,
    *,
    reason: str = "",
    schedule: bool = True,
    stored_first: tuple[Message, ...] = (),
) -> None:
    session.engine_state = turn.state.to_dict()
    emit_lines(session, turn.lines, trigger_at, turn.state.step, reason, after, stored_first)
    if turn.state.ended:
        end_reason = (
            Session.EndReason.BUYER_LEFT
            if any(line.kind == "leave" for line in turn.lines)
            else Session.EndReason.OUTCOME
        )
        session_end(session, trigger_at, end_reason, after, turn.state.outcome or "")
    elif schedule:
        _schedule_timer(session, spec, turn.state, clock, after)


def _run_due_timers(
    session: Session, spec: ScenarioSpec, clock: BuyerClock, after: AfterCommit
) -> engine.State:
    """Fire the timers already due on the buyer's clock (a late worker must not let a reply
    overtake them); if any fired, make sure the next one is scheduled."""
    state = engine.State.from_dict(session.engine_state)
    fired = runner.fire_due_timers(spec, state, clock.seconds)
    for timed in fired:
        _apply(
            session,
            spec,
            timed.turn,
            clock.wall(timed.at),
            clock,
            after,
            reason=timed.reason,
            schedule=False,
        )
    if fired:
        state = fired[-1].turn.state
        if not state.ended:
            _schedule_timer(session, spec, state, clock, after)
    return state


def session_open(
    *,
    trainee,
    scenario: Scenario,
    after: AfterCommit,
    mode: str = Session.Mode.PRACTICE,
    exam: Exam | None = None,
) -> Session:
    """Pin the scenario's published version and let the buyer open the chat (inside the
    caller's transaction; its after-commit work goes to ``after``)."""
    if not trainee.has_perm("accounts.act_as_trainee"):
        raise PermissionDenied(_("Only trainees practise role-plays."))
    version = Scenario.objects.select_for_update().get(pk=scenario.pk).published_version
    if version is None:
        raise ValidationError(_("This scenario is not published."))
    now = timezone.now()
    deadline = (
        exam.deadline_at if exam else now + timedelta(minutes=settings.ROLEPLAY_PRACTICE_MINUTES)
    )
    session = Session.objects.create(
        trainee=trainee,
        scenario_version=version,
        mode=mode,
        exam=exam,
        seed=secrets.randbits(62),
        started_at=now,
        deadline_at=deadline,
    )
    spec = session_spec(session)
    _apply(session, spec, runner.start(spec, session.seed), now, BuyerClock(session, now), after)
    session.save()
    if exam is None:
        after.send("roleplay.expire", (session.pk,), deadline)
    return session


@transaction.atomic
def session_start(*, trainee, scenario: Scenario) -> Session:
    """A practice chat with one buyer."""
    after = AfterCommit()
    session = session_open(trainee=trainee, scenario=scenario, after=after)
    after.dispatch()
    return session


@dataclass
class ReplyResult:
    ok: bool
    ack: dict = field(default_factory=dict)
    error: str = ""
    # What the commit leaves to do: also after a refusal, when timers that were due fired.
    after: AfterCommit = field(default_factory=AfterCommit)


def reply_receive(
    *,
    session_id: int,
    user,
    client_id: str,
    text,
    events=None,
    sent_t=None,
    received_at: datetime | None = None,
) -> ReplyResult:
    """Store a reply (once per client id), let the buyer react to it, and acknowledge it.

    One short transaction: the session row lock orders the replies of one session, and the
    rate limit and the previous reply's time come from the session row itself.
    """
    received_at = received_at or timezone.now()
    if not isinstance(client_id, str) or not 1 <= len(client_id) <= 64:
        return ReplyResult(False, error=_("Each reply needs a client message id."))
    problem = reply_text_problem(text)
    if problem:
        return ReplyResult(False, error=problem)
    try:
        return _reply_store(session_id, user, client_id, text, events, sent_t, received_at)
    except IntegrityError:
        # The same client id again (a resend after a dropped connection); the transaction
        # rolled back whole, so nothing changed: answer as the first time. Any other
        # constraint is a real error, not a resend.
        if not Message.objects.filter(session_id=session_id, client_id=client_id).exists():
            raise
        return _reply_again(session_id, client_id)


def _reply_again(session_id: int, client_id: str) -> ReplyResult:
    existing = Message.objects.select_related("session").get(
        session_id=session_id, client_id=client_id
    )
    return ReplyResult(True, ack=_ack(existing, existing.session))


def _own_session_locked(session_id: int, user) -> Session:
    """The trainee's own session, its row locked for this transaction."""
    session = session_lock(session_id)
    if session is None:
        raise Session.DoesNotExist(session_id)
    if session.trainee_id != user.pk:
        raise PermissionDenied(_("This is not your session."))
    return session


@transaction.atomic
def _reply_store(
    session_id: int, user, client_id: str, text: str, events, sent_t, received_at: datetime
) -> ReplyResult:
    session = _own_session_locked(session_id, user)
    after = AfterCommit()

    def refused(error: str) -> ReplyResult:
        # A resend of a stored reply is acknowledged even when a new one would be refused.
        if session.messages.filter(client_id=client_id).exists():
            return _reply_again(session_id, client_id)
        return ReplyResult(False, error=error, after=after)

    if not session.is_active:
        return refused(_("This conversation has ended."))
    if session_expire_locked(session, after):
        # The time limit passed and its task has not run yet (a late or restarted worker):
        # the chat ends now, and a reply after the limit never counts.
        return refused(_("This conversation has ended."))
    now_s = _clock(session, received_at)
    recent = session.reply_times
    if len(recent) >= MAX_REPLIES_PER_SECOND and (recent[-MAX_REPLIES_PER_SECOND] >= now_s - 1.0):
        return refused(str(SLOW_DOWN))
    spec = session_spec(session)
    clock = _buyer_clock(session, received_at)
    state = _run_due_timers(session, spec, clock, after)
    if state.ended:
        session_save_state(session)
        return refused(_("This conversation has ended."))
    previous = recent[-1] if recent else None
    try:
        telemetry = telemetry_check(
            events, sent_t, text, now_s, previous if previous is not None else 0.0
        )
    except TelemetryError as exc:
        session_save_state(session)
        return refused(_("Input events rejected: %(why)s") % {"why": exc})
    hits = check_reply(
        text, "first" if previous is None else "middle", engine.compliance_context(spec)
    )
    # The buyer reacts at the reply's server time; the engine is pure, so this is cheap.
    turn = runner.reply(spec, state, text, clock.seconds, first=previous is None, hits=hits)
    message = Message(
        session=session,
        role=Message.Role.AGENT,
        text=text,
        at=received_at,
        seq=next_seq(session),
        client_id=client_id,
        step=state.step,
        events=telemetry.events,
        telemetry=telemetry.findings(),
        hits=[hit.to_dict() for hit in hits],
        branch_reason=runner.turn_reason(turn)[:300],
    )
    session.reply_times = [*recent, now_s][-MAX_REPLIES_PER_SECOND:]
    # The reply and the buyer's lines in one insert; a repeated client id fails it.
    _apply(session, spec, turn, received_at, clock, after, stored_first=(message,))
    session_save_state(session)
    return ReplyResult(True, ack=_ack(message, session), after=after)


# The trainee's two closing actions: the end reason and the line the transcript shows. The
# outcome each ends with is the runner's (runner.CLOSING_OUTCOMES), as in self-tests.
CLOSING_ACTIONS = {
    "transfer": (
        Session.EndReason.TRANSFERRED,
        gettext_lazy("You handed the conversation to a supervisor."),
    ),
    "end": (
        Session.EndReason.AGENT_ENDED,
        gettext_lazy("You ended the conversation before it reached an outcome."),
    ),
}


@transaction.atomic
def session_close(*, session_id: int, user, action: str) -> ReplyResult:
    """The trainee ends the chat (结束会话) or hands it to a supervisor (转接主管)."""
    if not isinstance(action, str) or action not in CLOSING_ACTIONS:  # any JSON may come
        return ReplyResult(False, error=_("Unknown action."))
    session = _own_session_locked(session_id, user)
    after = AfterCommit()
    if not session.is_active or session_expire_locked(session, after):
        return ReplyResult(False, error=_("This conversation has ended."), after=after)
    now = timezone.now()
    spec = session_spec(session)
    # Her lines and timers already due come first: she may have left, or the chat ended.
    state = _run_due_timers(session, spec, _buyer_clock(session, now), after)
    if state.ended:
        session_save_state(session)
        return ReplyResult(False, error=_("This conversation has ended."), after=after)
    reason, words = CLOSING_ACTIONS[action]
    closed = runner.close(state, action)
    session.engine_state = closed.to_dict()
    # Lines she was still "typing" were never shown and now never will be: the chat is
    # closed to her (an outcome's last lines, by contrast, are still delivered).
    session.messages.filter(seq__isnull=True).delete()
    message = Message(
        session=session,
        role=Message.Role.SYSTEM,
        kind=action,
        text=str(words),
        at=now,
        seq=next_seq(session),
        step=state.step,
    )
    messages_insert([message])
    after.push_message(message)
    session.timer_version += 1  # her nudges and patience no longer apply
    session.timer_at = None
    session_end(session, now, reason, after, closed.outcome or "")
    session_save_state(session)
    return ReplyResult(True, after=after)


def _ack(message: Message, session: Session) -> dict:
    ack = {
        "type": "ack",
        "client_id": message.client_id,
        "seq": message.seq,
        "at": message.at.isoformat(),
        "session": session.pk,
    }
    if session.mode == Session.Mode.PRACTICE:
        # Practice only: what the reply broke and a better wording. Exams give no hints.
        ack["hints"] = [{**hit, "name": rule_name(hit["rule"])} for hit in message.hits]
        ack["step_hint"] = step_hint(session)
    return ack


@transaction.atomic
def session_timer(*, session_id: int, version: int) -> bool:
    """A wake-up: fire the nudges, silence branches or patience limit now due, and plan the
    next wake-up. One replaced by a newer wake-up (a stale timer) does nothing."""
    session = session_lock(session_id)
    if session is None or not session.is_active or session.timer_version != version:
        return False  # gone, ended, or replaced by a newer wake-up: a stale timer
    session.timer_at = None  # this wake-up has run; whatever is due next gets a new one
    after = AfterCommit()
    now = timezone.now()
    deliver_overdue(session, now, after)
    spec = session_spec(session)
    clock = _buyer_clock(session, now)
    state = _run_due_timers(session, spec, clock, after)
    if not state.ended:
        _schedule_timer(session, spec, state, clock, after)  # also when nothing was due yet
    session_save_state(session)
    after.dispatch()
    return True


def session_expire_locked(session: Session, after: AfterCommit) -> bool:
    """End a session whose time is up (the caller holds its row lock and saves nothing)."""
    if not session.is_active or timezone.now() < session.deadline_at:
        return False
    session_end(session, timezone.now(), Session.EndReason.TIME_UP, after)
    session.save()
    return True


@transaction.atomic
def session_expire(*, session_id: int) -> bool:
    session = Session.objects.select_for_update().filter(pk=session_id).first()
    if session is None:
        return False
    after = AfterCommit()
    expired = session_expire_locked(session, after)
    after.dispatch()
    return expired
