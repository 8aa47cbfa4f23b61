"""The Content-Security-Policy in a real browser: each role signs in and uses its main pages
(a timed quiz attempt, the scenario editor, a role-play report, the live workbench, the
system status page, the API docs, the admin) while the page records every
`securitypolicyviolation` event and console error. None may occur, and the features that
moved from inline code into script files keep working."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from courses.importing import course_import
from tests.e2e.conftest import opened_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "courses" / "fixtures" / "basic" / "course.yaml"
SCENARIO = ROOT / "tests" / "scenarios" / "fixtures" / "genuine-coat.yaml"

# Runs in every document before its own scripts; the binding survives navigations, so
# nothing a page reports is lost when the next one loads.
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolation({
    page: location.pathname + location.search,
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile + ":" + event.lineNumber,
    sample: event.sample,
  });
});
"""


class Watch:
    """What the browser reported: policy violations and console errors."""

    def __init__(self, page) -> None:
        self.page = page
        self.violations: list[dict] = []
        self.errors: list[str] = []

    def record(self, violation: dict) -> None:
        self.violations.append(violation)

    def settle(self) -> None:
        # Violation events are queued as tasks; give the last page a moment to report.
        self.page.wait_for_timeout(300)

    def assert_records(self) -> None:
        """Zero violations means something only if one would be recorded: a style
        attribute parsed from HTML is one."""
        self.page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')"
        )
        self.settle()
        assert [v["directive"] for v in self.violations] == ["style-src-attr"]
        assert any("style-src" in error for error in self.errors), self.errors
        self.violations.clear()
        self.errors.clear()

    def assert_clean(self) -> None:
        self.settle()
        assert self.violations == []
        assert self.errors == []


@pytest.fixture
def page(browser, live_asgi):
    with opened_page(browser, live_asgi.url) as page:
        yield page


@pytest.fixture
def watch(page) -> Watch:
    watched = Watch(page)
    page.context.expose_function("cspViolation", watched.record)
    page.context.add_init_script(RECORD_VIOLATIONS)

    def console(message) -> None:
        # A failed load is reported below with its address; the console line has none.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            watched.errors.append(f"{page.url}: {message.text}")

    def response(answer) -> None:
        # The browser asks for /favicon.ico on pages that name no icon (the admin's).
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            watched.errors.append(f"HTTP {answer.status} {answer.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda error: watched.errors.append(f"{page.url}: {error}"))
    return watched


@pytest.fixture
def timed_quiz(db):
    quiz = course_import(COURSE).modules.get(slug="basics").quiz
    quiz.time_limit_minutes = 20
    quiz.save()
    return quiz


def _api_docs_render(page) -> None:
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Customer-service training simulator API"
    )
    # An opened operation renders its parameters and highlighted examples.
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()


def _admin_pages(page, changelists: list[str]) -> None:
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    for path in changelists:
        page.goto(path)
        expect(page.locator("#changelist")).to_be_visible()
        first = page.locator("#result_list tbody th a").first
        if first.count():
            first.click()
            expect(page.locator("#content-main form")).to_be_visible()


def test_trainee_pages_work_under_the_policy(page, watch, users, timed_quiz, report):
    page.goto("/login/")
    watch.assert_records()
    sign_in(page, "trainee")

    # The language menu switches on change (a script file now, not onchange=).
    page.get_by_label("语言").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.goto("/courses/test-course/basics/")
    page.get_by_role("button", name="开始测验").click()
    # The quiz clock runs from its script file.
    expect(page.locator("#time-left")).to_have_text(re.compile(r"^(19|20):\d\d$"))
    page.get_by_role("button", name="保存答案").click()
    expect(page.get_by_text("答案已保存。")).to_be_visible()
    # Submit asks first: "Cancel" keeps the paper open, "OK" sends it.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("question").first).to_be_visible()
    expect(page.get_by_test_id("verdict")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("verdict")).to_be_visible()

    page.goto("/shops/")
    expect(page.locator("a.card").first).to_be_visible()
    page.goto("/courses/drills/")
    page.goto("/practice/")
    page.goto(report)
    expect(page.get_by_test_id("total")).to_be_visible()
    expect(page.get_by_test_id("transcript")).to_contain_text("我不知道")

    _api_docs_render(page)
    watch.assert_clean()


