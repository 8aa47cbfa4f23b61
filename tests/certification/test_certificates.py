"""Certificates: issued once per passed attempt with a sequential, unique number; revoked by
the HR of the holder's cohort or an administrator, with a reason, audited; expired and
announced by the daily run, once."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from accounts.models import User
from audit.models import AuditEvent
from certification.models import (
    Certificate,
    CertificationAttempt,
    Notice,
    Track,
    TrackVersion,
)
from certification.selectors.certificates import (
    certificate_by_code,
    certificates_expiring,
    certificates_of_holder,
    certificates_visible_to,
)
from certification.services.certificates import (
    add_months,
    certificate_issue,
    certificate_revoke,
    certificates_expire,
)
from certification.track_spec import TrackSpec
from simulator.service_errors import Conflict
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _english():
    """These tests read the services' messages as written (in English)."""
    with translation.override("en"):
        yield


TRACK_TITLE = "客服上岗认证"

RESULTS = {
    "dimensions": [
        {"name": "typing_cpm", "measured": 72.4, "mark": 60, "ok": True, "reason": ""},
        {"name": "typing_accuracy", "measured": 0.973, "mark": 0.95, "ok": True, "reason": ""},
        {"name": "compliance", "measured": 88.5, "mark": 80, "ok": True, "reason": ""},
        {"name": "first_response_median_s", "measured": 4.2, "mark": 6, "ok": True, "reason": ""},
        {"name": "first_response_max_s", "measured": 8.0, "mark": 10, "ok": True, "reason": ""},
        {"name": "total", "measured": 81.0, "mark": 75, "ok": True, "reason": ""},
        {"name": "fatal_hits", "measured": 0, "mark": 0, "ok": True, "reason": ""},
    ],
    "typing": {"cpm": 72.4, "accuracy": 0.973},
}


def track_version(slug: str = "cs-cert", validity_months: int = 12) -> TrackVersion:
    spec = TrackSpec(slug=slug, title=TRACK_TITLE, validity_months=validity_months)
    track, _created = Track.objects.get_or_create(
        slug=slug, defaults={"title": TRACK_TITLE, "draft_yaml": ""}
    )
    number = track.versions.count() + 1
    version = TrackVersion.objects.create(
        track=track, number=number, yaml="", data=spec.to_data(), content_hash=str(number)
    )
    track.published_version = version
    track.save()
    return version


def passed_attempt(
    trainee: User, *, passed: bool | None = True, version: TrackVersion | None = None
) -> CertificationAttempt:
    """A decided attempt as the decision service leaves it, built with the ORM."""
    version = version or track_version()
    number = CertificationAttempt.objects.filter(trainee=trainee, track=version.track).count()
    return CertificationAttempt.objects.create(
        trainee=trainee,
        track=version.track,
        track_version=version,
        number=number + 1,
        seed=1,
        status=CertificationAttempt.Status.DECIDED,
        decided_at=timezone.now(),
        passed=passed,
        results=RESULTS,
    )


def issued(trainee: User, **kwargs) -> Certificate:
    return certificate_issue(attempt=passed_attempt(trainee, **kwargs))


# --- issue ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_passed_attempt_earns_a_certificate_with_what_it_shows(trainee):
    certificate = issued(trainee)
    year = timezone.localtime(certificate.issued_at).year
    assert re.fullmatch(rf"CS-{year}-\d{{6}}", certificate.number)
    assert certificate.holder == trainee
    assert certificate.holder_name == "王小丫"
    assert certificate.track_title == TRACK_TITLE
    assert certificate.status == Certificate.Status.VALID
    assert certificate.expires_at == add_months(certificate.issued_at, 12)
    assert certificate.results == {
        "typing_cpm": 72.4,
        "typing_accuracy": 0.973,
        "first_response_median_s": 4.2,
        "compliance": 88.5,
        "total": 81.0,
    }
    # Unguessable: 24 random bytes, URL-safe.
    assert len(certificate.code) >= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", certificate.code)
    assert certificate_by_code(certificate.code) == certificate
    event = AuditEvent.objects.get(action="certificate.issue")
    assert event.target_id == str(certificate.pk)


@pytest.mark.django_db
def test_the_holder_name_falls_back_to_the_username(db):
    nameless = UserFactory(username="T2001", display_name="")
    assert issued(nameless).holder_name == "T2001"


