"""Content-Security-Policy: every answer carries a strict policy (scripts and styles from our
own files only), and no page needs what it refuses: no inline <script>, no on*= handler, no
style="" attribute, no <style> element. Pages are found the way a user finds them: from
each role's menu, following the links on every page reached, with data behind the links
(a quiz attempt, a scored role-play, a scenario, a roster preview, a timer probe)."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from accounts.navigation import navigation_for
from accounts.services import onboarding_preview_create
from catalog.services import catalog_import
from courses.importing import course_import
from courses.services import attempt_start, attempt_submit
from diagnostics.services import timer_probe_schedule
from scenarios.services import scenario_create, scenario_publish
from tests.factories import PASSWORD
from tests.roleplay.scored import scored_session

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "courses" / "fixtures" / "basic" / "course.yaml"
SCENARIO = ROOT / "tests" / "scenarios" / "fixtures" / "genuine-coat.yaml"
HEADER = "Content-Security-Policy"
# Generous: each role reaches a few dozen pages; a crawl that runs away stops here.
PAGE_LIMIT = 250


# --- the policy -----------------------------------------------------------------------


def policy_of(response) -> dict[str, set[str]]:
    assert HEADER in response, (response.wsgi_request.path, response.status_code)
    directives = {}
    for part in response[HEADER].split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


def assert_strict(response) -> None:
    policy = policy_of(response)
    where = (response.wsgi_request.get_full_path(), response.status_code)
    assert not [s for sources in policy.values() for s in sources if s.startswith("'unsafe-")], (
        where,
        policy,
    )
    assert policy["script-src"] == {"'self'"}, where
    assert policy["style-src"] == {"'self'"}, where
    assert policy["default-src"] == {"'self'"}, where
    assert policy["object-src"] == {"'none'"}, where
    assert policy["frame-ancestors"] == {"'none'"}, where
    assert policy["base-uri"] == {"'self'"}, where
    assert policy["form-action"] == {"'self'"}, where


# --- what a page may not contain --------------------------------------------------------


class InlineCode(HTMLParser):
    """Collects what the policy would block in a page: inline scripts (a <script> without
    src that is not JSON data), inline event handlers, style attributes, <style> elements
    and javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        where = f"line {self.getpos()[0]}: <{tag}>"
        named = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{where} inline handler {name}={value!r}")
            elif name == "style":
                self.problems.append(f"{where} style={value!r}")
            elif name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"{where} {name}={value!r}")
        script_type = (named.get("type") or "").strip().lower()
        if tag == "script" and "src" not in named and script_type != "application/json":
            self.problems.append(f"{where} inline script")
        if tag == "style":
            self.problems.append(f"{where} <style> element")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.problems


def test_the_checker_finds_each_kind_of_inline_code():
    """The page check below is only as good as this parser."""
    page = """<p style="color:red">x</p><select onchange="go()"></select>
      <script>alert(1)</script><script type="application/json">{"a": 1}</script>
      <script src="/static/x.js"></script><STYLE>p{}</STYLE><a href=" JavaScript:go()">y</a>
      <img src="/x.png" onerror=go()><svg><rect fill="#fff"/></svg><div data-on="x"></div>"""
    problems = inline_code(page)
    assert len(problems) == 6, problems
    for expected in ("style=", "onchange", "inline script", "<style>", "href=", "onerror"):
        assert any(expected in problem for problem in problems), expected


# --- the crawl ---------------------------------------------------------------------------

_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_SKIP_PREFIXES = ("/static/", "/media/", "/i18n/", "/logout/", "/admin/logout/")


def _shape(path: str) -> str:
    """Pages that differ only by a number (object ids) show one template: one of each. The
    admin's delete and history pages are one template for every model: one of those too."""
    shape = re.sub(r"\d+", "<n>", path)
    return re.sub(r"^/admin/[^/]+/[^/]+/<n>/(delete|history)/$", r"/admin/<model>/<n>/\1/", shape)


