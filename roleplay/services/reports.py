"""Scoring an ended session: the scoring package's input built from what was stored, by
the same runner the self-tests and the dry-run use, and the report kept once."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from roleplay.models import Message, Report, RuleBreach, Session
from roleplay.selectors import line_time, scored_messages, session_spec
from roleplay.services.after_commit import AfterCommit
from roleplay.services.exams import exam_close_if_done
from scenarios import engine, runner


def session_scoring_input(session: Session) -> dict:
    """The scoring package's session document, built from what was stored."""
    return runner.scoring_input(
        session_spec(session), _lines(session), session.outcome, _final_state(session)
    )


def _final_state(session: Session) -> engine.State | None:
    return engine.State.from_dict(session.engine_state) if session.engine_state else None


def _lines(session: Session) -> list[tuple[float, Message, list | None]]:
    return [
        (
            (line_time(session, message) - session.started_at).total_seconds(),
            message,
            message.events,
        )
        for message in scored_messages(session)
    ]


def breaches_of(report: Report, session: Session, messages: list[Message]) -> list[RuleBreach]:
    """The rules the session's replies broke, as the live check found them: per rule, the
    number of replies and the first one as an example."""
    found: dict[str, list[Message]] = {}
    for message in messages:
        if message.role != Message.Role.AGENT:
            continue
        for rule in dict.fromkeys(hit.get("rule") for hit in message.hits or []):
            if rule:
                found.setdefault(rule, []).append(message)
    return [
        RuleBreach(
            report=report,
            trainee_id=session.trainee_id,
            session_started_at=session.started_at,
            rule=rule,
            replies=len(replies),
            example=replies[0].text[:200],
        )
        for rule, replies in found.items()
    ]


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
    spec = session_spec(session)
    lines = _lines(session)
    report = runner.score(spec, lines, session.outcome, state=_final_state(session)).to_dict()
    total = report.get("total")
    result = Report.objects.create(
        session=session, data=report, total=Decimal(str(total)) if total is not None else None
    )
    RuleBreach.objects.bulk_create(
        breaches_of(result, session, [message for _t, message, _events in lines])
    )
    if session.exam_id:
        # In a transaction of its own: the exam's row is locked before its sessions' rows
        # (exam_expire), never after one of them.
        transaction.on_commit(lambda: exam_close_if_done(exam_id=session.exam_id))
    after = AfterCommit()
    after.push(session.pk, {"type": "session.scored", "session": session.pk})
    after.dispatch()
    return result
