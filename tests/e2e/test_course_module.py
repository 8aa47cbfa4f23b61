"""A trainee goes through a module in the browser: reads the lessons, takes the quiz,
sees the explanations, and the next module unlocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from courses.importing import course_import
from courses.models import Question
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIXTURE = Path(__file__).resolve().parents[1] / "courses" / "fixtures" / "basic" / "course.yaml"


def _answer(page, question: Question) -> None:
    box = page.get_by_test_id("question").filter(has_text=question.prompt)
    choices = sorted(question.choices.all(), key=lambda c: c.position)
    if question.type in ("single", "multiple"):
        for choice in choices:
            if choice.correct:
                box.get_by_label(choice.text, exact=True).check()
    elif question.type == "true_false":
        box.get_by_label("正确" if question.answer_true else "错误", exact=True).check()
    elif question.type == "ordering":
        for rank, choice in enumerate(choices, start=1):
            box.get_by_label(choice.text, exact=True).select_option(str(rank))
    else:
        box.get_by_label("您的答案").fill(question.accepted[0])


def _login(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或工号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_trainee_completes_a_module_and_unlocks_the_next(page):
    course_import(FIXTURE)
    UserFactory(username="xiaoya", display_name="王小丫", role=Role.TRAINEE)
    _login(page, "xiaoya")

    # The home page says what to do next: the first lesson.
    page.get_by_role("link", name="阅读“首次响应”（客服基础）").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("首次响应")
    expect(page.locator("article strong")).to_have_text("6 秒")
    page.get_by_role("button", name="读完了，下一课").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("用语规范")
    page.get_by_role("button", name="读完了，返回模块").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("客服基础")
    expect(page.get_by_test_id("lessons")).to_contain_text("已读")
    page.get_by_role("button", name="开始测验").click()

    expect(page.get_by_test_id("question")).to_have_count(5)
    for question in Question.objects.filter(quiz__module__slug="basics"):
        _answer(page, question)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交").click()

    expect(page.get_by_test_id("verdict")).to_have_text("通过")
    expect(page.get_by_test_id("result")).to_contain_text("得分 5 / 5（100%）")
    expect(page.get_by_test_id("review-question")).to_have_count(5)
    expect(page.get_by_text("买家等待超过 6 秒就容易流失。")).to_be_visible()
    expect(page.get_by_test_id("module-complete")).to_be_visible()

    page.get_by_role("link", name="查看已解锁的后续内容").click()
    progress = page.get_by_test_id("module-progress")
    expect(progress.get_by_role("link", name="进阶")).to_be_visible()  # unlocked: a link now
    expect(progress).not_to_contain_text("未解锁")
    page.get_by_role("link", name="阅读“议价”（进阶）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("议价")
