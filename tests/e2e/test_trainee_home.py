"""The trainee's home shows progress at a glance: certification standing, modules, practice
scores over time as a chart per dimension, and the rules most often broken. Saves a
screenshot at 1366×768 for people to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.e2e.conftest import sign_in
from tests.roleplay.scored import scored_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_the_home_page_shows_progress_over_practice_chats(page, users, scenario, certified):
    trainee = users[Role.TRAINEE]
    for text in (
        "你好，我不知道",
        "加我微信，私下转账更便宜",
        "亲，您好！这款大衣是正品，支持验货，请放心购买。",
    ):
        scored_session(trainee, scenario, text=text)
    sign_in(page, Role.TRAINEE.value)
    certification = page.get_by_test_id("home-certification")
    expect(certification.get_by_test_id("next-step")).to_contain_text("已获认证：证书编号 CS-")
    trends = page.get_by_test_id("practice-trends")
    expect(trends.locator("svg")).to_have_count(6)  # the total and the five dimensions
    expect(page.get_by_test_id("trend-total").locator("circle.point")).to_have_count(3)
    expect(page.get_by_test_id("trend-response")).to_contain_text("响应")
    # A chart is drawn at a readable size, not squeezed.
    assert page.get_by_test_id("trend-total").bounding_box()["width"] >= 280
    expect(
        page.get_by_test_id("my-weakest-rules").locator("tr[data-rule='off_platform']")
    ).to_be_visible()
    page.get_by_test_id("latest-report").click()
    expect(page.get_by_test_id("dimension-chart")).to_be_visible()
    page.go_back()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=True)
