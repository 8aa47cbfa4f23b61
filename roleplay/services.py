"""Live role-play: starting sessions and exams, receiving replies, delivering the buyer's
lines and timers, ending and scoring. Server time is the only clock.

Writes happen under a row lock on the session; pushes to the socket and Celery tasks are
sent only after the transaction commits, so nothing is pushed that was not stored.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from realtime.push import group_send_sync
from roleplay.models import Dispute, Exam, Message, Report, Session
from roleplay.rule_names import rule_name
from roleplay.telemetry import TelemetryError, telemetry_check
from scenarios import engine
from scenarios.models import Scenario, ScenarioVersion
from scenarios.services import spec_of
from scenarios.simulation import outcome_score, scoring_targets
from scenarios.validation import ScenarioSpec
from scoring import Hit, check_reply, score_session

MAX_REPLY_CHARS = 1000
MAX_REPLIES_PER_SECOND = 5
PRACTICE_MINUTES = getattr(settings, "ROLEPLAY_PRACTICE_MINUTES", 15)
EXAM_MINUTES = getattr(settings, "ROLEPLAY_EXAM_MINUTES", 20)


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


# Set by the socket consumer around a call into a service: pushes are then handed back to
# it (and awaited on its own event loop) instead of being sent from this thread.
_push_collector: ContextVar[list | None] = ContextVar("push_collector", default=None)


@contextmanager
def collecting_pushes() -> Iterator[list[tuple[int, dict]]]:
    collected: list[tuple[int, dict]] = []
    token = _push_collector.set(collected)
    try:
        yield collected
    finally:
        _push_collector.reset(token)


def _push(session_id: int, payload: dict) -> None:
    group_send_sync(group_name(session_id), payload)


def _push_on_commit(session_id: int, payload: dict) -> None:
    collected = _push_collector.get()
    if collected is not None:
        transaction.on_commit(lambda: collected.append((session_id, payload)))
    else:
        transaction.on_commit(lambda: _push(session_id, payload))


def _next_seq(session: Session) -> int:
    session.last_seq += 1
    return session.last_seq


def _deliver(session: Session, message: Message, now: datetime) -> None:
    """Stamp a buyer line as pushed now and push it after commit."""
    message.at = now
    message.seq = _next_seq(session)
    message.save(update_fields=["at", "seq"])
    _push_on_commit(session.pk, {"type": "session.message", "message": message_data(message)})


def _emit_lines(session: Session, lines: list, trigger_at: datetime, step: str,
                reason: str = "") -> None:
    from roleplay.tasks import deliver_task

    for line in lines:
        role = Message.Role.SYSTEM if line.kind == "leave" else Message.Role.BUYER
        message = Message.objects.create(
            session=session, role=role, text=line.text, kind=line.kind, step=step,
            due_at=trigger_at + timedelta(seconds=line.delay_s), branch_reason=reason[:300])
        if line.delay_s <= 0:
            # Stamped with the real push time; due_at keeps when it was planned, so the
            # lateness of timers (nudges, the buyer leaving) can be measured.
            _deliver(session, message, max(trigger_at, timezone.now()))
        else:
            # The buyer "types" first: the line appears after a human-like delay.
            transaction.on_commit(
                lambda pk=message.pk, eta=message.due_at: deliver_task.apply_async(
                    (pk,), eta=eta))


def _schedule_timer(session: Session, spec: ScenarioSpec, state: engine.State) -> None:
    from roleplay.tasks import timer_task

    due = engine.next_timer(spec, state)
    if due is None:
        return
    version, eta = session.state_version, _at(session, due)
    transaction.on_commit(
        lambda: timer_task.apply_async((session.pk, version), eta=eta))


def _end(session: Session, now: datetime, reason: str, outcome: str = "") -> None:
    from roleplay.tasks import score_task

    session.status = Session.Status.ENDED
    session.outcome = outcome
    session.end_reason = reason
    session.ended_at = now
    _push_on_commit(session.pk, {"type": "session.ended", "session": session.pk,
                                 "outcome": outcome, "reason": reason})
    transaction.on_commit(lambda: score_task.delay(session.pk))


def _apply(session: Session, spec: ScenarioSpec, turn: engine.Turn, trigger_at: datetime,
           reason: str = "") -> None:
    session.engine_state = turn.state.to_dict()
    session.state_version += 1
    _emit_lines(session, turn.lines, trigger_at, turn.state.step, reason)
    if turn.state.ended:
        end_reason = (Session.EndReason.BUYER_LEFT
                      if any(line.kind == "leave" for line in turn.lines)
                      else Session.EndReason.OUTCOME)
        _end(session, trigger_at, end_reason, turn.state.outcome or "")
    else:
        _schedule_timer(session, spec, turn.state)


def _run_due_timers(session: Session, spec: ScenarioSpec, now: datetime) -> engine.State:
    """Fire timers already due (a late worker must not let a reply overtake them)."""
    state = engine.State.from_dict(session.engine_state)
    while not state.ended:
        due = engine.next_timer(spec, state)
        if due is None or due > _clock(session, now):
            break
        turn = engine.on_time(spec, state, due)
        _apply(session, spec, turn, _at(session, due), turn.match.reason if turn.match else "")
        state = turn.state
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
    message_id: int | None = None


def _text_problem(text) -> str:
    if not isinstance(text, str) or not text.strip():
        return _("Type a reply before sending.")
    if len(text) > MAX_REPLY_CHARS:
        return _("A reply has at most %(n)d characters.") % {"n": MAX_REPLY_CHARS}
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        return _("The reply contains control characters.")
    return ""


def reply_receive(*, session_id: int, user, client_id: str, text, events=None,
                  sent_t=None, received_at: datetime | None = None,
                  process: bool = True) -> ReplyResult:
    """Store a reply (once per client id) and acknowledge it; the buyer reacts in
    ``reply_process`` (run here unless the caller sends the acknowledgement first)."""
    received_at = received_at or timezone.now()
    if not isinstance(client_id, str) or not 1 <= len(client_id) <= 64:
        return ReplyResult(False, error=_("Each reply needs a client message id."))
    problem = _text_problem(text)
    if problem:
        return ReplyResult(False, error=problem)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session_id)
        if session.trainee_id != user.pk:
            raise PermissionDenied(_("This is not your session."))
        existing = session.messages.filter(client_id=client_id).first()
        if existing is not None:  # a resend after a dropped connection: same answer again
            # Not yet reacted to (the connection dropped in between): react now.
            pending = None if existing.processed else existing.pk
            return ReplyResult(True, ack=_ack(existing, session), message_id=pending)
        if not session.is_active:
            return ReplyResult(False, error=_("This conversation has ended."))
        agent_times = list(session.messages.filter(role=Message.Role.AGENT)
                           .order_by("-at").values_list("at", flat=True)[
                               :MAX_REPLIES_PER_SECOND])
        if len(agent_times) >= MAX_REPLIES_PER_SECOND and (
                agent_times[-1] >= received_at - timedelta(seconds=1)):
            return ReplyResult(False, error=_("Too many messages at once; slow down."))
        spec = session_spec(session)
        state = _run_due_timers(session, spec, received_at)
        if state.ended:
            session.save()
            return ReplyResult(False, error=_("This conversation has ended."))
        previous = agent_times[0] if agent_times else None
        try:
            telemetry = telemetry_check(
                events, sent_t, text, _clock(session, received_at),
                _clock(session, previous) if previous else 0.0)
        except TelemetryError as exc:
            session.save()
            return ReplyResult(False, error=_("Input events rejected: %(why)s") % {"why": exc})
        position = "first" if previous is None else "middle"
        hits = check_reply(text, position, engine.compliance_context(spec))
        message = Message.objects.create(
            session=session, role=Message.Role.AGENT, text=text, at=received_at,
            seq=_next_seq(session), client_id=client_id, step=state.step,
            events=telemetry.events, telemetry=telemetry.findings(),
            hits=[hit.to_dict() for hit in hits], processed=False)
        # Timers planned before this reply are stale from now on.
        session.state_version += 1
        session.save()
        ack = _ack(message, session)
    result = ReplyResult(True, ack=ack, message_id=message.pk)
    if process:
        reply_process(message_id=message.pk)
    return result


@transaction.atomic
def reply_process(*, message_id: int) -> None:
    """The buyer reacts to a stored reply (once), at the reply's server time."""
    message = Message.objects.get(pk=message_id)
    session = Session.objects.select_for_update().get(pk=message.session_id)
    message.refresh_from_db()
    if message.processed or not session.is_active:
        return
    spec = session_spec(session)
    state = engine.State.from_dict(session.engine_state)
    # The hits found when the reply was stored; checking it again would give the same.
    hits = [Hit(**{key: hit[key] for key in ("rule", "severity", "start", "end",
                                             "suggestion")}) for hit in message.hits]
    turn = engine.on_reply(spec, state, message.text, _clock(session, message.at), hits=hits)
    message.processed = True
    message.branch_reason = (turn.match.reason if turn.match else "")[:300]
    message.save(update_fields=["processed", "branch_reason"])
    _apply(session, spec, turn, message.at)
    session.save()