def _links(html: str) -> list[str]:
    found = []
    for href in _HREF.findall(html):
        url = urldefrag(href.replace("&amp;", "&"))[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/"):
            continue  # other sites, mailto:, relative oddities
        if url.startswith(_SKIP_PREFIXES):
            continue
        if url.startswith("/admin/") and parts.query:
            continue  # the admin's sorting and filter variants show the same templates
        found.append(url)
    return found


def crawl(client: Client, seeds: list[str]) -> dict[str, object]:
    """GET every page reachable from the seeds by links, one page per URL shape (seeds
    always). Answers of every kind are kept: the header is checked on all of them."""
    queue = deque(seeds)
    queued = set(seeds)
    shapes = {_shape(urlsplit(url).path) for url in seeds}
    responses: dict[str, object] = {}
    while queue and len(responses) < PAGE_LIMIT:
        url = queue.popleft()
        response = client.get(url)
        responses[url] = response
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        for link in _links(response.content.decode()):
            shape = _shape(urlsplit(link).path) + ("?" if urlsplit(link).query else "")
            if link in queued or shape in shapes:
                continue
            queued.add(link)
            shapes.add(shape)
            queue.append(link)
    assert len(responses) < PAGE_LIMIT, "the crawl ran away: see _links and _shape"
    return responses


def _view_name(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


# --- data behind the links ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def _quick(settings, monkeypatch):
    """Fast password hashing (six users per test), and the status pages' channel-layer
    round trip answered at once: in a test transaction it waits out the database lock, and
    these tests look at the page, not at the layer (tests/diagnostics checks it)."""
    from diagnostics import selectors

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "accounts.hashers.InitialPasswordHasher",  # generated first passwords
    ]
    monkeypatch.setattr(selectors, "_channel_layer", lambda: "not probed in this test")


@pytest.fixture
def no_celery(monkeypatch):
    """Role-play tasks are not sent: the services are driven directly here."""
    from roleplay import tasks

    for name in ("deliver_task", "timer_task", "expire_task", "exam_expire_task", "score_task"):
        task = getattr(tasks, name)
        monkeypatch.setattr(task, "apply_async", lambda *args, **kwargs: None)
        monkeypatch.setattr(task, "delay", lambda *args, **kwargs: None)


@pytest.fixture
def site(
    db,
    cohort,
    trainee,
    other_trainee,
    trainer,
    hr,
    admin_user,
    no_celery,
    django_capture_on_commit_callbacks,
):
    """A site in use: a course with a submitted attempt and an open timed one, the shops,
    a published scenario, a scored role-play, a roster preview and a timer
    probe."""
    course = course_import(COURSE)
    modules = list(course.modules.order_by("position"))
    quiz = modules[0].quiz
    attempt_submit(user=other_trainee, attempt=attempt_start(user=other_trainee, quiz=quiz))
    submitted = attempt_start(user=trainee, quiz=quiz)
    attempt_submit(user=trainee, attempt=submitted)
    quiz.time_limit_minutes = 20
    quiz.max_attempts = 0  # no limit, no wait: the trainee starts another at once
    quiz.retry_wait_minutes = 0
    quiz.save()
    open_attempt = attempt_start(user=trainee, quiz=quiz)

    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    scenario = scenario_create(actor=trainer, yaml_text=SCENARIO.read_text(encoding="utf-8"))
    scenario_publish(actor=trainer, scenario=scenario)

    with django_capture_on_commit_callbacks(execute=True):
        report = scored_session(trainee, scenario)

    batch = onboarding_preview_create(
        actor=hr,
        file_name="roster.csv",
        data="姓名,工号,店铺,批次\n王一,T0001,悦衣坊,2026-11\n".encode(),
    )
    timer_probe_schedule(actor=admin_user, countdown_s=1)
    return {
        "submitted": reverse("courses:attempt", args=[submitted.pk]),
        "open": reverse("courses:attempt", args=[open_attempt.pk]),
        "report": reverse("roleplay:report", args=[report.session_id]),
        "editor": reverse("scenarios:editor", args=[scenario.slug]),
        "batch": reverse("accounts:onboarding_preview", args=[batch.pk]),
        "cohort": reverse("accounts:cohort_detail", args=[cohort.pk]),
    }


# Pages each role must have reached, so the crawl cannot quietly shrink.
MUST_REACH = {
    "trainee": {
        "accounts:home",
        "courses:index",
        "courses:module",
        "courses:lesson",
        "courses:attempt",
        "courses:drills",
        "catalog:shops",
        "catalog:shop",
        "roleplay:index",
        "roleplay:report",
        "api_docs",
    },
    "trainer": {
        "courses:authoring",
        "courses:statistics",
        "scenarios:index",
        "scenarios:editor",
        "roleplay:review_queue",
        "roleplay:report",
        "accounts:cohort_list",
        "accounts:cohort_detail",
        "admin:index",
    },
    "hr": {"accounts:cohort_list", "accounts:onboarding_upload", "accounts:onboarding_preview"},
    "admin_user": {
        "diagnostics:status",
        "scenarios:editor",
        "accounts:onboarding_preview",
        "admin:index",
        "admin:accounts_user_changelist",
        "admin:accounts_user_change",
        "admin:audit_auditevent_changelist",
    },
}


def _seeds(who: str, user, site: dict[str, str]) -> list[str]:
    seeds = [item["url"] for item in navigation_for(user)] + [reverse("api_docs")]
    seeds += {
        "trainee": [site["open"], site["submitted"], site["report"]],
        "trainer": [site["editor"], site["report"], site["cohort"], reverse("admin:index")],
        "hr": [site["batch"], site["cohort"]],
        "admin_user": [site["editor"], site["batch"], reverse("admin:index")],
    }[who]
    return seeds


@pytest.mark.django_db
@pytest.mark.parametrize("who", list(MUST_REACH))
def test_every_page_a_role_reaches_has_the_policy_and_no_inline_code(client, request, site, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    responses = crawl(client, _seeds(who, user, site))

    problems = {}
    for url, response in responses.items():
        assert_strict(response)
        if response.get("Content-Type", "").startswith("text/html"):
            found = inline_code(response.content.decode())
            if found:
                problems[url] = found
    assert problems == {}

    html_pages = [
        url
        for url, response in responses.items()
        if response.status_code == 200 and response["Content-Type"].startswith("text/html")
    ]
    reached = {_view_name(url) for url in html_pages}
    assert MUST_REACH[who] <= reached, MUST_REACH[who] - reached
    # Both states of an attempt page: the open paper with its clock, and the review.
    if who == "trainee":
        open_page = responses[site["open"]].content.decode()
        assert 'id="time-left"' in open_page and "courses/attempt" in open_page
        assert 'data-testid="review-question"' in responses[site["submitted"]].content.decode()


@pytest.mark.django_db
def test_pages_outside_the_menus_carry_the_policy_too(client, trainee, settings):
    """Sign-in, errors, refusals, JSON and the docs' script: every answer, not only pages."""
    anonymous = Client()
    for url in ("/login/", "/healthz", "/no-such-page/", "/api/courses/", "/api/docs/"):
        assert_strict(anonymous.get(url))

    client.force_login(trainee)
    assert_strict(client.get(reverse("diagnostics:status")))  # 403
    assert_strict(client.get("/api/courses/"))  # JSON
    script = client.get(reverse("api_docs") + "?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    assert_strict(script)

    csrf_checked = Client(enforce_csrf_checks=True)
    refused = csrf_checked.post("/login/", {"username": "xiaoya", "password": "wrong"})
    assert refused.status_code == 403
    assert_strict(refused)


@pytest.mark.django_db
def test_a_locked_sign_in_answer_carries_the_policy(trainee, settings):
    attacker = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attacker.post("/login/", {"username": "xiaoya", "password": "wrong"})
    locked = attacker.post("/login/", {"username": "xiaoya", "password": PASSWORD})
    assert locked.status_code == 429
    assert_strict(locked)
    assert inline_code(locked.content.decode()) == []


def test_the_workbench_socket_origin_follows_the_public_address():
    """'self' covers a same-host ws:/wss: in CSP Level 3 browsers; older ones need the
    public address' socket origin named."""
    connect = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"]
    site = urlsplit(settings.SITE_URL)
    scheme = "wss" if site.scheme == "https" else "ws"
    assert connect == ["'self'", f"{scheme}://{site.netloc}"]


# --- the files behind the pages ------------------------------------------------------------


def _project_files(pattern: str) -> list[Path]:
    apps = [ROOT / name for name in settings.INSTALLED_APPS if (ROOT / name).is_dir()]
    return sorted(path for app in apps for path in app.rglob(pattern))


def test_no_template_holds_inline_code():
    """Pages the crawl cannot reach (error states, forms after a failed post) come from the
    same files: none holds inline code."""
    templates = [p for p in _project_files("*") if "templates" in p.parts and p.is_file()]
    assert len(templates) > 30
    problems = {
        str(path.relative_to(ROOT)): found
        for path in templates
        if (found := inline_code(path.read_text(encoding="utf-8")))
    }
    assert problems == {}


_SCRIPT_STYLE = re.compile(
    r"""innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\s*\(|new\s+Function\s*\(|"""
    r"""setAttribute\(\s*["'](style|on\w+)["']|set(Timeout|Interval)\(\s*["']"""
)


def test_no_script_builds_markup_or_code_from_strings():
    """The policy refuses style attributes parsed from HTML and code made from strings;
    element.style and addEventListener are what the scripts use instead."""
    scripts = _project_files("*.js")
    assert scripts
    found = {
        f"{path.relative_to(ROOT)}:{number}": line.strip()
        for path in scripts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _SCRIPT_STYLE.search(line)
    }
    assert found == {}
