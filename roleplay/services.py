"""Live role-play: starting sessions and exams, receiving replies, delivering the buyer's
lines and timers, ending and scoring. Server time is the only clock.

Writes happen under a row lock on the session; pushes to the socket and Celery tasks are
sent only after the transaction commits, so nothing is pushed that was not stored.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from realtime.push import group_send_sync
from roleplay.models import Dispute, Exam, Message, Report, Session
from roleplay.rule_names import rule_name
from roleplay.statements import (
    delivery_statements,
    messages_insert,
    overdue_line_ids,
    session_lock,
    session_save_state,
)
from roleplay.telemetry import TelemetryError, telemetry_check
from scenarios import engine
from scenarios.models import Scenario, ScenarioVersion
from scenarios.services import spec_of
from scenarios.simulation import outcome_score, scoring_targets
from scenarios.validation import ScenarioSpec
from scoring import check_reply, score_session

MAX_REPLY_CHARS = 1000
MAX_REPLIES_PER_SECOND = 5
SLOW_DOWN = gettext_lazy("Too many messages at once; slow down.")
PRACTICE_MINUTES = getattr(settings, "ROLEPLAY_PRACTICE_MINUTES", 15)
EXAM_MINUTES = getattr(settings, "ROLEPLAY_EXAM_MINUTES", 20)
# A wake-up this long overdue was lost (the broker was flushed, say): a new one is sent.
LOST_TIMER_AFTER = timedelta(minutes=2)


def group_name(session_id: int) -> str:
    return f"session.{session_id}"


@lru_cache(maxsize=256)
def _spec_for_version(version_id: int) -> ScenarioSpec:
    # Versions never change, so their parsed form can be kept for the process' lifetime.
    return spec_of(ScenarioVersion.objects.get(pk=version_id))


def session_spec(session: Session) -> ScenarioSpec:
    return _spec_for_version(session.scenario_version_id)


def _clock(session: Session, when: datetime) -> float:
    return (when - session.started_at).total_seconds()


def _at(session: Session, seconds: float) -> datetime:
    return session.started_at + timedelta(seconds=seconds)


def message_data(message: Message) -> dict:
    return {
        "id": message.pk,
        "seq": message.seq,
        "role": message.role,
        "kind": message.kind,
        "text": message.text,
        "at": message.at.isoformat() if message.at else None,
        "client_id": message.client_id or None,
        "session": message.session_id,
    }


@dataclass
class AfterCommit:
    """What a committed call leaves to do: pushes to sockets and Celery tasks to send."""

    pushes: list[tuple[int, dict]] = field(default_factory=list)
    tasks: list[Callable[[], object]] = field(default_factory=list)
    # Buyer lines being "typed": (message id, session id, when due). The socket's process delivers
    # them itself (``message_deliver``) when they are due.
    deliveries: list[tuple[int, int, datetime]] = field(default_factory=list)

    def send_tasks(self) -> None:
        for task in self.tasks:
            task()


# Set by the socket consumer around a call into a service: what must happen after commit
# is handed back to it, so it can acknowledge the reply first and then push from its own
# event loop and send the tasks.
_after_commit: ContextVar[AfterCommit | None] = ContextVar("after_commit", default=None)


@contextmanager
def collecting_after_commit() -> Iterator[AfterCommit]:
    collected = AfterCommit()
    token = _after_commit.set(collected)
    try:
        yield collected
    finally:
        _after_commit.reset(token)


def _push(session_id: int, payload: dict) -> None:
    group_send_sync(group_name(session_id), payload)


def _push_on_commit(session_id: int, payload: dict) -> None:
    collected = _after_commit.get()
    if collected is not None:
        transaction.on_commit(lambda: collected.pushes.append((session_id, payload)))
    else:
        transaction.on_commit(lambda: _push(session_id, payload))


def _task_on_commit(send: Callable[[], object]) -> None:
    collected = _after_commit.get()
    if collected is not None:
        transaction.on_commit(lambda: collected.tasks.append(send))
    else:
        transaction.on_commit(send)


def _next_seq(session: Session) -> int:
    session.last_seq += 1
    return session.last_seq


def _push_message_on_commit(message: Message) -> None:
    _push_on_commit(message.session_id,
                    {"type": "session.message", "message": message_data(message)})


def _emit_lines(session: Session, lines: list, trigger_at: datetime, step: str,
                reason: str = "", stored_first: tuple[Message, ...] = ()) -> None:
    """Store the buyer's lines (after ``stored_first``, in one insert) and push or plan
    them: a line without delay is pushed now, the others after the buyer "typed" them."""
    from roleplay.tasks import deliver_task

    messages = list(stored_first)
    for line in lines:
        role = Message.Role.SYSTEM if line.kind == "leave" else Message.Role.BUYER
        message = Message(
            session=session, role=role, text=line.text, kind=line.kind, step=step,
            due_at=trigger_at + timedelta(seconds=line.delay_s), branch_reason=reason[:300])
        if line.delay_s <= 0:
            # Stamped with the real push time; due_at keeps when it was planned, so the
            # lateness of timers (nudges, the buyer leaving) can be measured.
            message.at = max(trigger_at, timezone.now())
            message.seq = _next_seq(session)
        messages.append(message)
    if not messages:
        return
    messages_insert(messages)
    collected = _after_commit.get()
    for message in messages[len(stored_first):]:
        if message.at is not None:
            _push_message_on_commit(message)
        elif collected is not None:
            # Delivered by the socket's own process when due: no broker round trip. If that
            # process stops first, the line is pushed late by the next wake-up or reconnect
            # (``_deliver_overdue``), stamped with the time it was really pushed.
            transaction.on_commit(
                lambda pk=message.pk, eta=message.due_at: collected.deliveries.append(
                    (pk, session.pk, eta)))
        else:
            _task_on_commit(
                lambda pk=message.pk, eta=message.due_at: deliver_task.apply_async(
                    (pk, session.pk), eta=eta))


def _deliver_overdue(session: Session, now: datetime) -> None:
    """Push, in order, buyer lines whose typing delay is over but that were never pushed
    (the process that was to push them stopped). Stamped now: when the trainee could
    first see them."""
    overdue_ids = overdue_line_ids(session.pk, now)
    if not overdue_ids:
        return  # the usual case, answered by one fixed statement
    # Rare (a process stopped): the rows are loaded to be stamped one by one.
    for message in Message.objects.filter(pk__in=overdue_ids).order_by("due_at", "pk"):
        message.at = now
        message.seq = _next_seq(session)
        message.save(update_fields=["at", "seq"])
        _push_message_on_commit(message)


def session_catch_up(*, session_id: int) -> None:
    """On (re)connect: push lines left overdue, so the backlog the page gets is complete."""
    now = timezone.now()
    if not overdue_line_ids(session_id, now):
        return  # the usual case; the lines are looked up again under the session lock
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session_id)
        _deliver_overdue(session, now)
        session.save(update_fields=["last_seq"])


def _schedule_timer(session: Session, spec: ScenarioSpec, state: engine.State) -> None:
    """Make sure a wake-up is scheduled no later than the state's next timer.

    A wake-up already due at or before it is kept (it will find nothing to do yet and plan
    the next one), so a reply costs no Celery task; one that should have run long ago was
    lost and is replaced.
    """
    from roleplay.tasks import timer_task

    due = engine.next_timer(spec, state)
    if due is None:
        return
    eta = _at(session, due)
    planned = session.timer_at
    if planned is not None and timezone.now() - LOST_TIMER_AFTER < planned <= eta:
        return
    session.timer_version += 1
    session.timer_at = eta
    version = session.timer_version
    _task_on_commit(lambda: timer_task.apply_async((session.pk, version), eta=eta))


def _end(session: Session, now: datetime, reason: str, outcome: str = "") -> None:
    from roleplay.tasks import score_task

    session.status = Session.Status.ENDED
    session.outcome = outcome
    session.end_reason = reason
    session.ended_at = now
    _push_on_commit(session.pk, {"type": "session.ended", "session": session.pk,
                                 "outcome": outcome, "reason": reason})
    _task_on_commit(lambda: score_task.delay(session.pk))


def _apply(session: Session, spec: ScenarioSpec, turn: engine.Turn, trigger_at: datetime,
           reason: str = "", schedule: bool = True,
           stored_first: tuple[Message, ...] = ()) -> None:
    session.engine_state = turn.state.to_dict()
    _emit_lines(session, turn.lines, trigger_at, turn.state.step, reason, stored_first)
    if turn.state.ended:
        end_reason = (Session.EndReason.BUYER_LEFT
                      if any(line.kind == "leave" for line in turn.lines)
                      else Session.EndReason.OUTCOME)
        _end(session, trigger_at, end_reason, turn.state.outcome or "")
    elif schedule:
        _schedule_timer(session, spec, turn.state)


def _run_due_timers(session: Session, spec: ScenarioSpec, now: datetime) -> engine.State:
    """Fire timers already due (a late worker must not let a reply overtake them); if any
    fired, make sure the next one is scheduled."""
    state = engine.State.from_dict(session.engine_state)
    fired = False
    while not state.ended:
        due = engine.next_timer(spec, state)
        if due is None or due > _clock(session, now):
            break
        turn = engine.on_time(spec, state, due)
        _apply(session, spec, turn, _at(session, due), turn.match.reason if turn.match else "",
               schedule=False)
        state, fired = turn.state, True
    if fired and not state.ended:
        _schedule_timer(session, spec, state)
    return state


@transaction.atomic
def session_start(*, trainee, scenario: Scenario, mode: str = Session.Mode.PRACTICE,
                  exam: Exam | None = None) -> Session:
    """Pin the scenario's published version and let the buyer open the chat."""
    from roleplay.tasks import expire_task

    if not trainee.has_perm("accounts.act_as_trainee"):
        raise PermissionDenied(_("Only trainees practise role-plays."))
    version = Scenario.objects.select_for_update().get(pk=scenario.pk).published_version
    if version is None:
        raise ValidationError(_("This scenario is not published."))
    now = timezone.now()
    deadline = exam.deadline_at if exam else now + timedelta(minutes=PRACTICE_MINUTES)
    session = Session.objects.create(
        trainee=trainee, scenario_version=version, mode=mode, exam=exam,
        seed=secrets.randbits(62), started_at=now, deadline_at=deadline)
    spec = session_spec(session)
    _apply(session, spec, engine.start(spec, session.seed, at=0.0), now)
    session.save()
    if exam is None:
        transaction.on_commit(lambda: expire_task.apply_async((session.pk,), eta=deadline))
    return session


