"""Celery tasks of courses: the deadline of a timed quiz attempt."""

from celery import shared_task

from courses.models import Attempt
from courses.services import TooEarly, attempt_expire
from simulator.background import TRANSIENT_ERRORS


@shared_task(name="courses.attempt_expire", bind=True, acks_late=True, max_retries=5)
def attempt_expire_task(self, attempt_id: int) -> None:
    try:
        attempt_expire(attempt_id=attempt_id)
    except TooEarly as early:
        raise self.retry(eta=early.eta) from None


@shared_task(name="courses.rearm", acks_late=True, autoretry_for=TRANSIENT_ERRORS, max_retries=8)
def rearm_task() -> None:
    """Send again the deadline of every open timed attempt (a worker that was killed or
    lost its broker connection dropped the ones it held; see ``roleplay.rearm``). Grading
    happens once, however often the deadline task runs."""
    open_attempts = Attempt.objects.filter(
        status=Attempt.Status.IN_PROGRESS, deadline_at__isnull=False
    ).values_list("pk", "deadline_at")
    for attempt_id, deadline_at in open_attempts.iterator():
        attempt_expire_task.apply_async((attempt_id,), eta=deadline_at)
