"""Celery tasks of live sessions: thin, they take ids and call one service each.

Each is safe to run twice (a line is stamped once, a stale wake-up does nothing, a report is
stored once), so a transient database error is retried with backoff; a task that still
fails is logged and counted (``simulator.celery``), and the session's next wake-up or
reconnect picks up what it left.
"""

from celery import shared_task

from roleplay.services import exams, lines, live, reports
from simulator.background import TRANSIENT_ERRORS

RETRYING = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 8,
}


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


# By registered name, for the after-commit work that names the task to send.
TASKS = {
    task.name: task
    for task in (deliver_task, timer_task, expire_task, exam_expire_task, score_task)
}