@transaction.atomic
def exam_start(*, trainee, scenarios: list[Scenario]) -> Exam:
    """Two or three buyers at once; one exam at a time per trainee."""
    from roleplay.tasks import exam_expire_task

    if not 2 <= len(scenarios) <= 3:
        raise ValidationError(_("An exam has two or three buyers."))
    if Exam.objects.filter(trainee=trainee, status=Exam.Status.ACTIVE).exists():
        raise ValidationError(_("You already have an exam in progress."))
    try:
        with transaction.atomic():
            exam = Exam.objects.create(
                trainee=trainee, deadline_at=timezone.now() + timedelta(minutes=EXAM_MINUTES))
    except IntegrityError:
        raise ValidationError(_("You already have an exam in progress.")) from None
    for scenario in scenarios:
        session_start(trainee=trainee, scenario=scenario, mode=Session.Mode.EXAM, exam=exam)
    transaction.on_commit(lambda: exam_expire_task.apply_async((exam.pk,),
                                                               eta=exam.deadline_at))
    return exam


@dataclass
class ReplyResult:
    ok: bool
    ack: dict = field(default_factory=dict)
    error: str = ""


def _text_problem(text) -> str:
    if not isinstance(text, str) or not text.strip():
        return _("Type a reply before sending.")
    if len(text) > MAX_REPLY_CHARS:
        return _("A reply has at most %(n)d characters.") % {"n": MAX_REPLY_CHARS}
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        return _("The reply contains control characters.")
    return ""