def _ack(message: Message, session: Session) -> dict:
    ack = {"type": "ack", "client_id": message.client_id, "seq": message.seq,
           "at": message.at.isoformat(), "session": session.pk}
    if session.mode == Session.Mode.PRACTICE:
        # Practice only: what the reply broke and a better wording. Exams give no hints.
        ack["hints"] = [{**hit, "name": rule_name(hit["rule"])} for hit in message.hits]
    return ack


@transaction.atomic
def message_deliver(*, message_id: int) -> Message | None:
    """The buyer finished "typing" a line: stamp it and push it (once)."""
    message = Message.objects.filter(pk=message_id).select_related("session").first()
    if message is None:
        return None
    session = Session.objects.select_for_update().get(pk=message.session_id)
    message.refresh_from_db()
    if message.at is not None:
        return None  # delivered already (a retry, or a reply that ran the timers first)
    _deliver(session, message, timezone.now())
    session.save(update_fields=["last_seq"])
    return message


@transaction.atomic
def session_timer(*, session_id: int, version: int) -> bool:
    """A nudge, a silence branch or the patience limit is due. Stale timers do nothing."""
    session = Session.objects.select_for_update().filter(pk=session_id).first()
    if session is None or not session.is_active or session.state_version != version:
        return False  # gone, ended, or the conversation moved on: a stale timer
    spec = session_spec(session)
    before = session.state_version
    _run_due_timers(session, spec, timezone.now())
    if session.state_version == before:
        # Delivered a little early (clocks of worker and broker differ): try again when due.
        _schedule_timer(session, spec, engine.State.from_dict(session.engine_state))
    session.save()
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
