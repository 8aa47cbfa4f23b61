from celery import shared_task

from courses.services import TooEarly, attempt_expire


@shared_task(name="courses.attempt_expire", bind=True, acks_late=True, max_retries=5)
def attempt_expire_task(self, attempt_id: int) -> None:
    try:
        attempt_expire(attempt_id=attempt_id)
    except TooEarly as early:
        raise self.retry(eta=early.eta) from None
