"""The trainee's certification pages: the policy before each part, starting the exam, the
result per dimension with links to each buyer's exam report."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certification.models import CertificationAttempt
from tests.certification.exams import end_with_reports, typed

pytestmark = pytest.mark.django_db


def test_the_page_shows_each_parts_policy_before_it_is_taken(client, trainee, cert_track):
    client.force_login(trainee)
    html = client.get(reverse("certification:index")).content.decode()
    assert "客服上岗认证" in html
    assert 'data-testid="typing-policy"' in html and "60" in html  # the typing policy
    assert 'data-testid="exam-blocked"' in html  # no typing test yet: said why
    assert 'data-testid="exam-start"' not in html


def test_starting_the_exam_opens_the_workbench_with_drawn_buyers(client, trainee, cert_track):
    typed(trainee)
    client.force_login(trainee)
    response = client.post(reverse("certification:attempt_begin", args=[cert_track.slug]))
    attempt = CertificationAttempt.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("roleplay:exam", args=[attempt.exam_id])
    again = client.post(reverse("certification:attempt_begin", args=[cert_track.slug]), follow=True)
    assert "in progress" in again.content.decode() or "进行中" in again.content.decode()
    assert CertificationAttempt.objects.count() == 1


def test_the_result_page_shows_every_dimension_and_the_exam_reports(
    client, trainee, other_trainee, cert_track
):
    from certification.services.attempts import attempt_decide

    typed(trainee)
    client.force_login(trainee)
    client.post(reverse("certification:attempt_begin", args=[cert_track.slug]))
    attempt = CertificationAttempt.objects.get()
    url = reverse("certification:attempt_result", args=[attempt.pk])
    assert 'data-testid="undecided"' in client.get(url).content.decode()
    end_with_reports(attempt, total=50.0)
    attempt_decide(attempt_id=attempt.pk)
    html = client.get(url).content.decode()
    assert 'data-testid="verdict"' in html
    assert html.count("data-dimension=") == 7
    for session in attempt.exam.sessions.all():
        assert reverse("roleplay:report", args=[session.pk]) in html
    assert 'data-testid="next-attempt"' in html
    client.force_login(other_trainee)
    assert client.get(url).status_code == 404


def test_the_attempts_table_says_passed_in_the_trainees_language(client, trainee, cert_track):
    from certification.services.attempts import attempt_decide, attempt_start

    typed(trainee)
    attempt = attempt_start(trainee=trainee, track=cert_track)
    end_with_reports(attempt, total=95.0)
    assert attempt_decide(attempt_id=attempt.pk).passed
    client.force_login(trainee)
    html = client.get(reverse("certification:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content
    row = html.decode().split(reverse("certification:attempt_result", args=[attempt.pk]))[1]
    assert row.split("</a>")[0].endswith(">通过")  # the result, not the column's name