def test_trainer_pages_work_under_the_policy(page, watch, report):
    sign_in(page, "trainer")
    page.goto("/scenarios/")
    expect(page.get_by_test_id("scenario-list")).to_contain_text("这件大衣是正品吗？")
    page.get_by_role("link", name="这件大衣是正品吗？").click()

    # Validation as one types, then the dry run: both from the editor's script file.
    editor = page.get_by_label("剧本 YAML")
    text = editor.input_value()
    editor.fill(text.replace("        goto: size\n", "        goto: sizes\n", 1))
    validation = page.get_by_test_id("validation")
    expect(validation).to_contain_text("goto“sizes”：没有这个步骤")
    expect(page.locator("#gutter span.error").first).to_be_visible()
    editor.fill(text)
    expect(validation).to_contain_text("没有错误。")
    expect(page.locator("#gutter span.error")).to_have_count(0)
    reply = page.get_by_label("试运行回复")
    reply.fill("您好，我们是品牌授权店，吊牌上有防伪码可以查询。")
    reply.press("Enter")
    expect(page.get_by_test_id("dry-why").first).to_contain_text("proof_of_genuine")
    expect(page.get_by_test_id("diagram").locator("svg")).to_be_visible()

    page.goto("/practice/review/")
    page.goto(report)
    expect(page.get_by_test_id("correct-form")).to_be_visible()
    page.goto("/courses/authoring/")
    page.goto("/cohorts/")

    _admin_pages(page, ["/admin/courses/quiz/", "/admin/catalog/product/"])
    _api_docs_render(page)
    watch.assert_clean()


def test_hr_and_admin_pages_work_under_the_policy(page, watch, users):
    sign_in(page, "hr")
    page.goto("/cohorts/")
    page.goto("/onboarding/")
    expect(page.locator("input[type=file]")).to_be_visible()
    page.get_by_role("button", name="退出登录").click()

    sign_in(page, "admin")
    page.goto("/diagnostics/")
    expect(page.get_by_test_id("health")).to_be_visible()
    page.get_by_label("倒计时（秒）").fill("0")
    page.get_by_role("button", name="安排探测").click()
    expect(page.locator("table").last.locator("tbody tr")).to_have_count(1)
    page.goto("/scenarios/")
    page.goto("/practice/review/")
    _admin_pages(
        page,
        ["/admin/accounts/user/", "/admin/audit/auditevent/", "/admin/diagnostics/timerprobe/"],
    )
    page.goto("/admin/accounts/user/add/")
    expect(page.locator("#content-main form")).to_be_visible()
    _api_docs_render(page)
    watch.assert_clean()


@pytest.mark.live
def test_the_workbench_socket_connects_under_the_policy(page, watch, scenario, live_worker):
    """connect-src: the workbench's WebSocket (same host) opens and the buyer's first line
    arrives."""
    sign_in(page, "trainee")
    page.goto("/practice/")
    with page.expect_websocket() as socket:
        page.get_by_test_id("practice-scenarios").get_by_role("button", name="开始练习").click()
    assert "/ws/sessions/" in socket.value.url
    expect(page.get_by_test_id("message")).to_have_count(1)
    watch.assert_clean()


def test_certification_pages_work_under_the_policy(page, watch, users, certified, report):
    sign_in(page, "trainee")
    page.goto("/certification/")
    expect(page.get_by_test_id("track")).to_contain_text("客服上岗认证")
    expect(page.get_by_test_id("my-certificates")).to_contain_text(certified.number)
    page.goto(f"/certification/certificates/{certified.pk}/")
    expect(page.get_by_test_id("certificate-number")).to_have_text(certified.number)
    page.goto("/certification/typing/")
    expect(page.locator("button").filter(has_text="开始")).to_be_visible()
    page.get_by_role("button", name="退出登录").click()

    sign_in(page, "trainer")
    page.goto("/certification/tracks/")
    page.get_by_role("link", name="客服上岗认证").first.click()
    expect(page.get_by_test_id("publish-state")).to_be_visible()
    page.goto("/certification/results/")
    expect(page.get_by_test_id("figures")).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(3)
    page.goto("/certification/results/calibration/")
    expect(page.get_by_test_id("calibration")).to_be_visible()
    page.get_by_role("button", name="退出登录").click()

    sign_in(page, "hr")
    page.goto("/certification/results/")
    page.get_by_test_id("trainees").get_by_role("link").first.click()
    expect(page.get_by_test_id("timeline")).to_be_visible()
    page.get_by_test_id("sessions").get_by_role("link").first.click()
    expect(page.get_by_test_id("transcript")).to_be_visible()
    page.goto("/certification/certificates/expiring/")
    page.get_by_role("button", name="退出登录").click()

    page.goto(f"/certification/certificates/verify/{certified.code}/")
    expect(page.get_by_test_id("verify-verdict")).to_be_visible()
    watch.assert_clean()
