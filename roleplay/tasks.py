"""Celery tasks of live sessions: thin, they take ids and call one service each.

Each is safe to run twice (a line is stamped once, a stale wake-up does nothing, a report is
stored once), so a transient database error is retried with backoff; a task that still
fails is logged and counted (``simulator.celery``), and the session's next wake-up or
reconnect picks up what it left.
"""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from roleplay.models import Exam, Session
from roleplay.services import exams, lines, live, reports
from simulator.background import RETRYING


@shared_task(name="roleplay.deliver", **RETRYING)
def deliver_task(message_id: int, session_id: int | None = None) -> None:
    lines.message_deliver(message_id=message_id, session_id=session_id).dispatch()


@shared_task(name="roleplay.timer", **RETRYING)
def timer_task(session_id: int, version: int) -> None:
    live.session_timer(session_id=session_id, version=version)


@shared_task(name="roleplay.expire", **RETRYING)
def expire_task(session_id: int) -> None:
    live.session_expire(session_id=session_id)


@shared_task(name="roleplay.exam_expire", **RETRYING)
def exam_expire_task(exam_id: int) -> None:
    exams.exam_expire(exam_id=exam_id)


# Scoring is pure and stores once: any error is worth a few retries.
@shared_task(name="roleplay.score", **{**RETRYING, "autoretry_for": (Exception,), "max_retries": 5})
def score_task(session_id: int) -> None:
    reports.session_score(session_id=session_id)


# Ended this recently and still without a report: scoring is sent again on a re-arm.
REARM_SCORING_WITHIN = timedelta(days=1)


@shared_task(name="roleplay.rearm", **RETRYING)
def rearm_task() -> None:
    """Send again every wake-up, time limit and scoring the database says is pending.

    A worker killed outright loses the countdown tasks it was holding (the file-system
    broker handed them over for good; Redis gives them back only after the visibility
    timeout, hours later), and a worker that loses its broker connection drops them as
    well. The database keeps what each session waits for, so a worker sends this when it
    (re)connects (``simulator.celery``). Every task sent is safe to run twice: a stale
    wake-up does nothing, a session or exam ends once, a report is stored once."""
    active = Session.objects.filter(status=Session.Status.ACTIVE).values_list(
        "pk", "timer_version", "timer_at", "deadline_at", "exam_id"
    )
    for session_id, version, timer_at, deadline_at, exam_id in active.iterator():
        if timer_at is not None:
            timer_task.apply_async((session_id, version), eta=timer_at)
        if exam_id is None:
            expire_task.apply_async((session_id,), eta=deadline_at)
    exams_open = Exam.objects.filter(status=Exam.Status.ACTIVE).values_list("pk", "deadline_at")
    for exam_id, deadline_at in exams_open.iterator():
        exam_expire_task.apply_async((exam_id,), eta=deadline_at)
    unscored = Session.objects.filter(
        status=Session.Status.ENDED,
        report__isnull=True,
        ended_at__gte=timezone.now() - REARM_SCORING_WITHIN,
    ).values_list("pk", flat=True)
    for session_id in unscored.iterator():
        score_task.delay(session_id)


# By registered name, for the after-commit work that names the task to send.
TASKS = {
    task.name: task
    for task in (deliver_task, timer_task, expire_task, exam_expire_task, score_task)
}
