"""Writes for certificates: issue one for a passed attempt, revoke one, expire the old.

A certificate copies what it shows (holder's name, track title, measured results) from the
attempt when it is issued, so a later rename or track edit changes no certificate. Issue,
revoke and expiry are audited (audit.services.audit_record).
"""

from __future__ import annotations

import calendar
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from certification.dimensions import CERTIFICATE_DIMENSIONS
from certification.models import Certificate, CertificationAttempt, Notice
from certification.selectors.certificates import (
    certificates_revocable_by,
    certificates_to_warn,
)
from certification.track_spec import TrackSpec
from simulator.service_errors import Conflict

NUMBER_PREFIX = "CS"
# Two requests issuing at once may pick the same next number; the unique constraint
# refuses the second, which then takes the number after. A handful of tries is plenty.
NUMBER_TRIES = 8
EXPIRY_WARNING_DAYS = 30


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months; the 31st becomes the month's last day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _shown_results(results: dict[str, Any]) -> dict[str, float | None]:
    measured: dict[str, float | None] = {name: None for name in CERTIFICATE_DIMENSIONS}
    typing = results.get("typing") or {}
    measured["typing_cpm"] = typing.get("cpm")
    measured["typing_accuracy"] = typing.get("accuracy")
    for dimension in results.get("dimensions") or []:
        name = dimension.get("name")
        if name.startswith("typing_"):
            continue  # the run's own figures above (the decision gives accuracy in percent)
        if name in measured and dimension.get("measured") is not None:
            measured[name] = dimension["measured"]
    return measured


def _next_number(year: int) -> str:
    prefix = f"{NUMBER_PREFIX}-{year}-"
    # Zero-padded to six digits, so the text order is the numeric order.
    last = (
        Certificate.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{sequence:06d}"


def certificate_issue(*, attempt: CertificationAttempt) -> Certificate:
    """The certificate a passed attempt earns: created once, returned as it is afterwards.

    Numbers run per calendar year (Asia/Shanghai), ``CS-2026-000123``; the verification
    code is random and unguessable. The certificate expires the track version's
    ``validity_months`` after it is issued.
    """
    existing = Certificate.objects.filter(attempt=attempt).first()
    if existing is not None:
        return existing
    if attempt.passed is not True:
        raise ValidationError(_("Only a passed attempt earns a certificate."))
    spec = TrackSpec.from_data(attempt.track_version.data)
    holder = attempt.trainee
    for _try in range(NUMBER_TRIES):
        issued_at = timezone.now()
        certificate = Certificate(
            attempt=attempt,
            holder=holder,
            track_version=attempt.track_version,
            number=_next_number(timezone.localtime(issued_at).year),
            code=secrets.token_urlsafe(24),
            holder_name=holder.display_name or holder.get_username(),
            track_title=spec.title,
            issued_at=issued_at,
            expires_at=add_months(issued_at, spec.validity_months),
            results=_shown_results(attempt.results or {}),
        )
        # Uniqueness (number, code, one per attempt) is left to the database: a check
        # before the insert would race with a concurrent issue anyway.
        certificate.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                certificate.save(force_insert=True)
                audit_record(
                    actor=None,
                    action="certificate.issue",
                    target=certificate,
                    after={"number": certificate.number, "attempt": attempt.pk},
                )
        except IntegrityError:
            existing = Certificate.objects.filter(attempt=attempt).first()
            if existing is not None:  # issued meanwhile by another request
                return existing
            continue  # the number was taken meanwhile: take the next one
        return certificate
    raise Conflict(_("No certificate number could be reserved; please try again."))


def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Revoke ``certificate`` for ``reason``: HR for the trainees of the cohorts they are
    an HR contact for, administrators for anyone. Its verification page then says so."""
    if not actor.has_perm("certification.revoke_certificate"):
        raise PermissionDenied(_("You may not revoke certificates."))
    if not certificates_revocable_by(actor).filter(pk=certificate.pk).exists():
        raise PermissionDenied(_("You may not revoke this certificate."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status == Certificate.Status.REVOKED:
            raise Conflict(
                _("Certificate %(number)s was already revoked on %(date)s.")
                % {
                    "number": locked.number,
                    "date": timezone.localtime(locked.revoked_at).strftime("%Y-%m-%d"),
                }
            )
        before = locked.status
        locked.status = Certificate.Status.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.revoke_reason = reason
        locked.full_clean(validate_unique=False, validate_constraints=False)
        locked.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
        audit_record(
            actor=actor,
            action="certificate.revoke",
            target=locked,
            before={"status": before},
            after={"status": locked.status},
            reason=reason,
        )
    return locked


def _notice(certificate: Certificate, text: str) -> None:
    Notice.objects.create(
        user_id=certificate.holder_id,
        text=text[:300],
        url=reverse("certification:certificate_detail", kwargs={"pk": certificate.pk}),
    )


def certificates_expire(now: datetime | None = None) -> dict[str, int]:
    """The daily run: valid certificates past their end become expired, and their holders
    are told; holders of certificates ending within 30 days are told once
    (``expiry_notified_at``). Running it twice changes nothing the second time: each
    change is a conditional update, and only the run whose update took writes the notice.
    """
    now = now or timezone.now()
    expired = notified = 0
    # Notices are stored text: written in the site's language, as the holder reads it.
    with translation.override(settings.LANGUAGE_CODE):
        due = Certificate.objects.filter(status=Certificate.Status.VALID, expires_at__lte=now)
        for certificate in due.iterator():
            with transaction.atomic():
                took = Certificate.objects.filter(
                    pk=certificate.pk, status=Certificate.Status.VALID
                ).update(status=Certificate.Status.EXPIRED)
                if not took:
                    continue
                _notice(
                    certificate,
                    _("Your certificate %(number)s (%(track)s) has expired.")
                    % {"number": certificate.number, "track": certificate.track_title},
                )
                audit_record(
                    actor=None,
                    action="certificate.expire",
                    target=certificate,
                    before={"status": Certificate.Status.VALID},
                    after={"status": Certificate.Status.EXPIRED},
                )
            expired += 1
        for certificate in certificates_to_warn(now=now, within_days=EXPIRY_WARNING_DAYS):
            with transaction.atomic():
                took = Certificate.objects.filter(
                    pk=certificate.pk, expiry_notified_at__isnull=True
                ).update(expiry_notified_at=now)
                if not took:
                    continue
                _notice(
                    certificate,
                    _("Your certificate %(number)s (%(track)s) expires on %(date)s.")
                    % {
                        "number": certificate.number,
                        "track": certificate.track_title,
                        "date": timezone.localtime(certificate.expires_at).strftime("%Y-%m-%d"),
                    },
                )
            notified += 1
    return {"expired": expired, "notified": notified}