def reply_receive(*, session_id: int, user, client_id: str, text, events=None,
                  sent_t=None, received_at: datetime | None = None) -> ReplyResult:
    """Store a reply (once per client id), let the buyer react to it, and acknowledge it.

    One short transaction: the session row lock orders the replies of one session, and the
    rate limit and the previous reply's time come from the session row itself.
    """
    received_at = received_at or timezone.now()
    if not isinstance(client_id, str) or not 1 <= len(client_id) <= 64:
        return ReplyResult(False, error=_("Each reply needs a client message id."))
    problem = _text_problem(text)
    if problem:
        return ReplyResult(False, error=problem)
    try:
        return _reply_store(session_id, user, client_id, text, events, sent_t, received_at)
    except IntegrityError:
        # The same client id again (a resend after a dropped connection); the transaction
        # rolled back whole, so nothing changed: answer as the first time.
        return _reply_again(session_id, client_id)


def _reply_again(session_id: int, client_id: str) -> ReplyResult:
    existing = Message.objects.select_related("session").get(
        session_id=session_id, client_id=client_id)
    return ReplyResult(True, ack=_ack(existing, existing.session))


@transaction.atomic
def _reply_store(session_id: int, user, client_id: str, text: str, events, sent_t,
                 received_at: datetime) -> ReplyResult:
    session = session_lock(session_id)
    if session is None:
        raise Session.DoesNotExist(session_id)
    if session.trainee_id != user.pk:
        raise PermissionDenied(_("This is not your session."))

    def refused(error: str) -> ReplyResult:
        # A resend of a stored reply is acknowledged even when a new one would be refused.
        if session.messages.filter(client_id=client_id).exists():
            return _reply_again(session_id, client_id)
        return ReplyResult(False, error=error)

    if not session.is_active:
        return refused(_("This conversation has ended."))
    now_s = _clock(session, received_at)
    recent = session.reply_times
    if len(recent) >= MAX_REPLIES_PER_SECOND and (
            recent[-MAX_REPLIES_PER_SECOND] >= now_s - 1.0):
        return refused(str(SLOW_DOWN))
    spec = session_spec(session)
    state = _run_due_timers(session, spec, received_at)
    if state.ended:
        session_save_state(session)
        return refused(_("This conversation has ended."))
    previous = recent[-1] if recent else None
    try:
        telemetry = telemetry_check(events, sent_t, text, now_s,
                                    previous if previous is not None else 0.0)
    except TelemetryError as exc:
        session_save_state(session)
        return refused(_("Input events rejected: %(why)s") % {"why": exc})
    hits = check_reply(text, "first" if previous is None else "middle",
                       engine.compliance_context(spec))
    # The buyer reacts at the reply's server time; the engine is pure, so this is cheap.
    turn = engine.on_reply(spec, state, text, now_s, hits=hits)
    message = Message(
        session=session, role=Message.Role.AGENT, text=text, at=received_at,
        seq=_next_seq(session), client_id=client_id, step=state.step,
        events=telemetry.events, telemetry=telemetry.findings(),
        hits=[hit.to_dict() for hit in hits],
        branch_reason=(turn.match.reason if turn.match else "")[:300])
    session.reply_times = [*recent, now_s][-MAX_REPLIES_PER_SECOND:]
    # The reply and the buyer's lines in one insert; a repeated client id fails it.
    _apply(session, spec, turn, received_at, stored_first=(message,))
    session_save_state(session)
    return ReplyResult(True, ack=_ack(message, session))


