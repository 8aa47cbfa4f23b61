"""Accessibility in a real browser: axe-core (shipped inside axe-playwright-python, nothing is
downloaded) checks the main page of each role, with the content a user would see there: the
trainee's home, a course and one of its modules, a scored role-play report, the live
workbench with a chat open; the trainer's home, the scenario editor and the report with its
correction form; HR's home. No page may have a violation of serious or critical impact."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.roles import Role
from courses.importing import course_import
from scenarios.services import scenario_create, scenario_publish
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "courses" / "fixtures" / "basic" / "course.yaml"
SCENARIO = ROOT / "tests" / "scenarios" / "fixtures" / "genuine-coat.yaml"

# The impacts that fail the check. Minor and moderate findings (best practices such as
# "every piece of content in a landmark") are left to review, not to this gate.
FAILING_IMPACTS = {"serious", "critical"}

AXE = Axe()


def serious_violations(page) -> list[dict]:
    """axe-core's violations of serious or critical impact on the page as it stands."""
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    return [v for v in results.response["violations"] if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            # axe's own words for the node, e.g. the contrast ratio and the two colours.
            why = "; ".join(check["message"] for check in node["any"] + node["all"] + node["none"])
            lines.append(f"    {target}: {why}")
    return "\n".join(lines)


class Pages:
    """Checks each page a test visits and fails once at the end, naming every page's
    violations, so one run shows all there is to fix."""

    def __init__(self, page) -> None:
        self.page = page
        self.failures: list[str] = []

    def check(self, what: str) -> None:
        found = serious_violations(self.page)
        if found:
            self.failures.append(f"{what} ({self.page.url}):\n{describe(found)}")

    def assert_accessible(self) -> None:
        assert self.failures == [], "\n\n".join(self.failures)


@pytest.fixture
def pages(page) -> Pages:
    return Pages(page)


@pytest.fixture
def course(db):
    return course_import(COURSE)


def test_the_check_finds_what_it_is_for(page, users):
    """Zero violations means something only if a violation would be found: an unnamed
    text box and a button without a name are two critical ones."""
    sign_in(page, "trainee")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<input type="text" id="unnamed"><button id="nameless"></button>\')'
    )
    found = {v["id"]: v for v in serious_violations(page)}
    assert {"label", "button-name"} <= set(found), describe(list(found.values()))
    # The failure message names the rule, its impact, the element and the help text.
    message = describe([found["label"]])
    assert message.startswith("label (critical): Form elements must have labels\n")
    assert "    #unnamed: " in message


def test_trainee_pages(page, pages, users, course, report):
    sign_in(page, "trainee")
    pages.check("trainee home")
    page.get_by_label("语言").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    pages.check("trainee home in English")
    page.get_by_label("Language").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.goto("/courses/")
    expect(page.get_by_role("link", name="客服基础").first).to_be_visible()
    pages.check("courses")
    page.goto("/courses/test-course/basics/")
    expect(page.get_by_role("heading", level=1)).to_have_text("客服基础")
    pages.check("course module")

    page.goto(report)
    expect(page.get_by_test_id("total")).to_be_visible()
    pages.check("role-play report")
    pages.assert_accessible()


def test_trainer_pages(page, pages, users, report, course):
    sign_in(page, "trainer")
    pages.check("trainer home")
    page.goto("/courses/authoring/test-course/basics/")
    expect(page.get_by_test_id("preview-lesson").first).to_be_visible()
    pages.check("course module editor")
    page.goto("/scenarios/")
    page.get_by_role("link", name="这件大衣是正品吗？").click()
    validation = page.get_by_test_id("validation")
    expect(validation).to_contain_text("没有错误。")
    expect(page.get_by_test_id("diagram").locator("svg")).to_be_visible()
    pages.check("scenario editor")

    page.goto(report)
    expect(page.get_by_test_id("correct-form")).to_be_visible()
    pages.check("role-play report, trainer's view")
    pages.assert_accessible()


def test_hr_home(page, pages, users):
    sign_in(page, "hr")
    expect(page.get_by_test_id("home-heading")).to_be_visible()
    pages.check("HR home")
    pages.assert_accessible()


@pytest.mark.live
def test_workbench_with_a_live_chat(page, pages, users, scenario, live_worker):
    sign_in(page, "trainee")
    page.goto("/practice/")
    pages.check("practice")
    page.get_by_test_id("practice-scenarios").get_by_role("button", name="开始练习").click()
    box = page.get_by_label("回复买家")
    expect(box).to_be_enabled()
    expect(page.get_by_test_id("message")).to_have_count(1)
    box.click()
    page.keyboard.type("您好，欢迎光临！我们是品牌授权店，吊牌上有防伪码可以查询。", delay=5)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("hints")).to_contain_text("没有违反规则")
    expect(page.get_by_test_id("message")).to_have_count(3, timeout=15000)
    # The chat is a log named after the buyer: a screen reader reads her new lines out.
    log = page.get_by_role("log", name=page.locator("#chat-title").inner_text())
    expect(log).to_contain_text("那我 160 斤穿什么码")
    pages.check("workbench with a live chat")
    pages.assert_accessible()


@pytest.mark.live
def test_exam_conversations_switch_from_the_keyboard(page, pages, users, scenario, live_worker):
    second = scenario_create(
        actor=users[Role.TRAINER],
        yaml_text=SCENARIO.read_text("utf-8")
        .replace("slug: genuine-coat", "slug: genuine-coat-b", 1)
        .replace("title: 这件大衣是正品吗？", "title: 正品咨询 b", 1),
    )
    scenario_publish(actor=users[Role.TRAINER], scenario=second)
    sign_in(page, "trainee")
    page.goto("/practice/")
    form = page.get_by_test_id("exam-form")
    form.get_by_label("这件大衣是正品吗？", exact=True).check()
    form.get_by_label("正品咨询 b", exact=True).check()
    form.get_by_role("button", name="开始考试").click()
    picks = page.get_by_test_id("conversation").get_by_role("button")
    expect(picks).to_have_count(2)
    expect(picks.nth(0)).to_have_attribute("aria-current", "true")
    expect(page.get_by_test_id("message")).to_have_count(1)
    pages.check("exam workbench")

    picks.nth(0).focus()
    page.keyboard.press("Tab")
    # The list is redrawn twice a second; the focus stays on the conversation it was on.
    page.wait_for_timeout(1200)
    expect(picks.nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    expect(picks.nth(1)).to_have_attribute("aria-current", "true")
    expect(picks.nth(0)).not_to_have_attribute("aria-current", "true")
    pages.check("exam workbench, second conversation")
    pages.assert_accessible()
