"""Every HTTP route of the URL configuration, as every role, for their own object and for
someone else's: the outcome route_table.py writes down, and nothing in a successful answer
that the role may not see (another trainee's identity, the key of an open quiz attempt).

Each request runs in a savepoint that is rolled back, so no answer depends on another's
side effects; the data set is built once for the module."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from tests.security.leaks import attempt_key_leaks, body_text, drill_key_leaks, people_leaks
from tests.security.matrix import check_cell, client_for, entry_url, fast_hashers, sign_in_all
from tests.security.route_table import (
    ADMIN_OBJECT_ACTIONS,
    ADMIN_REGISTRY_ROUTES,
    KNOWN_DEFECTS,
    ROUTES,
    WEBSOCKET_ROUTES,
    Entry,
    admin_app_expected,
    admin_expected,
)
from tests.security.routes import (
    ADMIN_MODEL_ACTIONS,
    admin_model_route_key,
    admin_models,
    url_routes,
    websocket_routes,
)
from tests.security.world import ROLES, SIDES, World, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    """Built once, inside a transaction rolled back when the module is done; each test's
    own transaction nests in it as a savepoint."""
    with override_settings(PASSWORD_HASHERS=fast_hashers()):
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            # Services that open durable blocks must see this as a test transaction, as
            # they would see pytest-django's own.
            outer._from_testcase = True
            outer.__enter__()
            try:
                built = world_build()
                sign_in_all(built)
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                raise
        yield built
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# --- The table and the URL configuration agree -------------------------------------------


def _registry_covered(route) -> bool:
    return route.key in ADMIN_REGISTRY_ROUTES or admin_model_route_key(route) is not None


def test_every_route_has_a_row_and_every_row_a_route():
    routes = [route for route in url_routes() if not _registry_covered(route)]
    keys = {route.key for route in routes}
    missing = sorted(f"{r.key} ({r.pattern})" for r in routes if r.key not in ROUTES)
    assert not missing, (
        "Routes without a row in tests/security/route_table.py (say what each role gets): "
        + ", ".join(missing)
    )
    stale = sorted(set(ROUTES) - keys)
    assert not stale, f"Rows in tests/security/route_table.py for routes that are gone: {stale}"


def test_every_websocket_route_has_a_row_and_every_row_a_route():
    keys = {route.key for route in websocket_routes()}
    missing = sorted(keys - set(WEBSOCKET_ROUTES))
    assert not missing, f"WebSocket routes without a row in route_table.py: {missing}"
    stale = sorted(set(WEBSOCKET_ROUTES) - keys)
    assert not stale, f"WebSocket rows in route_table.py for routes that are gone: {stale}"


def test_every_registered_model_gets_all_admin_routes_checked(world):
    """The per-model admin routes found in the URL configuration are exactly those the
    registry makes, and the data set has an object for each model's object pages."""
    found = {admin_model_route_key(r) for r in url_routes()} - {None}
    made = {
        (a, m, action) for a, m in admin_models() for action in (*ADMIN_MODEL_ACTIONS, "redirect")
    }
    assert found == made
    labels = {f"{a}.{m}" for a, m in admin_models()}
    assert not labels - set(world.admin_objects), (
        "Registered in the admin but without an object in tests/security/world.py: "
        f"{sorted(labels - set(world.admin_objects))}"
    )


# --- The matrix ------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(k for k, entry in ROUTES.items() if not entry.committed))
def test_route_answers_each_role_as_the_table_says(world, key):
    entry = ROUTES[key]
    problems = []
    for side, row in entry.rows().items():
        url = entry_url(world, key, entry, side)
        for role in ROLES:
            problems += check_cell(world, role, url, entry, row[role])
    assert not problems, f"{key}:\n" + "\n".join(problems)


def _admin_cases() -> list:
    cases = []
    for app_label, model_name in admin_models():
        label = f"{app_label}.{model_name}"
        for action in (*ADMIN_MODEL_ACTIONS, "redirect"):
            reason = KNOWN_DEFECTS.get((label, action))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(label, action, marks=marks))
    return cases