def _ack(message: Message, session: Session) -> dict:
    ack = {"type": "ack", "client_id": message.client_id, "seq": message.seq,
           "at": message.at.isoformat(), "session": session.pk}
    if session.mode == Session.Mode.PRACTICE:
        # Practice only: what the reply broke and a better wording. Exams give no hints.
        ack["hints"] = [{**hit, "name": rule_name(hit["rule"])} for hit in message.hits]
    return ack


@transaction.atomic
def message_deliver(*, message_id: int, session_id: int | None = None) -> Message | None:
    """The buyer finished "typing" a line: stamp it and push it (once)."""
    if session_id is None:
        session_id = Message.objects.filter(pk=message_id).values_list(
            "session_id", flat=True).first()
        if session_id is None:
            return None
    lock_session, stamp_line, count_line = delivery_statements(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(lock_session, [session_id])
        row = cursor.fetchone()
        if row is None:
            return None
        seq, now = row[0] + 1, timezone.now()
        # Under the session lock: a line already delivered (a retry, or a reply that ran
        # the timers first) matches no row, and nothing changes.
        cursor.execute(stamp_line, [connection.ops.adapt_datetimefield_value(now), seq,
                                    message_id, session_id])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(count_line, [seq, session_id])
    role, kind, text, client_id = row
    message = Message(pk=message_id, session_id=session_id, role=role, kind=kind, text=text,
                      client_id=client_id, at=now, seq=seq)
    _push_message_on_commit(message)
    return message


@transaction.atomic
def session_timer(*, session_id: int, version: int) -> bool:
    """A wake-up: fire the nudges, silence branches or patience limit now due, and plan the
    next wake-up. One replaced by a newer wake-up (a stale timer) does nothing."""
    session = session_lock(session_id)
    if session is None or not session.is_active or session.timer_version != version:
        return False  # gone, ended, or replaced by a newer wake-up: a stale timer
    session.timer_at = None  # this wake-up has run; whatever is due next gets a new one
    now = timezone.now()
    _deliver_overdue(session, now)
    spec = session_spec(session)
    state = _run_due_timers(session, spec, now)
    if not state.ended:
        _schedule_timer(session, spec, state)  # also when nothing was due yet (early)
    session_save_state(session)
    return True


@transaction.atomic
def session_expire(*, session_id: int) -> bool:
    session = Session.objects.select_for_update().filter(pk=session_id).first()
    if session is None or not session.is_active or timezone.now() < session.deadline_at:
        return False
    _end(session, timezone.now(), Session.EndReason.TIME_UP)
    session.save()
    return True


@transaction.atomic
def exam_expire(*, exam_id: int) -> bool:
    exam = Exam.objects.select_for_update().filter(pk=exam_id).first()
    if exam is None or exam.status != Exam.Status.ACTIVE or timezone.now() < exam.deadline_at:
        return False
    for session in exam.sessions.filter(status=Session.Status.ACTIVE):
        session_expire(session_id=session.pk)
    exam.status = Exam.Status.ENDED
    exam.ended_at = timezone.now()
    exam.save()
    return True


def exam_close_if_done(*, exam_id: int) -> None:
    with transaction.atomic():
        exam = Exam.objects.select_for_update().get(pk=exam_id)
        if exam.status == Exam.Status.ACTIVE and not exam.sessions.filter(
                status=Session.Status.ACTIVE).exists():
            exam.status = Exam.Status.ENDED
            exam.ended_at = timezone.now()
            exam.save()


def scored_messages(session: Session) -> list[Message]:
    """The messages scoring sees, in its order (report indexes point into this list)."""
    return [
        message for message in session.messages.filter(at__isnull=False).order_by("at", "seq")
        # The closing line opens no wait; system notices are not chat.
        if message.role != Message.Role.SYSTEM and message.kind != "final"
    ]


def session_scoring_input(session: Session) -> dict:
    """The scoring package's session document, built from what was stored."""
    messages = []
    for message in scored_messages(session):
        entry = {"role": message.role, "t": round(_clock(session, message.at), 3),
                 "text": message.text}
        if message.role == Message.Role.AGENT and message.events:
            entry["events"] = message.events
        messages.append(entry)
    data: dict = {"messages": messages}
    if session.outcome:
        data["outcome"] = {"score": outcome_score(session_spec(session), session.outcome),
                           "label": session.outcome}
    return data


@transaction.atomic
def session_score(*, session_id: int) -> Report | None:
    """Score an ended session with the scoring package and store the report (once)."""
    session = Session.objects.select_for_update().filter(pk=session_id).first()
    if session is None:
        return None
    existing = Report.objects.filter(session=session).first()
    if existing is not None:
        return existing
    if session.is_active:
        raise ValidationError(_("The session has not ended."))
    report = score_session(session_scoring_input(session), scoring_targets(
        session_spec(session))).to_dict()
    total = report.get("total")
    result = Report.objects.create(
        session=session, data=report,
        total=Decimal(str(total)) if total is not None else None)
    if session.exam_id:
        transaction.on_commit(lambda: exam_close_if_done(exam_id=session.exam_id))
    _push_on_commit(session.pk, {"type": "session.scored", "session": session.pk})
    return result


@transaction.atomic
def report_correct(*, actor, report: Report, total: Decimal, reason: str) -> Report:
    if not actor.has_perm("roleplay.change_report"):
        raise PermissionDenied(_("Only trainers correct scores."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    if not Decimal(0) <= total <= Decimal(100):
        raise ValidationError({"total": _("A score is between 0 and 100.")})
    report = Report.objects.select_for_update().get(pk=report.pk)
    before = {"total": report.final_total, "reason": report.correction_reason}
    report.corrected_total = total
    report.correction_reason = reason.strip()
    report.corrected_by = actor
    report.corrected_at = timezone.now()
    report.save()
    audit_record(actor=actor, action="score.override", target=report, before=before,
                 after={"total": total}, reason=report.correction_reason)
    for dispute in report.disputes.filter(status=Dispute.Status.OPEN):
        dispute.status = Dispute.Status.ANSWERED
        dispute.answer = report.correction_reason
        dispute.answered_by = actor
        dispute.answered_at = report.corrected_at
        dispute.save()
    return report


@transaction.atomic
def dispute_create(*, trainee, report: Report, comment: str) -> Dispute:
    if report.session.trainee_id != trainee.pk:
        raise PermissionDenied(_("This is not your report."))
    if not comment.strip() or len(comment) > 2000:
        raise ValidationError({"comment": _("Say why you dispute the score (at most 2000 "
                                            "characters).")})
    if report.disputes.filter(status=Dispute.Status.OPEN).exists():
        raise ValidationError(_("You already have an open dispute on this report."))
    return Dispute.objects.create(report=report, comment=comment.strip())


@transaction.atomic
def dispute_answer(*, actor, dispute: Dispute, answer: str) -> Dispute:
    if not actor.has_perm("roleplay.change_report"):
        raise PermissionDenied(_("Only trainers answer disputes."))
    if not answer.strip():
        raise ValidationError({"answer": _("Write an answer.")})
    dispute.status = Dispute.Status.ANSWERED
    dispute.answer = answer.strip()
    dispute.answered_by = actor
    dispute.answered_at = timezone.now()
    dispute.save()
    audit_record(actor=actor, action="dispute.answer", target=dispute.report,
                 after={"dispute": dispute.pk}, reason=dispute.answer)
    return dispute


MAX_QUICK_PHRASES = 30


@transaction.atomic
def quick_phrases_save(*, trainee, phrases: list) -> list[str]:
    """Replace the trainee's quick phrases (all or none)."""
    from roleplay.models import QuickPhrase

    if not isinstance(phrases, list) or len(phrases) > MAX_QUICK_PHRASES:
        raise ValidationError(_("At most %(n)d quick phrases.") % {"n": MAX_QUICK_PHRASES})
    cleaned = []
    for index, phrase in enumerate(phrases):
        problem = _text_problem(phrase)
        if problem or len(phrase) > 300:
            raise ValidationError(_("Phrase %(n)d: %(problem)s")
                                  % {"n": index + 1, "problem": problem or _("too long")})
        cleaned.append(phrase.strip())
    QuickPhrase.objects.filter(trainee=trainee).delete()
    QuickPhrase.objects.bulk_create(
        QuickPhrase(trainee=trainee, text=text, position=n) for n, text in enumerate(cleaned))
    return cleaned
