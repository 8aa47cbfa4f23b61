"""The trainee's own certification API (/api/certification/me/...): their standing on each
track, attempts, certificates and typing runs; never anyone else's, and nothing to HR,
trainers or anonymous callers, who have the results API and the public verification."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
import yaml
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from certification.models import Certificate, CertificationAttempt, TypingTest
from certification.services.attempts import attempt_decide, attempt_start
from certification.services.certificates import certificate_issue
from certification.track_spec import AttemptPolicy, ExamPolicy, TrackSpec
from courses.services import lesson_mark_read
from roleplay.models import Report
from tests.certification.exams import POOL, end_with_reports, published_track, typed
from tests.factories import CourseFactory, LessonFactory, ModuleFactory

pytestmark = pytest.mark.django_db

ME = "/api/certification/me/"
ATTEMPTS = "/api/certification/me/attempts/"
CERTIFICATES = "/api/certification/me/certificates/"
TYPING = "/api/certification/me/typing-tests/"
LISTS = (ATTEMPTS, CERTIFICATES, TYPING)


def signed_in(user) -> APIClient:
    """A client signed in as ``user`` through the session, as the pages' users are."""
    api = APIClient()
    api.force_login(user)
    return api


def path_of(url: str) -> str:
    return urlsplit(url).path


def decided(trainee, track, *, number: int, passed: bool) -> CertificationAttempt:
    """A decided attempt as the decision service leaves it (no exam), built with the ORM."""
    return CertificationAttempt.objects.create(
        trainee=trainee,
        track=track,
        track_version=track.published_version,
        number=number,
        seed=number,
        drawn=list(POOL[:2]),
        status=CertificationAttempt.Status.DECIDED,
        passed=passed,
        decided_at=timezone.now(),
        results={"dimensions": [], "typing": {"cpm": 70.0, "accuracy": 0.97}},
    )


@pytest.fixture
def two_module_track():
    """A track asking for two course modules (one lesson each, no quiz: read = passed)."""
    course = CourseFactory(slug="basics", title="客服基础")
    first = ModuleFactory(course=course, slug="rules", title="平台规则", position=0)
    second = ModuleFactory(course=course, slug="words", title="服务用语", position=1)
    lessons = [LessonFactory(module=m, position=0) for m in (first, second)]
    spec = TrackSpec(
        slug="cs-modules",
        title="客服上岗认证",
        modules=("basics/rules", "basics/words"),
        exam=ExamPolicy(buyers=2, pool=POOL),
        attempts=AttemptPolicy(limit=2, wait_hours=24),
    )
    return published_track(spec), lessons


def test_the_standing_says_what_is_done_and_why_the_exam_cannot_start(trainee, two_module_track):
    track, lessons = two_module_track
    lesson_mark_read(user=trainee, lesson=lessons[0])
    api = signed_in(trainee)

    [standing] = api.get(ME).json()
    assert standing["track"] == {"slug": "cs-modules", "title": "客服上岗认证", "version": 1}
    assert (standing["modules_passed"], standing["modules_required"]) == (1, 2)
    assert [(m["title"], m["passed"]) for m in standing["modules"]] == [
        ("平台规则", True),
        ("服务用语", False),
    ]
    assert standing["typing"]["passed"] is False and standing["typing"]["test_id"] is None
    assert standing["typing"]["required"] == {"min_cpm": 60, "min_accuracy": 0.95, "seconds": 180}
    assert standing["can_start"] is False and standing["reason"]
    assert (standing["attempts_used"], standing["attempts_left"]) == (0, 2)
    assert standing["certificate"] is None and standing["active_attempt_id"] is None

    lesson_mark_read(user=trainee, lesson=lessons[1])
    run = typed(trainee, cpm=75.0, accuracy=0.98)
    [standing] = api.get(ME).json()
    assert standing["modules_passed"] == 2
    assert standing["typing"]["passed"] is True and standing["typing"]["test_id"] == run.pk
    assert (standing["typing"]["cpm"], standing["typing"]["accuracy"]) == (75.0, 0.98)
    assert standing["can_start"] is True and standing["reason"] == ""


