"""Certificate pages: the holder's own page; the public verification page for valid,
expired, revoked, forged and truncated codes (never a 500, nothing beyond what the
certificate shows); HR's revocation and the list of certificates about to expire; the
published signing key. Every page keeps the strict Content-Security-Policy."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from certification.models import Certificate
from certification.services.certificates import certificate_revoke
from tests.certification.test_certificates import TRACK_TITLE, issued
from tests.simulator.test_csp import assert_strict, inline_code

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _verify_url(code: str) -> str:
    return f"/certification/certificates/verify/{code}/"


def _page(response) -> str:
    html = response.content.decode()
    assert_strict(response)
    assert inline_code(html) == []
    return html


@pytest.fixture
def certificate(trainee):
    return issued(trainee)


# --- the holder's page ----------------------------------------------------------------


def test_the_holder_sees_their_certificate_page(certificate, trainee):
    response = _client(trainee).get(f"/certification/certificates/{certificate.pk}/")
    assert response.status_code == 200
    html = _page(response)
    assert certificate.number in html and "王小丫" in html and TRACK_TITLE in html
    assert _verify_url(certificate.code) in html
    assert f"/certification/certificates/{certificate.pk}/certificate.pdf" in html


@pytest.mark.parametrize("who", ["other_trainee", "trainer", "hr", "admin_user"])
def test_no_one_else_opens_the_holders_page(request, certificate, cohort, who):
    user = request.getfixturevalue(who)
    response = _client(user).get(f"/certification/certificates/{certificate.pk}/")
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(certificate):
    response = _client().get(f"/certification/certificates/{certificate.pk}/")
    assert response.status_code == 302 and "/login" in response["Location"]


# --- the public verification page -------------------------------------------------------


def test_anyone_verifies_a_valid_certificate_without_signing_in(certificate):
    response = _client().get(_verify_url(certificate.code))
    assert response.status_code == 200
    html = _page(response)
    assert 'data-status="valid"' in html
    assert certificate.number in html and "王小丫" in html and TRACK_TITLE in html
    assert "72.4" in html and "97.3%" in html
    # Nothing beyond what the certificate shows: no username, employee number, attempt.
    assert "xiaoya" not in html and "T1001" not in html
    assert 'data-testid="revoke-link"' not in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_an_expired_certificate_says_so(certificate, trainee):
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    # Before the daily run has marked it expired, and after.
    html = _page(_client().get(_verify_url(certificate.code)))
    assert 'data-status="expired"' in html
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.EXPIRED)
    html = _page(_client().get(_verify_url(certificate.code)))
    assert 'data-status="expired"' in html and certificate.number in html


def test_a_revoked_certificate_says_so_without_the_reason(certificate, hr, cohort):
    certificate_revoke(actor=hr, certificate=certificate, reason="考试期间代考")
    response = _client().get(_verify_url(certificate.code))
    assert response.status_code == 200
    html = _page(response)
    assert 'data-status="revoked"' in html
    assert "考试期间代考" not in html and "赵人事" not in html


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("forged", id="forged-random"),
        pytest.param("truncated", id="truncated"),
        pytest.param("x" * 500, id="very-long"),
        pytest.param("%00abcdefghijklmnopqrstuvwxyz", id="nul-byte"),
        pytest.param(
            "%E8%AF%81%E4%B9%A6%E8%AF%81%E4%B9%A6%E8%AF%81%E4%B9%A6%E8%AF%81%E4%B9%A6", id="chinese"
        ),
        pytest.param("'%20OR%201=1--abcdefghijklmn", id="quote"),
    ],
)
def test_a_code_we_did_not_issue_is_a_clear_404(certificate, code):
    if code == "forged":
        code = secrets.token_urlsafe(24)
    elif code == "truncated":
        code = certificate.code[:-3]
    response = _client().get(_verify_url(code))
    assert response.status_code == 404
    html = _page(response)
    assert 'data-testid="verify-verdict"' in html
    assert certificate.number not in html


def test_hr_of_the_cohort_finds_the_revoke_link_on_the_verification_page(certificate, hr, cohort):
    html = _page(_client(hr).get(_verify_url(certificate.code)))
    assert f"/certification/certificates/{certificate.pk}/revoke/" in html
    html = _page(_client(certificate.holder).get(_verify_url(certificate.code)))
    assert "/revoke/" not in html


# --- revoking ------------------------------------------------------------------------


def test_hr_revokes_a_certificate_of_their_cohort(certificate, hr, cohort):
    client = _client(hr)
    url = f"/certification/certificates/{certificate.pk}/revoke/"
    form = client.get(url)
    assert form.status_code == 200 and 'name="reason"' in _page(form)
    response = client.post(url, {"reason": "考试作弊"})
    assert response.status_code == 302
    assert response["Location"] == _verify_url(certificate.code)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revoke_reason == "考试作弊" and certificate.revoked_by == hr
    assert AuditEvent.objects.filter(action="certificate.revoke", actor=hr).count() == 1
    assert 'data-status="revoked"' in _page(client.get(response["Location"]))

    again = client.post(url, {"reason": "再次"})
    assert again.status_code == 400
    [message] = list(again.context["messages"])
    assert message.level_tag == "error" and certificate.number in str(message)
    assert AuditEvent.objects.filter(action="certificate.revoke").count() == 1


def test_a_revocation_needs_a_reason(certificate, hr, cohort):
    response = _client(hr).post(
        f"/certification/certificates/{certificate.pk}/revoke/", {"reason": "  "}
    )
    assert response.status_code == 400
    _page(response)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


@pytest.mark.parametrize(
    ("who", "status"),
    [("trainee", 403), ("other_trainee", 403), ("trainer", 403), ("other_trainer", 403)],
)
def test_who_may_not_revoke(request, certificate, cohort, who, status):
    client = _client(request.getfixturevalue(who))
    url = f"/certification/certificates/{certificate.pk}/revoke/"
    assert client.get(url).status_code == status
    assert client.post(url, {"reason": "x"}).status_code == status
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_hr_may_not_revoke_outside_their_cohorts_but_an_administrator_may(
    other_trainee, hr, admin_user, cohort
):
    certificate = issued(other_trainee)
    url = f"/certification/certificates/{certificate.pk}/revoke/"
    assert _client(hr).post(url, {"reason": "x"}).status_code == 404
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert _client(admin_user).post(url, {"reason": "身份冒用"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED


def test_anonymous_revocation_goes_to_sign_in(certificate):
    response = _client().post(f"/certification/certificates/{certificate.pk}/revoke/")
    assert response.status_code == 302 and "/login" in response["Location"]


# --- expiring soon -------------------------------------------------------------------


def test_hr_lists_certificates_expiring_within_30_days(
    certificate, other_trainee, hr, trainer, trainee, cohort
):
    other = issued(other_trainee)
    far = issued(other_trainee)
    soon = timezone.now() + timedelta(days=20)
    Certificate.objects.filter(pk__in=[certificate.pk, other.pk]).update(expires_at=soon)
    html = _page(_client(hr).get("/certification/certificates/expiring/"))
    assert certificate.number in html and other.number in html and far.number not in html
    # HR revokes only their cohort's: one revoke link.
    assert html.count("/revoke/") == 1
    # A trainer sees their cohort's trainees only.
    html = _page(_client(trainer).get("/certification/certificates/expiring/"))
    assert certificate.number in html and other.number not in html
    assert _client(trainee).get("/certification/certificates/expiring/").status_code == 403
    response = _client().get("/certification/certificates/expiring/")
    assert response.status_code == 302


# --- the published key ---------------------------------------------------------------


def test_the_signing_key_is_public(db):
    response = _client().get("/.well-known/jwks.json")
    assert response.status_code == 200
    [key] = response.json()["keys"]
    assert set(key) >= {"kty", "crv", "x", "kid"} and "d" not in key
    single = _client().get("/" + key["kid"].split("/", 3)[3])
    assert single.status_code == 200 and single.json() == key
