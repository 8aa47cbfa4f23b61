"""Exams: two or three buyers at once, one time limit for all, one exam at a time."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from roleplay.models import Exam, Session
from roleplay.services.after_commit import AfterCommit
from roleplay.services.live import session_expire_locked, session_open
from roleplay.signals import exam_scored
from scenarios.models import Scenario


@transaction.atomic
def exam_start(*, trainee, scenarios: list[Scenario], minutes: int | None = None) -> Exam:
    """Two or three buyers at once; one exam at a time per trainee. ``minutes``: the time
    limit (the setting ``ROLEPLAY_EXAM_MINUTES`` when not given)."""
    if not 2 <= len(scenarios) <= 3:
        raise ValidationError(_("An exam has two or three buyers."))
    if Exam.objects.filter(trainee=trainee, status=Exam.Status.ACTIVE).exists():
        raise ValidationError(_("You already have an exam in progress."))
    try:
        with transaction.atomic():
            exam = Exam.objects.create(
                trainee=trainee,
                deadline_at=timezone.now()
                + timedelta(minutes=minutes or settings.ROLEPLAY_EXAM_MINUTES),
            )
    except IntegrityError:
        raise ValidationError(_("You already have an exam in progress.")) from None
    after = AfterCommit()
    for scenario in scenarios:
        session_open(
            trainee=trainee, scenario=scenario, mode=Session.Mode.EXAM, exam=exam, after=after
        )
    after.send("roleplay.exam_expire", (exam.pk,), exam.deadline_at)
    after.dispatch()
    return exam


@transaction.atomic
def exam_expire(*, exam_id: int) -> bool:
    """The exam's time is up: every conversation still open ends."""
    exam = Exam.objects.select_for_update().filter(pk=exam_id).first()
    if exam is None or exam.status != Exam.Status.ACTIVE or timezone.now() < exam.deadline_at:
        return False
    after = AfterCommit()
    for session in exam.sessions.select_for_update().filter(status=Session.Status.ACTIVE):
        session_expire_locked(session, after)
    exam.status = Exam.Status.ENDED
    exam.ended_at = timezone.now()
    exam.save()
    after.dispatch()
    return True


@transaction.atomic
def exam_close_if_done(*, exam_id: int) -> None:
    """The exam ends when its last conversation has ended. Once every conversation of an
    ended exam has its report, ``exam_scored`` is sent (after the commit): whatever decides
    on the exam as a whole listens (certification). It may be sent more than once."""
    exam = Exam.objects.select_for_update().get(pk=exam_id)
    if (
        exam.status == Exam.Status.ACTIVE
        and not exam.sessions.filter(status=Session.Status.ACTIVE).exists()
    ):
        exam.status = Exam.Status.ENDED
        exam.ended_at = timezone.now()
        exam.save()
    if exam.status == Exam.Status.ENDED and not exam.sessions.filter(report__isnull=True).exists():
        transaction.on_commit(lambda: exam_scored.send(sender=Exam, exam_id=exam_id))
