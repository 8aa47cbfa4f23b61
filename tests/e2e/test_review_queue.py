"""A trainer's review round in a real browser: filter the queue by trainee and mode, page
through it with the filters kept, open a report, answer the trainee's dispute without
changing the total; the trainee then reads the answer on their report."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from roleplay.models import Report
from roleplay.selectors import REVIEW_PAGE_SIZE
from roleplay.services.reviews import dispute_create
from tests.e2e.conftest import opened_page, sign_in
from tests.factories import UserFactory
from tests.roleplay.test_review_queue import scored

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_trainer_filters_pages_and_answers_a_dispute(browser, live_asgi, users, scenario, report):
    trainee, trainer = users[Role.TRAINEE], users[Role.TRAINER]
    real = Report.objects.get(session__trainee=trainee)
    dispute_create(trainee=trainee, report=real, comment="我先问候了，总分偏低")
    # Older practice reports of the same trainee fill more than a page; an exam of theirs
    # and a classmate's practice must be filtered out.
    version = real.session.scenario_version
    earlier = timezone.now() - timedelta(days=1)
    for n in range(REVIEW_PAGE_SIZE + 1):
        scored(trainee, version, started_at=earlier - timedelta(hours=n), total="70.0")
    scored(trainee, version, started_at=earlier, mode="exam", total="88.0")
    classmate = UserFactory(username="classmate", display_name="同班同学", role=Role.TRAINEE)
    trainer.trained_cohorts.get().trainees.add(classmate)
    scored(classmate, version, started_at=earlier, total="90.0")
    total = str(real.final_total)

    with opened_page(browser, live_asgi.url) as page:
        sign_in(page, "trainer")
        page.goto("/practice/review/")
        rows = page.get_by_test_id("review-row")
        expect(rows).to_have_count(REVIEW_PAGE_SIZE)
        page.get_by_label("学员").select_option(str(trainee.pk))
        page.get_by_label("模式").select_option("practice")
        page.get_by_role("button", name="查看").click()
        expect(page).to_have_url(re.compile(rf"trainee={trainee.pk}.*mode=practice"))
        expect(rows).to_have_count(REVIEW_PAGE_SIZE)
        expect(page.get_by_test_id("row-mode").filter(has_text="考试")).to_have_count(0)
        expect(page.get_by_test_id("row-trainee").filter(has_text="同班同学")).to_have_count(0)

        # The second page keeps the filters: the two oldest practice reports.
        page.get_by_test_id("review-pages").get_by_role("link", name="下一页").click()
        expect(page).to_have_url(re.compile(rf"trainee={trainee.pk}&mode=practice&page=2"))
        expect(rows).to_have_count(2)
        expect(page.get_by_test_id("row-total").first).to_have_text("70.0")
        expect(page.get_by_label("学员")).to_have_value(str(trainee.pk))
        page.get_by_test_id("review-pages").get_by_role("link", name="1", exact=True).click()

        # Newest first: the disputed report, marked, opens from its row.
        first = rows.first
        expect(first.get_by_test_id("open-dispute")).to_contain_text("我先问候了")
        first.get_by_role("link").click()
        expect(page.get_by_test_id("total")).to_have_text(total)
        form = page.get_by_test_id("answer-form")
        expect(form).to_contain_text("我先问候了，总分偏低")
        form.locator("textarea[name=answer]").fill("问候缺少称呼，维持原分。")
        form.get_by_role("button").click()
        expect(page.get_by_test_id("answer-form")).to_have_count(0)
        expect(page.get_by_test_id("total")).to_have_text(total)

        # Answered disputes are no longer open in the queue.
        page.goto(f"/practice/review/?trainee={trainee.pk}&open=1")
        expect(page.get_by_test_id("review-row")).to_have_count(0)

    with opened_page(browser, live_asgi.url) as page:
        sign_in(page, "trainee")
        page.goto(report)
        expect(page.get_by_test_id("dispute-answer")).to_contain_text("问候缺少称呼，维持原分。")
        expect(page.get_by_test_id("total")).to_have_text(total)
