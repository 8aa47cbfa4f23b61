"""Real-browser tests: Playwright drives Debian's chromium against the live ASGI server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from accounts.roles import Role
from catalog.services import catalog_import
from scenarios.services import scenario_create, scenario_publish
from tests.factories import CohortFactory, UserFactory
from tests.roleplay.scored import scored_session

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "scenarios" / "fixtures" / "genuine-coat.yaml"


# Module scope: Playwright's sync API keeps an event loop running in this thread while the
# browser is open; closing it after each browser module keeps that loop out of other tests.
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test process only uses
    # the ORM to prepare data while the server runs in its own process. Child processes
    # never inherit this (tests/live_processes.py removes it).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        context_browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield context_browser
        context_browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@contextmanager
def opened_page(browser, base_url: str) -> Iterator:
    """A page in a fresh browser context on ``base_url`` (Chinese, a laptop's screen)."""
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", viewport={"width": 1366, "height": 768}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        yield page
    finally:
        context.close()


def sign_in(page, username: str) -> None:
    """Sign in on the sign-in page as the demo-style users of the tests (password PASSWORD)."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    page.goto("/login/")
    page.get_by_label("用户名或工号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("home-heading")).to_be_visible()


@pytest.fixture
def page(browser, live_asgi):
    with opened_page(browser, live_asgi.url) as page:
        yield page


# --- A small world of one user per role, a scenario, a scored role-play, a certificate ---


@pytest.fixture
def no_celery(monkeypatch):
    """The scored role-play below is made by the services in this process: its tasks are
    not sent (the live server's own tasks are unaffected)."""
    from roleplay import tasks

    for name in ("deliver_task", "timer_task", "expire_task", "exam_expire_task", "score_task"):
        task = getattr(tasks, name)
        monkeypatch.setattr(task, "apply_async", lambda *args, **kwargs: None)
        monkeypatch.setattr(task, "delay", lambda *args, **kwargs: None)


@pytest.fixture
def users():
    """A cohort with one user per role; each signs in with its role's name."""
    made = {
        role: UserFactory(username=role.value, display_name=f"{role.label}一号", role=role)
        for role in (Role.TRAINEE, Role.TRAINER, Role.HR, Role.ADMIN)
    }
    cohort = CohortFactory(name="2026年12月批次", code="2026-12")
    cohort.trainees.add(made[Role.TRAINEE])
    cohort.trainers.add(made[Role.TRAINER])
    cohort.hr_staff.add(made[Role.HR])
    return made


@pytest.fixture
def scenario(users):
    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    made = scenario_create(actor=users[Role.TRAINER], yaml_text=SCENARIO.read_text("utf-8"))
    scenario_publish(actor=users[Role.TRAINER], scenario=made)
    return made


@pytest.fixture
def report(users, scenario, no_celery) -> str:
    """The address of a scored role-play of the trainee's."""
    report = scored_session(users[Role.TRAINEE], scenario)
    return f"/practice/sessions/{report.session_id}/report/"


@pytest.fixture
def certified(users, scenario, no_celery):
    """A published track on two scenarios, the trainee's passed attempt and certificate."""
    from django.utils import timezone

    from certification.models import CertificationAttempt
    from certification.services.certificates import certificate_issue
    from certification.services.tracks import track_import
    from certification.track_format import track_to_yaml
    from certification.track_spec import ExamPolicy, TrackSpec

    trainer = users[Role.TRAINER]
    second = scenario_create(
        actor=trainer,
        yaml_text=SCENARIO.read_text("utf-8").replace(
            f"slug: {scenario.slug}", f"slug: {scenario.slug}-b", 1
        ),
    )
    scenario_publish(actor=trainer, scenario=second)
    spec = TrackSpec(
        slug="csp-track",
        title="客服上岗认证",
        exam=ExamPolicy(buyers=2, pool=(scenario.slug, second.slug)),
    )
    version = track_import(actor=trainer, path_or_text=track_to_yaml(spec))
    attempt = CertificationAttempt.objects.create(
        trainee=users[Role.TRAINEE],
        track=version.track,
        track_version=version,
        number=1,
        seed=1,
        drawn=list(spec.exam.pool),
        status=CertificationAttempt.Status.DECIDED,
        passed=True,
        decided_at=timezone.now(),
        results={"dimensions": [], "typing": {"cpm": 70.0, "accuracy": 0.97}},
    )
    return certificate_issue(attempt=attempt)
