"""A trainee earns the shipped certification (客服上岗认证) in a real browser, end to end: reads
the grading policy, passes the quiz of every required module of the shipped course, passes
the typing test typing as a Chinese input method does, sits the exam with the two buyers the
server draws from the shipped scenarios, sees the decision (taken by the Celery worker)
dimension by dimension, and downloads the certificate PDF and the signed credential."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.roles import Role
from certification.models import Certificate, CertificationAttempt, TypingTest
from certification.signing import jwt_verify
from certification.track_spec import TrackSpec
from courses.models import Module
from roleplay.models import Session
from tests.e2e.certification_steps import (
    answer_buyers,
    ime_type,
    ime_units,
    pass_quiz,
    read_lessons,
    shipped_content_load,
)
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.live, pytest.mark.django_db(transaction=True)]

NAME = "王小丫"
# A quick pinyin typist's pace: five times the track's mark, and below what the typing test
# accepts as a person's sustained speed (certification.services.typing.MAX_SUSTAINED_CPM).
TYPING_CPM = 240


@pytest.fixture
def shipped_track(live_worker):
    """The shipped content as ``seed_demo`` loads it (a trainer publishes the scenarios)."""
    author = UserFactory(username="teacher_li", display_name="李老师", role=Role.TRAINER)
    return shipped_content_load(author)


def _download(page, locator) -> tuple[str, bytes]:
    with page.expect_download() as download:
        locator.click()
    return download.value.suggested_filename, Path(download.value.path()).read_bytes()


def _chars(text: str) -> int:
    return len("".join(text.split()))


def test_a_trainee_earns_the_shipped_certificate(page, shipped_track):
    trainee = UserFactory(username="xiaoya", display_name=NAME, role=Role.TRAINEE)
    spec = TrackSpec.from_data(shipped_track.published_version.data)
    sign_in(page, "xiaoya")

    # The track and how it is graded, before anything is done.
    menu = page.get_by_role("navigation", name="主导航")
    menu.get_by_role("link", name="认证", exact=True).click()
    track = page.locator(f'[data-testid="track"][data-track="{shipped_track.slug}"]')
    expect(track.get_by_role("heading", level=2)).to_contain_text("客服上岗认证")
    expect(track.get_by_test_id("modules").locator("li")).to_have_count(len(spec.modules))
    expect(track.get_by_test_id("typing-policy")).to_contain_text(f"{spec.typing.min_cpm}")
    expect(track.get_by_test_id("typing-policy")).to_contain_text("95%")
    policy = track.get_by_test_id("exam-policy")
    marks = spec.marks
    expect(policy).to_contain_text(f"{spec.exam.buyers}")
    expect(policy).to_contain_text(f"{spec.exam.minutes}")
    for mark in (marks.compliance, marks.first_response_median_s, marks.first_response_max_s):
        expect(policy).to_contain_text(f"{mark:g}")
    expect(policy.locator("li")).to_have_count(4)
    expect(track.get_by_test_id("exam-blocked")).to_have_text("请先通过所有必修模块的测验。")
    expect(track.get_by_test_id("exam-start")).to_have_count(0)

    # Every required module: its lessons read, its quiz passed, in the track's order (which
    # is the order the prerequisites unlock them).
    for ref in spec.modules:
        course_slug, _sep, module_slug = ref.partition("/")
        module = Module.objects.select_related("course", "quiz").get(
            course__slug=course_slug, slug=module_slug
        )
        read_lessons(page, module)
        pass_quiz(page, module)
    page.goto("/certification/")
    expect(track.get_by_test_id("modules").locator("li.ok")).to_have_count(len(spec.modules))
    expect(track.get_by_test_id("exam-blocked")).to_have_text("请先通过打字测试。")

    # The typing test, typed word by word through the IME path at a quick typist's pace;
    # the page hands the run in by itself when the passage is typed.
    menu.get_by_role("link", name="打字测试", exact=True).click()
    expect(page.get_by_test_id("typing-policy")).to_contain_text(f"{spec.typing.min_cpm}")
    page.get_by_test_id("typing-start").click()
    expect(page.get_by_test_id("typing-run")).to_be_visible()
    reference = "".join(page.get_by_test_id("typing-reference").text_content().split())
    expect(page.locator("#typing-input")).to_be_focused()
    ime_type(page.context.new_cdp_session(page), reference, cpm=TYPING_CPM)
    expect(page.get_by_test_id("typing-result")).to_be_visible()
    expect(page.get_by_test_id("typing-verdict")).to_have_class(re.compile(r"\bok\b"))
    run = TypingTest.objects.get(trainee=trainee)
    assert run.flags == [] and run.plausible, run.flags  # typed, at a person's pace
    assert run.typed == reference and run.accuracy == 1 and run.result["completion"] == 1
    assert spec.typing.min_cpm <= run.cpm <= TYPING_CPM * 1.05
    commits = [e["data"] for e in run.events if e["type"] == "insertCompositionText"]
    assert commits == [unit for unit, composed in ime_units(reference) if composed]

    # The exam: the server draws the buyers; the trainee answers both in the workbench.
    page.goto("/certification/")
    expect(track.get_by_test_id("typing-passed")).to_be_visible()
    track.get_by_test_id("exam-start").click()
    expect(page.get_by_test_id("conversation")).to_have_count(spec.exam.buyers)
    minutes = spec.exam.minutes
    expect(page.get_by_test_id("time-left")).to_have_text(
        re.compile(rf"^({minutes - 1}|{minutes}):\d\d$")
    )
    attempt = CertificationAttempt.objects.get(trainee=trainee)
    sessions = list(
        Session.objects.filter(exam_id=attempt.exam_id)
        .select_related("scenario_version__scenario")
        .order_by("pk")
    )
    drawn = [s.scenario_version.scenario.slug for s in sessions]
    assert sorted(drawn) == sorted(attempt.drawn) and set(drawn) <= set(spec.exam.pool)
    answer_buyers(page, page.context.new_cdp_session(page), sessions)
    expect(page.get_by_test_id("hints")).to_be_empty()  # no hints in an exam
    for session in sessions:
        session.refresh_from_db()
        assert session.outcome == "成交", (session.scenario_version, session.outcome)
        for message in session.messages.filter(role="agent"):
            # Typed, not pasted: every character counts as the trainee's typing (the speed
            # is flagged, see answer_buyers; the flag counts in no score).
            assert message.telemetry["typed_chars"] == _chars(message.text), message.text
            assert message.telemetry["pasted_chars"] == 0
            assert "text_without_events" not in message.telemetry["flags"]

    # The decision, taken by the worker once both conversations are scored; the result
    # page reloads itself until then.
    page.goto("/certification/")
    track.get_by_test_id("attempts").get_by_role("link").first.click()
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_text(re.compile(r"^\s*通过"), timeout=60000)
    expect(verdict).to_have_class(re.compile(r"\bok\b"))
    attempt.refresh_from_db()
    assert attempt.passed is True
    dimensions = attempt.results["dimensions"]
    rows = page.get_by_test_id("dimensions").locator("tbody tr")
    expect(rows).to_have_count(len(dimensions))
    for dimension in dimensions:
        row = page.locator(f'tr[data-dimension="{dimension["name"]}"]')
        op = "≥" if dimension["op"] == ">=" else "≤"
        mark = re.compile(rf"^{op} {dimension['mark']:g}(?!\d)")  # "≥ 95%", "≤ 6 秒"
        expect(row.locator("td").nth(2)).to_have_text(mark)
        expect(row.locator("td").nth(3)).to_have_text("达标")
    first_responses = page.locator('tr[data-dimension="first_response_max_s"] td').nth(1)
    measured = float(first_responses.text_content().split()[0])
    assert measured <= marks.first_response_max_s
    expect(page.get_by_test_id("exam-reports").get_by_role("link")).to_have_count(len(sessions))

    # The certificate: its page, the PDF with the trainee's name, the signed credential.
    page.get_by_test_id("certificate-link").click()
    certificate = Certificate.objects.get(holder=trainee)
    expect(page.get_by_test_id("certificate-holder")).to_have_text(NAME)
    expect(page.get_by_test_id("certificate-number")).to_have_text(certificate.number)
    expect(page.get_by_test_id("certificate-status")).to_have_attribute("data-status", "valid")
    name, pdf = _download(page, page.get_by_test_id("pdf-link"))
    assert name == f"{certificate.number}.pdf" and pdf.startswith(b"%PDF-")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert NAME in text and "客服上岗认证" in text and certificate.number in text

    verification = page.get_by_test_id("verification-link").text_content()
    name, token = _download(page, page.get_by_role("link", name="签名电子凭证（VC-JWT）"))
    assert name == f"{certificate.number}.jwt"
    # Checked with the key the server publishes, as anyone holding the file would.
    jwks = page.request.get("/.well-known/jwks.json").json()
    claims = jwt_verify(token.decode("ascii").strip(), jwks=jwks)
    assert claims["jti"] == claims["id"] == verification
    assert claims["name"] == "客服上岗认证"
    assert claims["credentialSubject"]["identifier"][0]["identityHash"] == NAME
    name, document = _download(page, page.get_by_role("link", name="电子凭证（JSON）"))
    credential = json.loads(document)
    assert {key: claims[key] for key in credential} == credential
