"""A trainer breaks a scenario, sees the error at its line, fixes it, dry-runs two replies
and publishes; a trainee's new session then pins that version."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from catalog.services import catalog_import
from roleplay.models import Session
from scenarios.services import scenario_create, scenario_publish
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "scenarios" / "fixtures" / "genuine-coat.yaml"


def test_trainer_edits_dry_runs_and_publishes_then_a_session_pins_it(page):
    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    trainer = UserFactory(username="teacher_li", role=Role.TRAINER)
    UserFactory(username="xiaoya", role=Role.TRAINEE)
    text = FIXTURE.read_text(encoding="utf-8")
    scenario = scenario_create(actor=trainer, yaml_text=text)
    scenario_publish(actor=trainer, scenario=scenario)  # version 1

    sign_in(page, "teacher_li")
    page.get_by_role("link", name="剧本管理").click()
    page.get_by_role("link", name="这件大衣是正品吗？").click()
    editor = page.get_by_label("剧本 YAML")
    expect(editor).to_have_value(text)

    broken = text.replace("        goto: size\n", "        goto: sizes\n", 1)
    line = broken.splitlines().index("        goto: sizes") + 1
    editor.fill(broken)
    validation = page.get_by_test_id("validation")
    expect(validation).to_contain_text(f"第 {line} 行")
    expect(validation).to_contain_text("goto“sizes”：没有这个步骤")
    expect(page.locator("#gutter span.error").first).to_have_text(str(line))

    fixed = text.replace("好，那我拍了。", "好的，我这就下单。")
    editor.fill(fixed)
    expect(validation).to_contain_text("没有错误。")
    expect(page.locator("#gutter span.error")).to_have_count(0)

    reply = page.get_by_label("试运行回复")
    reply.fill("您好，我们是品牌授权店，吊牌上有防伪码可以查询。")
    reply.press("Enter")
    expect(page.get_by_test_id("dry-why").first).to_contain_text("proof_of_genuine")
    reply.fill("你穿M码肯定合适！！")
    reply.press("Enter")
    expect(page.get_by_test_id("dry-why")).to_have_count(2)
    expect(page.get_by_test_id("dry-hit").first).to_be_visible()
    expect(page.get_by_test_id("dry-summary")).to_contain_text("ask → size")

    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存。")).to_be_visible()
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_test_id("publish-state")).to_contain_text("已发布：第 2 版")

    page.get_by_role("button", name="退出登录").click()
    sign_in(page, "xiaoya")
    page.goto("/practice/")
    page.get_by_test_id("practice-scenarios").get_by_role("button", name="开始练习").click()
    expect(page.get_by_test_id("pinned-version")).to_contain_text("剧本版本 2")
    session = Session.objects.get()
    assert session.scenario_version.number == 2
    assert "好的，我这就下单。" in session.scenario_version.yaml


def test_a_trainer_sees_a_typo_and_a_bad_indentation_in_chinese_at_their_line_and_column(page):
    """What the validator says while a trainer types: one message per slip, in Chinese,
    with its line and column, and a marker in the gutter at that line."""
    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    trainer = UserFactory(username="teacher_wang", role=Role.TRAINER)
    text = FIXTURE.read_text(encoding="utf-8")
    scenario_create(actor=trainer, yaml_text=text)

    sign_in(page, "teacher_wang")
    page.goto("/scenarios/genuine-coat/")
    editor = page.get_by_label("剧本 YAML")
    validation = page.get_by_test_id("validation")
    problems = validation.locator("li")

    typo = text.replace("  nudge_after_s: 30", "  nudge_afer_s: 30", 1)
    line = typo.splitlines().index(next(r for r in typo.splitlines() if "nudge_afer_s" in r)) + 1
    editor.fill(typo)
    expect(problems).to_have_count(1)
    expect(problems.first).to_have_text(
        f"第 {line} 行，第 3 列: persona.nudge_afer_s 未知字段 nudge_afer_s，是不是 nudge_after_s？"
    )
    expect(page.locator("#gutter span.error")).to_have_text(str(line))

    indented = text.replace("  gender: female", "   gender: female", 1)
    line = indented.splitlines().index(next(r for r in indented.splitlines() if "gender" in r)) + 1
    editor.fill(indented)
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text(f"第 {line} 行，第 4 列")
    expect(problems.first).to_contain_text(f"第 {line} 行缩进不对：同一层的字段要左边对齐")

    # Clicking the problem selects the place in the text.
    problems.first.click()
    selected = editor.evaluate("e => e.value.slice(e.selectionStart, e.selectionStart + 6)")
    assert selected == "gender"
