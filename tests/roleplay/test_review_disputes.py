"""Answering a dispute without changing the score, and where a cohort is weakest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.selectors import audit_events_for
from roleplay.models import Dispute, RuleBreach
from roleplay.services.reviews import dispute_answer, dispute_create
from tests.factories import CohortFactory
from tests.roleplay.scored import scored_session
from tests.roleplay.test_review_queue import NOON_UTC, scored


@pytest.fixture
def disputed(published, trainee, scheduled, cohort):
    report = scored_session(trainee, published[0])
    dispute = dispute_create(trainee=trainee, report=report, comment="我第一句就问候了")
    return report, dispute


@pytest.mark.django_db
def test_a_trainer_answers_a_dispute_and_the_trainee_reads_it_with_the_score_unchanged(
    client, trainer, trainee, disputed
):
    report, dispute = disputed
    total = report.final_total
    url = f"/practice/sessions/{report.session_id}/report/"
    client.force_login(trainer)
    page = client.get(url).content.decode()
    assert 'data-testid="answer-form"' in page and "我第一句就问候了" in page
    response = client.post(
        url,
        {"action": "answer", "dispute": str(dispute.pk), "answer": "  问候不含称呼，维持原分  "},
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    report.refresh_from_db()
    assert dispute.status == Dispute.Status.ANSWERED and dispute.answer == "问候不含称呼，维持原分"
    assert dispute.answered_by == trainer
    assert report.final_total == total and report.corrected_total is None
    event = audit_events_for(report).get(action="dispute.answer")
    assert event.actor == trainer and event.reason == "问候不含称呼，维持原分"
    assert event.before["status"] == "open" and event.after["status"] == "answered"
    assert event.after["total"] == str(total)
    assert 'data-testid="answer-form"' not in client.get(url).content.decode()
    client.force_login(trainee)
    page = client.get(url).content.decode()
    assert 'data-testid="dispute-answer"' in page and "问候不含称呼，维持原分" in page
    assert f'data-testid="total">{total}<' in page


@pytest.mark.django_db
def test_a_dispute_answer_is_refused_when_it_should_be(
    client, trainer, trainee, other_trainee, disputed, published
):
    report, dispute = disputed
    url = f"/practice/sessions/{report.session_id}/report/"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(trainee)  # the trainee cannot answer their own dispute
    client.post(url, {"action": "answer", "dispute": str(dispute.pk), "answer": "我同意"})
    assert "Only trainers answer disputes." in client.get(url).content.decode()
    client.force_login(trainer)
    client.post(url, {"action": "answer", "dispute": str(dispute.pk), "answer": "   "})
    assert "Write an answer (at most 2000 characters)." in client.get(url).content.decode()
    elsewhere = scored_session(other_trainee, published[0])
    foreign = dispute_create(trainee=other_trainee, report=elsewhere, comment="别人的申诉")
    for wrong in (str(foreign.pk), "x", ""):
        client.post(url, {"action": "answer", "dispute": wrong, "answer": "答复"})
        assert "This dispute is not on this report." in client.get(url).content.decode()
    assert set(Dispute.objects.values_list("status", flat=True)) == {"open"}
    assert not audit_events_for(report).filter(action="dispute.answer").exists()
    with pytest.raises(ValidationError):
        dispute_answer(actor=trainer, dispute=dispute, answer="长" * 2001)
    with pytest.raises(PermissionDenied):
        dispute_answer(actor=trainee, dispute=dispute, answer="好")


@pytest.fixture
def weak_world(published, trainee, other_trainee, trainer, cohort):
    """In the cohort: the first scenario at 40 and 50, the second at 80 (corrected down
    to 70); three breaches of one rule, one of another. Outside: a low score and many
    breaches that must not count."""
    first, second = (scenario.versions.get() for scenario in published)
    low = scored(trainee, first, started_at=NOON_UTC, total="40.0")
    mid = scored(trainee, first, started_at=NOON_UTC + timedelta(hours=1), total="50.0")
    high = scored(trainee, second, started_at=NOON_UTC + timedelta(hours=2), total="80.0")
    high.corrected_total = 70
    high.save()
    for report, rule, replies in (
        (low, "negative_language", 2),
        (mid, "negative_language", 1),
        (high, "negative_language", 1),
        (low, "missing_greeting", 1),
    ):
        RuleBreach.objects.create(
            report=report,
            trainee=trainee,
            session_started_at=NOON_UTC,
            rule=rule,
            replies=replies,
            example="不知道",
        )
    outsiders = CohortFactory(name="外部批次", code="outside")
    outsiders.trainees.add(other_trainee)
    for _n in range(3):
        outside = scored(other_trainee, second, started_at=NOON_UTC, total="5.0")
        RuleBreach.objects.create(
            report=outside,
            trainee=other_trainee,
            session_started_at=NOON_UTC,
            rule="missing_greeting",
            replies=5,
            example="x",
        )
    return published


@pytest.mark.django_db
def test_the_cohort_page_leads_to_weakest_rules_and_scenarios(
    client, trainer, hr, other_trainer, trainee, cohort, weak_world
):
    client.force_login(trainer)
    detail = client.get(reverse("accounts:cohort_detail", args=[cohort.pk])).content.decode()
    assert f'href="/practice/review/?trainee={trainee.pk}"' in detail
    weakest_url = f"/practice/cohorts/{cohort.pk}/weakest/"
    assert f'href="{weakest_url}"' in detail
    html = client.get(weakest_url).content.decode()
    rules = html[html.index('data-testid="weakest-rules"') :]
    assert rules.index('data-rule="negative_language"') < rules.index(
        'data-rule="missing_greeting"'
    )
    assert "消极或推诿用语</td><td>3</td><td>4</td><td>1</td>" in rules
    assert "</td><td>1</td><td>1</td><td>1</td>" in rules  # not the outsiders' breaches
    scenarios = html[html.index('data-testid="weakest-scenarios"') :]
    first, second = weak_world
    assert scenarios.index(f'data-scenario="{first.pk}"') < scenarios.index(
        f'data-scenario="{second.pk}"'
    )
    assert "<td>2</td><td>45.0</td>" in scenarios and "<td>1</td><td>70.0</td>" in scenarios
    # HR sees the counts too but reviews no reports; another cohort's trainer sees nothing.
    client.force_login(hr)
    assert client.get(weakest_url).status_code == 200
    detail = client.get(reverse("accounts:cohort_detail", args=[cohort.pk])).content.decode()
    assert 'data-testid="cohort-weakest"' in detail
    assert 'data-testid="trainee-reports"' not in detail
    client.force_login(other_trainer)
    assert client.get(weakest_url).status_code == 404
