"""Each demo role signs in through the real login page and lands on its own home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_USERS, demo_accounts_ensure

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOME_HEADINGS = {
    "trainee": ("欢迎您，王小丫", "王小丫 · 学员"),
    "trainer": ("培训师工作台", "李老师 · 培训师"),
    "hr": ("人事工作台", "赵人事 · 人事"),
    "admin": ("系统管理", "系统管理员 · 管理员"),
}


@pytest.mark.parametrize("spec", DEMO_USERS, ids=[spec["username"] for spec in DEMO_USERS])
def test_demo_role_logs_in_and_sees_its_home(page, spec):
    demo_accounts_ensure()
    page.goto("/")
    expect(page).to_have_url("/login/?next=/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名或工号").fill(spec["username"])
    page.get_by_label("密码").fill(spec["password"])
    page.get_by_role("button", name="登录").click()
    heading, who = HOME_HEADINGS[spec["username"]]
    expect(page.get_by_test_id("home-heading")).to_have_text(heading)
    expect(page.get_by_test_id("current-user")).to_have_text(who)
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()


def test_wrong_password_shows_a_chinese_error(page):
    demo_accounts_ensure()
    page.goto("/login/")
    page.get_by_label("用户名或工号").fill("trainee")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("请输入一个正确的")


def test_switching_to_english(page):
    page.goto("/login/")
    page.get_by_label("语言").select_option("en")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