@pytest.mark.django_db
def test_validity_follows_the_track_version(trainee):
    certificate = issued(trainee, version=track_version("short", validity_months=6))
    assert certificate.expires_at == add_months(certificate.issued_at, 6)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(datetime(2026, 1, 31, 9), 1) == datetime(2026, 2, 28, 9)
    assert add_months(datetime(2026, 11, 15), 14) == datetime(2028, 1, 15)


@pytest.mark.django_db
def test_issue_is_idempotent(trainee):
    attempt = passed_attempt(trainee)
    first = certificate_issue(attempt=attempt)
    again = certificate_issue(attempt=attempt)
    assert again.pk == first.pk and again.number == first.number
    assert Certificate.objects.count() == 1
    assert AuditEvent.objects.filter(action="certificate.issue").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("passed", [False, None])
def test_only_passed_attempts_earn_a_certificate(trainee, passed):
    with pytest.raises(ValidationError):
        certificate_issue(attempt=passed_attempt(trainee, passed=passed))
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_numbers_are_sequential_within_a_year(trainee, other_trainee):
    version = track_version()
    numbers = [
        issued(person, version=version).number for person in (trainee, other_trainee, UserFactory())
    ]
    sequences = [int(number.rsplit("-", 1)[1]) for number in numbers]
    assert sequences == [sequences[0], sequences[0] + 1, sequences[0] + 2]


@pytest.mark.django_db
def test_a_new_year_starts_again_at_one(trainee, other_trainee, time_machine):
    version = track_version()
    time_machine.move_to(datetime(2026, 12, 31, 12, tzinfo=timezone.get_current_timezone()))
    last_of_2026 = issued(trainee, version=version)
    # 2027-01-01 00:30 in Shanghai is still 2026 in UTC: the year is the local one.
    time_machine.move_to(datetime(2027, 1, 1, 0, 30, tzinfo=timezone.get_current_timezone()))
    first_of_2027 = issued(other_trainee, version=version)
    assert last_of_2026.number == "CS-2026-000001"
    assert first_of_2027.number == "CS-2027-000001"


def _in_thread(function, *args):
    try:
        return function(*args)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_numbers_and_one_certificate_per_attempt(db):
    version = track_version()
    people = [UserFactory() for _ in range(6)]
    attempts = [passed_attempt(person, version=version) for person in people]
    start = threading.Barrier(len(attempts) * 2)

    def issue(attempt: CertificationAttempt) -> str:
        start.wait(timeout=30)
        return certificate_issue(attempt=attempt).number

    # Each attempt is issued twice at once: distinct attempts race for numbers, the two
    # calls for one attempt race for its one certificate.
    with ThreadPoolExecutor(max_workers=len(attempts) * 2) as pool:
        futures = [pool.submit(_in_thread, issue, a) for a in attempts + attempts]
        numbers = [future.result(timeout=120) for future in futures]
    assert numbers[: len(attempts)] == numbers[len(attempts) :]  # one certificate each
    assert len(set(numbers)) == len(attempts)
    assert Certificate.objects.count() == len(attempts)
    sequences = sorted(int(n.rsplit("-", 1)[1]) for n in set(numbers))
    assert sequences == list(range(1, len(attempts) + 1))


# --- revoke --------------------------------------------------------------------------


@pytest.mark.django_db
def test_hr_revokes_a_certificate_of_their_cohort_with_a_reason_audited(trainee, hr, cohort):
    certificate = issued(trainee)
    revoked = certificate_revoke(actor=hr, certificate=certificate, reason="考试作弊")
    revoked.refresh_from_db()
    assert revoked.status == Certificate.Status.REVOKED
    assert revoked.revoked_by == hr and revoked.revoke_reason == "考试作弊"
    assert revoked.revoked_at is not None
    event = AuditEvent.objects.get(action="certificate.revoke")
    assert event.actor == hr and event.reason == "考试作弊"
    assert event.before == {"status": "valid"} and event.after == {"status": "revoked"}


@pytest.mark.django_db
def test_hr_may_not_revoke_outside_their_cohorts(other_trainee, hr, cohort):
    certificate = issued(other_trainee)
    with pytest.raises(PermissionDenied):
        certificate_revoke(actor=hr, certificate=certificate, reason="x")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert not AuditEvent.objects.filter(action="certificate.revoke").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["trainee", "trainer", "other_trainee"])