@pytest.mark.parametrize(("label", "action"), _admin_cases())
def test_admin_model_page_answers_each_role_by_its_permissions(world, label, action):
    app_label, model_name = label.split(".")
    objects = world.admin_objects[label]
    sides = (
        SIDES if action in ADMIN_OBJECT_ACTIONS and objects["own"] != objects["other"] else ("own",)
    )
    problems = []
    for side in sides:
        if action == "redirect":
            url = reverse(f"admin:{app_label}_{model_name}_changelist") + f"{objects[side].pk}/"
        elif action in ADMIN_OBJECT_ACTIONS:
            url = reverse(f"admin:{app_label}_{model_name}_{action}", args=[objects[side].pk])
        else:
            url = reverse(f"admin:{app_label}_{model_name}_{action}")
        for role in ROLES:
            expected = admin_expected(label, action, role, side)
            problems += check_cell(world, role, url, Entry(expect={}), expected)
    assert not problems, f"{label} {action}:\n" + "\n".join(problems)


def test_admin_app_index_answers_each_role_by_its_permissions(world):
    by_app: dict[str, list[str]] = {}
    for app_label, model_name in admin_models():
        by_app.setdefault(app_label, []).append(f"{app_label}.{model_name}")
    problems = []
    for app_label, labels in sorted(by_app.items()):
        url = reverse("admin:app_list", kwargs={"app_label": app_label})
        for role in ROLES:
            expected = admin_app_expected(app_label, role, labels)
            problems += check_cell(world, role, url, Entry(expect={}), expected)
    assert not problems, "\n".join(problems)


# --- The body checks can fail ----------------------------------------------------------


def _texts_in_savepoint(world: World, role: str, steps) -> list[str]:
    """The bodies of ``steps`` (callables taking a client), all rolled back afterwards."""
    with transaction.atomic():
        client = client_for(world, role)
        texts = [body_text(step(client)) for step in steps]
        transaction.set_rollback(True)
    return texts


def test_the_key_checks_find_a_key_that_is_shown(world):
    """The review of a submitted attempt shows the key: read as if the attempt were still
    open, the checks report it; the open paper itself passes them."""
    attempt = world.attempts["own"]
    api = reverse("courses_api:attempt", args=[attempt.pk])
    page = reverse("courses:attempt", args=[attempt.pk])
    paper_api, paper_page, review_api, review_page = _texts_in_savepoint(
        world,
        "trainee",
        [
            lambda client: client.get(api),
            lambda client: client.get(page),
            lambda client: client.post(f"{api}submit/", "{}", content_type="application/json"),
            lambda client: client.get(page),
        ],
    )
    attempt.refresh_from_db()
    assert attempt.is_open
    assert attempt_key_leaks(attempt, paper_api, owner=True) == []
    assert attempt_key_leaks(attempt, paper_page, owner=True) == []
    for review in (review_api, review_page):
        found = attempt_key_leaks(attempt, review, owner=True)
        assert any("explanation" in problem for problem in found), found
        assert any("accepted answer" in problem for problem in found), found
    assert any("key field" in problem for problem in attempt_key_leaks(attempt, review_api, True))
    # Someone else's paper is a leak however it is shown.
    assert attempt_key_leaks(attempt, paper_page, owner=False)


def test_the_drill_check_finds_explanations_shown_before_submission(world):
    from courses.services import drill_submit

    drill = world.drills["own"]
    url = reverse("courses:drill", args=[drill.pk])

    def submitted(client):
        drill_submit(
            user=world.users["trainee"], drill=drill, responses=[None] * len(drill.questions)
        )
        return client.get(url)

    paper, review = _texts_in_savepoint(
        world, "trainee", [lambda client: client.get(url), submitted]
    )
    assert drill_key_leaks(world, "trainee", paper) == []
    assert drill_key_leaks(world, "trainee", review)  # the drill is open again: rolled back


def test_the_people_check_finds_another_trainee(world):
    (page,) = _texts_in_savepoint(
        world,
        "hr",
        [
            lambda client: client.get(
                reverse("accounts:cohort_detail", args=[world.cohorts["other"].pk])
            )
        ],
    )
    found = people_leaks(world, "trainee", page)
    assert {"shows other_trainee's '张大壮'", "shows other_trainee's 'T1002'"} <= set(found)
    assert people_leaks(world, "other_trainee", page) == []
