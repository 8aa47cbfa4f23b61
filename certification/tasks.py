"""Celery tasks of certification: thin, they take ids and call one service each.

Deciding is idempotent (an attempt is decided once; a second run returns the stored
decision), so transient database errors are retried with backoff, and a worker that starts
decides again what was left undecided (``rearm``).
"""

from celery import shared_task

from certification.selectors.attempts import attempts_to_decide
from certification.services import attempts, certificates
from simulator.background import RETRYING


@shared_task(name="certification.decide", **RETRYING)
def decide_task(attempt_id: int) -> None:
    attempts.attempt_decide(attempt_id=attempt_id)


@shared_task(name="certification.rearm", **RETRYING)
def rearm_task() -> None:
    """Decide again every attempt whose exam has ended and that is still undecided (the
    decision task was lost with a worker, or the exam's last report came while none ran)."""
    for attempt_id in attempts_to_decide().values_list("pk", flat=True).iterator():
        decide_task.delay(attempt_id)


@shared_task(name="certification.expire_certificates", **RETRYING)
def expire_certificates_task() -> dict:
    """Daily (celery beat): expire what is past its date and notify holders, once each;
    safe to run twice or to catch up after a missed day."""
    return certificates.certificates_expire()