def test_trainees_and_trainers_may_not_revoke(request, trainee, cohort, who):
    certificate = issued(trainee)
    with pytest.raises(PermissionDenied):
        certificate_revoke(actor=request.getfixturevalue(who), certificate=certificate, reason="x")


@pytest.mark.django_db
def test_an_administrator_revokes_anyones(other_trainee, admin_user):
    certificate = issued(other_trainee)
    certificate_revoke(actor=admin_user, certificate=certificate, reason="身份冒用")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(trainee, hr, cohort, reason):
    certificate = issued(trainee)
    with pytest.raises(ValidationError):
        certificate_revoke(actor=hr, certificate=certificate, reason=reason)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


@pytest.mark.django_db
def test_revoking_twice_says_it_was_already_revoked(trainee, hr, cohort):
    certificate = issued(trainee)
    certificate_revoke(actor=hr, certificate=certificate, reason="考试作弊")
    with pytest.raises(Conflict, match="already revoked"):
        certificate_revoke(actor=hr, certificate=certificate, reason="again")
    assert AuditEvent.objects.filter(action="certificate.revoke").count() == 1


# --- expiry --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_daily_run_expires_and_warns_once(trainee, other_trainee):
    version = track_version()
    soon = issued(trainee, version=version)
    gone = issued(other_trainee, version=version)
    later = issued(UserFactory(), version=version)
    now = timezone.now()
    Certificate.objects.filter(pk=soon.pk).update(expires_at=now + timedelta(days=10))
    Certificate.objects.filter(pk=gone.pk).update(expires_at=now - timedelta(hours=1))

    assert certificates_expire(now=now) == {"expired": 1, "notified": 1}
    assert certificates_expire(now=now) == {"expired": 0, "notified": 0}
    assert certificates_expire(now=now + timedelta(hours=1)) == {"expired": 0, "notified": 0}

    gone.refresh_from_db()
    soon.refresh_from_db()
    later.refresh_from_db()
    assert gone.status == Certificate.Status.EXPIRED
    assert soon.status == Certificate.Status.VALID and soon.expiry_notified_at == now
    assert later.status == Certificate.Status.VALID and later.expiry_notified_at is None
    expired_notice = Notice.objects.get(user=other_trainee)
    assert gone.number in expired_notice.text and TRACK_TITLE in expired_notice.text
    warning = Notice.objects.get(user=trainee)
    assert soon.number in warning.text
    assert warning.url == f"/certification/certificates/{soon.pk}/"
    assert Notice.objects.filter(user=later.holder).count() == 0

    # Ten days on, the warned certificate expires: one more notice, the expiry's.
    assert certificates_expire(now=now + timedelta(days=11)) == {"expired": 1, "notified": 0}
    assert Notice.objects.filter(user=trainee).count() == 2


@pytest.mark.django_db
def test_revoked_certificates_neither_expire_nor_warn(trainee, admin_user):
    certificate = issued(trainee)
    certificate_revoke(actor=admin_user, certificate=certificate, reason="作废")
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=timezone.now() + timedelta(days=3)
    )
    assert certificates_expire() == {"expired": 0, "notified": 0}
    assert not Notice.objects.exists()


# --- selectors -----------------------------------------------------------------------


@pytest.mark.django_db
def test_who_sees_which_certificates(trainee, other_trainee, trainer, other_trainer, hr, cohort):
    own = issued(trainee)
    other = issued(other_trainee)
    assert set(certificates_of_holder(trainee)) == {own}
    assert set(certificates_visible_to(trainee)) == {own}
    assert set(certificates_visible_to(other_trainee)) == {other}
    assert set(certificates_visible_to(trainer)) == {own}  # their cohort's trainee
    assert set(certificates_visible_to(other_trainer)) == set()
    assert set(certificates_visible_to(hr)) == {own, other}


@pytest.mark.django_db
def test_expiring_within_n_days(trainee, other_trainee):
    soon, far = issued(trainee), issued(other_trainee)
    now = timezone.now()
    Certificate.objects.filter(pk=soon.pk).update(expires_at=now + timedelta(days=5))
    assert list(certificates_expiring(within_days=30, now=now)) == [soon]
    assert list(certificates_expiring(within_days=4, now=now)) == []
    assert far not in certificates_expiring(within_days=30, now=now)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["", "short", "x" * 65, "abc\x00def" * 4, "../../etc/passwd"])
def test_codes_that_are_not_ours_find_nothing(trainee, code):
    issued(trainee)
    assert certificate_by_code(code) is None
