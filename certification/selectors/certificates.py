"""Reads for certificates: a holder's own, those a member of staff may see or revoke,
those about to expire, and one by its verification code."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import users_visible_to
from certification.dimensions import certificate_figures
from certification.models import Certificate, Notice

# secrets.token_urlsafe(24) gives 32 characters; anything else is not one of ours, and is
# refused before it reaches the database (a NUL byte would be an error in PostgreSQL).
_CODE_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _certificates() -> QuerySet[Certificate]:
    return Certificate.objects.select_related("holder", "track_version__track")


def certificates_of_holder(user: User) -> QuerySet[Certificate]:
    if not user.is_authenticated:
        return Certificate.objects.none()
    return _certificates().filter(holder=user)


def certificates_visible_to(user: User) -> QuerySet[Certificate]:
    """A person's own certificates; for holders of ``certification.view_certificate``
    also those of the people whose records they see (accounts.selectors.users_visible_to:
    HR and administrators everyone, trainers the trainees of their cohorts)."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    if not user.has_perm("certification.view_certificate"):
        return certificates_of_holder(user)
    return _certificates().filter(
        Q(holder=user) | Q(holder__in=users_visible_to(user).values("pk"))
    )


def certificates_revocable_by(user: User) -> QuerySet[Certificate]:
    """Administrators (who may change every user) revoke anyone's certificate; HR those of
    the trainees of the cohorts they are an HR contact for, as for password resets
    (accounts.selectors.users_password_resettable_by); no one their own."""
    if not user.is_authenticated or not user.has_perm("certification.revoke_certificate"):
        return Certificate.objects.none()
    if user.has_perm("accounts.change_user"):
        return _certificates().exclude(holder=user)
    wider_roles = [role.value for role in Role if role is not Role.TRAINEE]
    holders = (
        User.objects.filter(cohorts__hr_staff=user)
        .exclude(pk=user.pk)
        .exclude(is_staff=True)
        .exclude(is_superuser=True)
        .exclude(groups__name__in=wider_roles)
    )
    return _certificates().filter(holder__in=holders.values("pk"))


def certificates_expiring(
    *, within_days: int = 30, now: datetime | None = None
) -> QuerySet[Certificate]:
    """Valid certificates whose end falls within the next ``within_days`` days, soonest
    first."""
    now = now or timezone.now()
    return (
        _certificates()
        .filter(
            status=Certificate.Status.VALID,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=within_days),
        )
        .order_by("expires_at", "number")
    )


def certificates_expiring_visible_to(
    user: User, *, within_days: int = 30, now: datetime | None = None
) -> QuerySet[Certificate]:
    return certificates_expiring(within_days=within_days, now=now).filter(
        pk__in=certificates_visible_to(user).values("pk")
    )


def certificates_to_warn(*, now: datetime, within_days: int) -> QuerySet[Certificate]:
    """Expiring certificates whose holder has not been told yet."""
    return certificates_expiring(within_days=within_days, now=now).filter(
        expiry_notified_at__isnull=True
    )


def certificate_by_code(code: str) -> Certificate | None:
    if not _CODE_SHAPE.fullmatch(code or ""):
        return None
    return _certificates().filter(code=code).first()


def certificate_status_now(certificate: Certificate, now: datetime | None = None) -> str:
    """The status as of ``now``: a valid certificate past its end is expired, even before
    the daily run has marked it so."""
    now = now or timezone.now()
    if certificate.status == Certificate.Status.VALID and certificate.expires_at <= now:
        return Certificate.Status.EXPIRED
    return certificate.status


def certificate_result_rows(certificate: Certificate) -> list[tuple[str, str]]:
    """What the certificate shows of its results, as (label, value) in the active language."""
    return [
        (str(dimension.label), dimension.text(value))
        for dimension, value in certificate_figures(certificate.results)
    ]


def notices_of(user: User) -> QuerySet[Notice]:
    """The user's in-app notices (certificates expiring or expired), newest first."""
    return Notice.objects.filter(user=user).order_by("-created_at")
