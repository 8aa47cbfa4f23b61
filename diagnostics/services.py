"""Writes for diagnostics: scheduling and completing timer probes."""

from __future__ import annotations

import socket
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from diagnostics.models import TimerProbe

MAX_COUNTDOWN_S = 3600.0


@transaction.atomic
def timer_probe_schedule(*, actor, countdown_s: float) -> TimerProbe:
    """Store a probe and enqueue its task (after commit) to run ``countdown_s`` from now."""
    from diagnostics.tasks import timer_probe_fire

    if not 0 <= countdown_s <= MAX_COUNTDOWN_S:
        raise ValidationError({"countdown_s": f"must be between 0 and {MAX_COUNTDOWN_S:g}"})
    now = timezone.now()
    probe = TimerProbe(
        created_by=actor if actor is not None and actor.is_authenticated else None,
        countdown_s=countdown_s,
        due_at=now + timedelta(seconds=countdown_s),
    )
    probe.full_clean()
    probe.save()
    # eta (not countdown) so the due time is exactly the stored one, whatever the
    # commit and enqueue delays are.
    transaction.on_commit(lambda: timer_probe_fire.apply_async((probe.pk,), eta=probe.due_at))
    return probe


def timer_probe_complete(*, probe_id: int) -> TimerProbe | None:
    """Mark a probe as run, stamping the worker's clock now; a second delivery changes nothing."""
    ran_at = timezone.now()
    updated = TimerProbe.objects.filter(pk=probe_id, ran_at__isnull=True).update(
        ran_at=ran_at, worker=socket.gethostname()[:200]
    )
    if not updated:
        return None
    return TimerProbe.objects.get(pk=probe_id)
