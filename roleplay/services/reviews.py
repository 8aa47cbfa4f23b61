"""Trainers' corrections of scores and trainees' disputes of them; both audited."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from roleplay.models import Dispute, Report

# A report's total is stored with one decimal place (max_digits=5, decimal_places=1).
SCORE_STEP = Decimal("0.1")


def _checked_total(total: Decimal) -> Decimal:
    """The corrected total as it will be stored. NaN and Infinity are refused first: a
    comparison with Decimal('NaN') raises instead of answering."""
    if not isinstance(total, Decimal) or not total.is_finite():
        raise ValidationError({"total": _("Enter the corrected score as a number.")})
    if not Decimal(0) <= total <= Decimal(100):
        raise ValidationError({"total": _("A score is between 0 and 100.")})
    # Rounded here as a person rounds (PostgreSQL's numeric does too; SQLite would round
    # half to even), so the audit record shows what is stored, and a value such as 1e-999
    # never reaches a database that cannot hold it; abs() turns "-0" into 0.0.
    return abs(total.quantize(SCORE_STEP, rounding=ROUND_HALF_UP))


@transaction.atomic
def report_correct(*, actor, report: Report, total: Decimal, reason: str) -> Report:
    if not actor.has_perm("roleplay.change_report"):
        raise PermissionDenied(_("Only trainers correct scores."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    total = _checked_total(total)
    report = Report.objects.select_for_update().get(pk=report.pk)
    before = {"total": report.final_total, "reason": report.correction_reason}
    report.corrected_total = total
    report.correction_reason = reason.strip()
    report.corrected_by = actor
    report.corrected_at = timezone.now()
    report.save()
    audit_record(
        actor=actor,
        action="score.override",
        target=report,
        before=before,
        after={"total": total},
        reason=report.correction_reason,
    )
    for dispute in report.disputes.filter(status=Dispute.Status.OPEN):
        dispute.status = Dispute.Status.ANSWERED
        dispute.answer = report.correction_reason
        dispute.answered_by = actor
        dispute.answered_at = report.corrected_at
        dispute.save()
    return report


@transaction.atomic
def dispute_create(*, trainee, report: Report, comment: str) -> Dispute:
    if report.session.trainee_id != trainee.pk:
        raise PermissionDenied(_("This is not your report."))
    if not comment.strip() or len(comment) > 2000:
        raise ValidationError(
            {"comment": _("Say why you dispute the score (at most 2000 characters).")}
        )
    if report.disputes.filter(status=Dispute.Status.OPEN).exists():
        raise ValidationError(_("You already have an open dispute on this report."))
    return Dispute.objects.create(report=report, comment=comment.strip())


@transaction.atomic
def dispute_answer(*, actor, dispute: Dispute, answer: str) -> Dispute:
    """Answer a trainee's dispute and close it; the score stays as it is (a trainer who
    changes it uses ``report_correct``, which answers open disputes with its reason)."""
    if not actor.has_perm("roleplay.change_report"):
        raise PermissionDenied(_("Only trainers answer disputes."))
    answer = answer.strip()
    if not answer or len(answer) > 2000:
        raise ValidationError({"answer": _("Write an answer (at most 2000 characters).")})
    # Locked, so two trainers answering at once leave one answer each in the audit log
    # in the order they were stored.
    dispute = Dispute.objects.select_for_update().select_related("report").get(pk=dispute.pk)
    before = {"status": dispute.status, "answer": dispute.answer}
    dispute.status = Dispute.Status.ANSWERED
    dispute.answer = answer
    dispute.answered_by = actor
    dispute.answered_at = timezone.now()
    dispute.save()
    audit_record(
        actor=actor,
        action="dispute.answer",
        target=dispute.report,
        before=before,
        after={
            "dispute": dispute.pk,
            "status": dispute.status,
            "total": dispute.report.final_total,
        },
        reason=dispute.answer,
    )
    return dispute