def test_a_failed_then_passed_exam_shows_results_reports_waiting_and_the_certificate(
    trainee, cert_track
):
    typed(trainee)
    failed = attempt_start(trainee=trainee, track=cert_track)
    end_with_reports(failed, total=40.0)
    attempt_decide(attempt_id=failed.pk)
    failed.refresh_from_db()
    api = signed_in(trainee)

    [standing] = api.get(ME).json()
    assert (standing["attempts_used"], standing["attempts_left"]) == (1, 1)
    assert standing["can_start"] is False
    waits_until = failed.decided_at + timedelta(hours=24)
    assert abs(_parse(standing["next_attempt_at"]) - waits_until) < timedelta(seconds=1)

    page = api.get(ATTEMPTS).json()
    assert page["count"] == 1
    [shown] = page["results"]
    assert shown == api.get(f"{ATTEMPTS}{failed.pk}/").json()
    assert shown["passed"] is False and shown["status"] == "decided"
    assert shown["certificate_id"] is None
    total = next(d for d in shown["dimensions"] if d["name"] == "total")
    assert (total["measured"], total["mark"], total["op"], total["ok"], total["reason"]) == (
        40.0,
        75.0,
        ">=",
        False,
        "missed",
    )
    assert len(shown["dimensions"]) == 7
    reports = Report.objects.filter(session__exam_id=failed.exam_id).order_by("session_id")
    assert [(c["session_id"], c["report_id"], c["total"]) for c in shown["conversations"]] == [
        (r.session_id, r.pk, 40.0) for r in reports
    ]
    for conversation in shown["conversations"]:
        # The report page the link names opens for its trainee.
        assert api.get(path_of(conversation["report_url"])).status_code == 200

    # The waiting time over, the second attempt passes and earns a certificate.
    CertificationAttempt.objects.filter(pk=failed.pk).update(
        decided_at=timezone.now() - timedelta(hours=25)
    )
    passed = attempt_start(trainee=trainee, track=cert_track)
    end_with_reports(passed, total=90.0)
    attempt_decide(attempt_id=passed.pk)
    certificate = Certificate.objects.get(attempt=passed)

    [standing] = api.get(ME).json()
    assert standing["certificate"]["number"] == certificate.number
    assert (standing["attempts_used"], standing["attempts_left"]) == (2, 0)
    page = api.get(ATTEMPTS).json()
    assert [a["id"] for a in page["results"]] == [passed.pk, failed.pk]  # newest first
    assert page["results"][0]["passed"] is True
    assert page["results"][0]["certificate_id"] == certificate.pk

    [shown] = api.get(CERTIFICATES).json()["results"]
    assert shown["number"] == certificate.number and shown["status"] == "valid"
    assert shown["track"] == {"slug": "cs-cert", "title": "客服上岗认证", "version": 1}
    assert shown["attempt_id"] == passed.pk
    assert shown["verification_url"].endswith(
        f"/certification/certificates/verify/{certificate.code}/"
    )
    assert path_of(shown["pdf_url"]) == reverse(
        "certification:certificate_pdf", args=[certificate.pk]
    )
    credential = api.get(path_of(shown["credential_json_url"]))
    assert credential.status_code == 200
    assert json.loads(credential.content)["id"] == shown["verification_url"]  # this certificate
    assert path_of(shown["credential_jwt_url"]).endswith(".jwt")


def test_a_certificate_says_expired_or_revoked_as_of_now(trainee, cert_track, admin_user):
    from certification.services.certificates import certificate_revoke

    expired = certificate_issue(attempt=decided(trainee, cert_track, number=1, passed=True))
    revoked = certificate_issue(attempt=decided(trainee, cert_track, number=2, passed=True))
    # Past its end, before the daily run has marked it: expired all the same.
    Certificate.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    certificate_revoke(actor=admin_user, certificate=revoked, reason="冒名顶替考试")

    shown = {c["id"]: c for c in signed_in(trainee).get(CERTIFICATES).json()["results"]}
    assert shown[expired.pk]["status"] == "expired"
    assert shown[revoked.pk]["status"] == "revoked" and shown[revoked.pk]["revoked_at"]
    [standing] = signed_in(trainee).get(ME).json()
    assert standing["certificate"] is None  # neither is a valid one


def test_typing_runs_show_speed_accuracy_and_flags_newest_first(trainee):
    clean = typed(trainee, cpm=80.0, accuracy=0.99)
    flagged = typed(trainee, cpm=400.0, accuracy=1.0, flags=["implausibly_fast"])
    TypingTest.objects.filter(pk=clean.pk).update(started_at=clean.started_at - timedelta(hours=1))

    page = signed_in(trainee).get(TYPING).json()
    assert page["count"] == 2
    newest, oldest = page["results"]
    assert (newest["id"], oldest["id"]) == (flagged.pk, clean.pk)
    assert (oldest["cpm"], oldest["accuracy"], oldest["flags"]) == (80.0, 0.99, [])
    assert oldest["plausible"] is True and oldest["meets_policy"] is True
    assert newest["flags"] == ["implausibly_fast"] and len(newest["flag_texts"]) == 1
    assert newest["plausible"] is False and newest["meets_policy"] is False
    assert path_of(oldest["result_url"]) == reverse("certification:typing_result", args=[clean.pk])


