"""Celery tasks of live sessions: thin, they take ids and call one service each."""

from celery import shared_task

from roleplay.services import exams, lines, live, reports


@shared_task(name="roleplay.deliver", acks_late=True)
def deliver_task(message_id: int, session_id: int | None = None) -> None:
    lines.message_deliver(message_id=message_id, session_id=session_id).dispatch()


@shared_task(name="roleplay.timer", acks_late=True)
def timer_task(session_id: int, version: int) -> None:
    live.session_timer(session_id=session_id, version=version)


@shared_task(name="roleplay.expire", acks_late=True)
def expire_task(session_id: int) -> None:
    live.session_expire(session_id=session_id)


@shared_task(name="roleplay.exam_expire", acks_late=True)
def exam_expire_task(exam_id: int) -> None:
    exams.exam_expire(exam_id=exam_id)


@shared_task(
    name="roleplay.score",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def score_task(session_id: int) -> None:
    reports.session_score(session_id=session_id)


# By registered name, for the after-commit work that names the task to send.
TASKS = {
    task.name: task
    for task in (deliver_task, timer_task, expire_task, exam_expire_task, score_task)
}
