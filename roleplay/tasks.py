"""Celery tasks of live sessions: thin, they take ids and call one service each."""

from celery import shared_task

from roleplay import services


@shared_task(name="roleplay.deliver", acks_late=True)
def deliver_task(message_id: int, session_id: int | None = None) -> None:
    services.message_deliver(message_id=message_id, session_id=session_id)


@shared_task(name="roleplay.timer", acks_late=True)
def timer_task(session_id: int, version: int) -> None:
    services.session_timer(session_id=session_id, version=version)


@shared_task(name="roleplay.expire", acks_late=True)
def expire_task(session_id: int) -> None:
    services.session_expire(session_id=session_id)


@shared_task(name="roleplay.exam_expire", acks_late=True)
def exam_expire_task(exam_id: int) -> None:
    services.exam_expire(exam_id=exam_id)


@shared_task(name="roleplay.score", acks_late=True, autoretry_for=(Exception,),
             retry_backoff=True, max_retries=5)
def score_task(session_id: int) -> None:
    services.session_score(session_id=session_id)