def test_lists_are_paginated_like_the_results_api(trainee):
    for _ in range(3):
        typed(trainee)
    page = signed_in(trainee).get(TYPING, {"limit": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    rest = signed_in(trainee).get(TYPING, {"limit": 2, "offset": 2}).json()
    assert len(rest["results"]) == 1 and rest["next"] is None


def test_a_trainee_sees_only_their_own_record(trainee, other_trainee, cert_track):
    mine = decided(trainee, cert_track, number=1, passed=True)
    theirs = decided(other_trainee, cert_track, number=1, passed=True)
    my_certificate = certificate_issue(attempt=mine)
    their_certificate = certificate_issue(attempt=theirs)
    my_run, their_run = typed(trainee), typed(other_trainee)
    api = signed_in(trainee)

    assert [a["id"] for a in api.get(ATTEMPTS).json()["results"]] == [mine.pk]
    assert [c["id"] for c in api.get(CERTIFICATES).json()["results"]] == [my_certificate.pk]
    assert [t["id"] for t in api.get(TYPING).json()["results"]] == [my_run.pk]
    [standing] = api.get(ME).json()
    assert standing["certificate"]["id"] == my_certificate.pk
    assert standing["typing"]["test_id"] == my_run.pk

    # Another trainee's attempt by its id: no such attempt, as for an id never used.
    response = api.get(f"{ATTEMPTS}{theirs.pk}/")
    assert response.status_code == 404
    assert response.json() == api.get(f"{ATTEMPTS}{theirs.pk + 1000}/").json()
    for url in (ME, *LISTS):
        body = api.get(url).content.decode()
        assert their_certificate.number not in body and their_certificate.code not in body
        assert other_trainee.display_name not in body and other_trainee.username not in body
    assert their_run.pk not in [t["id"] for t in api.get(TYPING).json()["results"]]


@pytest.mark.parametrize("role", ["anonymous", "hr", "trainer"])
def test_hr_trainers_and_anonymous_callers_are_refused(request, role, trainee, cert_track):
    attempt = decided(trainee, cert_track, number=1, passed=True)
    certificate_issue(attempt=attempt)
    api = APIClient() if role == "anonymous" else signed_in(request.getfixturevalue(role))
    for url in (ME, *LISTS, f"{ATTEMPTS}{attempt.pk}/"):
        response = api.get(url)
        # DRF answers anonymous callers 403 too: session authentication sends no challenge.
        assert response.status_code == 403, (role, url)
        assert set(response.json()) == {"detail"}  # the refusal alone, nothing of the record


def test_an_administrator_has_an_empty_record_and_no_trainees_attempt(
    admin_user, trainee, cert_track
):
    """Administrators hold every permission, the trainee's too: their own record (none)."""
    attempt = decided(trainee, cert_track, number=1, passed=True)
    api = signed_in(admin_user)
    assert api.get(ATTEMPTS).json()["count"] == 0
    assert api.get(f"{ATTEMPTS}{attempt.pk}/").status_code == 404


def test_the_api_is_read_only(trainee, cert_track):
    attempt = decided(trainee, cert_track, number=1, passed=False)
    api = signed_in(trainee)
    for url in (ME, *LISTS, f"{ATTEMPTS}{attempt.pk}/"):
        assert api.post(url, {}, format="json").status_code == 405, url
        assert api.delete(url).status_code == 405, url
    assert CertificationAttempt.objects.filter(pk=attempt.pk).exists()


def test_the_schema_lists_the_operations_and_the_answers_match_it(trainee, cert_track):
    """Every new operation is in the served schema, lists documented as pages with limit
    and offset, and real answers with data in them conform to what is documented."""
    from schemathesis.core.transport import Response
    from schemathesis.openapi import from_dict

    api = signed_in(trainee)
    raw = yaml.safe_load(api.get("/api/schema/").content)
    typed(trainee, flags=["pasted"], pastes=1)
    typed(trainee)
    attempt = attempt_start(trainee=trainee, track=cert_track)
    end_with_reports(attempt, total=90.0)
    attempt_decide(attempt_id=attempt.pk)

    detail = "/api/certification/me/attempts/{id}/"
    for path in (ME, *LISTS, detail):
        operation = raw["paths"][path]["get"]
        assert operation["summary"], path
        assert {"200", "403"} <= set(operation["responses"]), path
        names = {p["name"] for p in operation.get("parameters", [])}
        assert ({"limit", "offset"} <= names) == (path in LISTS), path
    assert "404" in raw["paths"][detail]["get"]["responses"]

    schema = from_dict(raw)
    for path, url in (
        *((p, p) for p in (ME, *LISTS)),
        (detail, f"{ATTEMPTS}{attempt.pk}/"),
        (detail, f"{ATTEMPTS}{attempt.pk + 1000}/"),
    ):
        answer = api.get(url)
        assert answer.status_code in (200, 404)
        assert answer.status_code == 404 or answer.json()
        schema[path]["GET"].validate_response(
            Response(
                status_code=answer.status_code,
                headers={name: [value] for name, value in answer.headers.items()},
                content=answer.content,
                request=requests.Request("GET", f"http://testserver{url}").prepare(),
                elapsed=0.0,
                verify=True,
            )
        )


def _parse(value: str):
    from django.utils.dateparse import parse_datetime

    return parse_datetime(value)
