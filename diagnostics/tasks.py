from celery import shared_task

from diagnostics.services import timer_probe_complete


@shared_task(name="diagnostics.timer_probe_fire", acks_late=True)
def timer_probe_fire(probe_id: int) -> None:
    timer_probe_complete(probe_id=probe_id)
