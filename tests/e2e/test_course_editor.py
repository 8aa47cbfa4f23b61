"""A trainer edits a course module in the browser: the text is checked as they type (an error
named in Chinese with its line and column), the lessons and quiz are previewed, and
publishing changes what trainees read."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from courses.importing import course_import
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
FIXTURE = Path(__file__).resolve().parents[1] / "courses" / "fixtures" / "basic" / "course.yaml"


def test_a_trainer_edits_a_module_in_the_browser_and_publishes_it(page, browser, users):
    course = course_import(FIXTURE)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, Role.TRAINER.value)
    page.goto("/courses/authoring/")
    page.get_by_role("row").filter(has_text="进阶").get_by_test_id("edit-module").click()
    editor = page.get_by_label("模块 YAML")
    preview = page.get_by_test_id("module-preview")
    expect(preview.get_by_test_id("preview-lesson")).to_have_count(1)
    expect(preview.get_by_test_id("preview-question")).to_contain_text("爱买不买")
    # A misspelt field: one message, in Chinese, at its line and column.
    text = editor.input_value()
    editor.fill(text.replace("title: 进阶\n", "title: 进阶\ntitel: 多余\n", 1))
    problem = page.get_by_test_id("module-error")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("第 3 行，第 1 列")
    expect(problem).to_contain_text("titel")
    expect(page.locator("#module-gutter span.error")).to_have_text("3")
    # Fixed, with a lesson retitled: the preview follows, and publishing takes it live.
    editor.fill(text.replace("title: 议价\n", "title: 议价的分寸\n", 1))
    expect(page.get_by_test_id("validation")).to_contain_text("没有错误。")
    expect(preview.get_by_test_id("preview-lesson")).to_contain_text("议价的分寸")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "course-editor.png"))
    page.get_by_test_id("module-publish").click()
    expect(page.locator(".messages")).to_contain_text("模块已发布")
    assert errors == []
    assert course.modules.get(slug="advanced").lessons.get(slug="bargaining").title == "议价的分寸"
