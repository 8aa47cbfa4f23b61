"""Hostile or odd input to the scenario APIs and pages: refused with a clear error and its
place, fast, and nothing stored changes."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from scenarios.models import Scenario
from scenarios.services import scenario_publish
from tests.runaway import RUNAWAY_S
from tests.yamlsource.test_loader import alias_bomb

# Generous for a noisy machine: the alias bomb took 27 s before.
BOMB = alias_bomb()  # 9 lines, the first alias on line 2
BOMB_ALIAS = {"line": 2, "column": BOMB.splitlines()[1].index("*a0") + 1}


@pytest.fixture
def api(trainer):
    client = APIClient()
    client.force_authenticate(trainer)
    return client


def _timed(call):
    start = time.perf_counter()
    response = call()
    return response, time.perf_counter() - start


def _at_the_alias(errors: list[dict]) -> bool:
    return any(
        {"line": e["line"], "column": e["column"]} == BOMB_ALIAS and "*a0" in e["message"]
        for e in errors
    )


def test_the_alias_bomb_is_refused_at_its_first_alias_everywhere(api, client, trainer, scenario):
    assert len(BOMB.encode()) < 500
    before = Scenario.objects.get(pk=scenario.pk).draft_yaml
    response, elapsed = _timed(
        lambda: api.post("/api/scenarios/validate/", {"yaml": BOMB}, format="json")
    )
    assert elapsed < RUNAWAY_S
    assert response.status_code == 200 and response.json()["valid"] is False
    assert _at_the_alias(response.json()["errors"])
    for path, body in [
        ("/api/scenarios/", {"yaml": BOMB}),
        ("/api/scenarios/diagram/", {"yaml": BOMB}),
        (f"/api/scenarios/{scenario.slug}/dry-run/", {"yaml": BOMB, "replies": []}),
    ]:
        response, elapsed = _timed(lambda: api.post(path, body, format="json"))  # noqa: B023
        assert elapsed < RUNAWAY_S, path
        assert response.status_code == 400, path
        assert _at_the_alias(response.json()["errors"]), path
    # A draft is kept even when invalid (work in progress), with its errors.
    response, elapsed = _timed(
        lambda: api.put(f"/api/scenarios/{scenario.slug}/draft/", {"yaml": BOMB}, format="json")
    )
    assert elapsed < RUNAWAY_S
    assert response.status_code == 200 and response.json()["draft_valid"] is False
    assert _at_the_alias(response.json()["errors"])
    api.put(f"/api/scenarios/{scenario.slug}/draft/", {"yaml": before}, format="json")
    # Publishing re-validates the stored draft; the import page validates uploaded files.
    client.force_login(trainer)
    upload = SimpleUploadedFile("bomb.yaml", BOMB.encode())
    response, elapsed = _timed(lambda: client.post("/scenarios/import/", {"files": [upload]}))
    assert elapsed < RUNAWAY_S
    assert response.status_code == 400 and "bomb.yaml:2:" in response.content.decode()
    assert Scenario.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep nesting", "[" * 300_000 + "]" * 300_000),
        ("a long flat list", "[" + "1," * 400_000 + "1]"),
        # Under the scenario's limit of values: 1,200 steps, each unreachable (1,200 errors).
        ("many steps", "steps:\n" + "".join(f"  s{i}: {{buyer: [x]}}\n" for i in range(1200))),
        (
            "too many steps",
            "steps:\n" + "".join(f"  s{i}: {{buyer: [x]}}\n" for i in range(40_000)),
        ),
    ],
)
def test_pathological_documents_within_the_size_cap_are_answered_fast(api, shops, name, text):
    assert len(text.encode()) <= 1024 * 1024
    response, elapsed = _timed(
        lambda: api.post("/api/scenarios/validate/", {"yaml": text}, format="json")
    )
    assert elapsed < RUNAWAY_S, name
    body = response.json()
    assert response.status_code == 200 and body["valid"] is False
    assert body["errors"] and all(e["line"] >= 1 for e in body["errors"])
    assert len(body["errors"]) <= 201


def test_a_catastrophic_regex_is_refused_before_it_can_run(api, scenario, fixture_text):
    text = fixture_text.replace("{tries: 3}", "{regex: '(a+)+$'}", 1)
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "(a+)+$" in row)
    response, elapsed = _timed(
        lambda: api.post(
            f"/api/scenarios/{scenario.slug}/dry-run/",
            {"yaml": text, "replies": [{"text": "a" * 999 + "!"}]},
            format="json",
        )
    )
    assert elapsed < RUNAWAY_S
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["line"] == line and error["field"] == "steps.ask.branches 第 4 项的 when.regex"
    assert "指数级" in error["message"]


NOT_TEXT = [123, 1.5, True, None, ["x"], {"yaml": "x"}]


@pytest.mark.parametrize("value", NOT_TEXT, ids=repr)
def test_a_draft_must_be_text(api, scenario, value):
    before = Scenario.objects.get(pk=scenario.pk).draft_yaml
    response = api.put(f"/api/scenarios/{scenario.slug}/draft/", {"yaml": value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["yaml"]
    assert Scenario.objects.get(pk=scenario.pk).draft_yaml == before


@pytest.mark.parametrize("value", NOT_TEXT, ids=repr)
def test_validate_create_and_diagram_take_text_only(api, shops, value):
    for path in ("/api/scenarios/validate/", "/api/scenarios/", "/api/scenarios/diagram/"):
        response = api.post(path, {"yaml": value}, format="json")
        assert response.status_code == 400, path
        assert list(response.json()) == ["yaml"], path
    assert not Scenario.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"yaml": 123, "replies": []}, "yaml"),
        ({"replies": "你好"}, "replies"),
        ({"replies": {"text": "你好"}}, "replies"),
        ({"replies": ["你好"]}, "replies"),
        ({"replies": [{"text": 5}]}, "replies"),
        ({"replies": [{"text": ["你好"]}]}, "replies"),
        ({"replies": [{"after_s": "5", "text": "你好"}]}, "replies"),
        ({"replies": [{"after_s": True, "text": "你好"}]}, "replies"),
        ({"replies": [{"wait_s": "10"}]}, "replies"),
        ({"replies": [], "seed": "1"}, "seed"),
        ({"replies": [], "seed": 1.5}, "seed"),
        ({"replies": [], "seed": True}, "seed"),
    ],
)
def test_dry_run_replies_are_objects_of_the_right_types(api, scenario, body, field):
    response = api.post(f"/api/scenarios/{scenario.slug}/dry-run/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_dry_run_plays_the_first_replies_of_a_long_list_fast(api, scenario):
    replies = [{"after_s": 3, "text": "你好"}] * 30_000
    response, elapsed = _timed(
        lambda: api.post(
            f"/api/scenarios/{scenario.slug}/dry-run/", {"replies": replies}, format="json"
        )
    )
    assert elapsed < RUNAWAY_S
    assert response.status_code == 200 and response.json()["transcript"]


def test_a_clone_slug_must_be_text(api, scenario):
    response = api.post(f"/api/scenarios/{scenario.slug}/clone/", {"slug": 123}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["slug"]
    assert Scenario.objects.count() == 1


def _place_of_lin(text: str) -> re.Pattern:
    """ "line 9, column 10: the character U+… cannot be saved" (or its Chinese): the
    character put after 林 in the persona's name."""
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "name: 林" in row)
    return re.compile(rf"\b{line}\b\D+\b10\b")


def test_a_draft_with_a_character_no_database_can_store_is_refused(
    api, client, trainer, scenario, fixture_text
):
    """A draft is stored even when invalid, so text PostgreSQL cannot hold (NUL, a lone
    surrogate) is refused before saving, with its place; the stored draft is unchanged."""
    before = Scenario.objects.get(pk=scenario.pk).draft_yaml
    for character in ("\ud800", "\x00"):
        text = fixture_text.replace("林女士", f"林{character}女士", 1)
        response = api.put(
            f"/api/scenarios/{scenario.slug}/draft/",
            json.dumps({"yaml": text}),  # ASCII JSON: a surrogate travels as \\ud800
            content_type="application/json",
        )
        assert response.status_code == 400 and list(response.json()) == ["yaml"]
    # The editor page has no serializer: the service refuses NUL itself.
    client.force_login(trainer)
    text = fixture_text.replace("林女士", "林\x00女士", 1)
    response = client.post(f"/scenarios/{scenario.slug}/", {"yaml": text}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any(_place_of_lin(text).search(m) and "U+0000" in m for m in messages), messages
    assert Scenario.objects.get(pk=scenario.pk).draft_yaml == before


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("a=x&b=1", "x"),
        ("a=1&b=abc", "abc"),
        ("a=&b=1", ""),
        ("b=1", ""),
        ("a=1&b=-1", "-1"),
        ("a=1&b=1.0", "1.0"),
        ("a=%C2%B2&b=1", "²"),
        ("a=1&b=1e3", "1e3"),
    ],
)
def test_diff_with_a_malformed_version_number_is_a_bad_request(
    client, trainer, scenario, query, shown
):
    scenario_publish(actor=trainer, scenario=scenario)
    client.force_login(trainer)
    response = client.get(f"/scenarios/{scenario.slug}/diff/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="bad-request"' in html and f"“{shown}”" in html


@pytest.mark.parametrize(
    ("query", "shown"),
    [("version=abc", "abc"), ("version=%C2%B2", "²"), ("version=-1", "-1"), ("version=1.0", "1.0")],
)
def test_export_of_a_malformed_version_number_is_a_bad_request(
    client, trainer, scenario, query, shown
):
    client.force_login(trainer)
    response = client.get(f"/scenarios/{scenario.slug}/export/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="bad-request"' in html and f"version: “{shown}”" in html.replace("：", ": ")


def test_version_numbers_that_do_not_exist_are_not_found(client, trainer, scenario):
    scenario_publish(actor=trainer, scenario=scenario)
    client.force_login(trainer)
    for query in ("a=1&b=2", "a=99999999999999999999&b=1", "a=1&b=" + "9" * 5000):
        assert client.get(f"/scenarios/{scenario.slug}/diff/?{query}").status_code == 404
    for number in ("2", "99999999999", "9" * 5000):
        response = client.get(f"/scenarios/{scenario.slug}/export/?version={number}")
        assert response.status_code == 404
    assert client.get(f"/scenarios/{scenario.slug}/diff/?a=1&b=01").status_code == 200
    assert client.get(f"/scenarios/{scenario.slug}/export/?version=1").status_code == 200


def test_dry_run_takes_json_only(api, scenario):
    """A form sends every value as text; the replies' numbers cannot be written in one."""
    response = api.post(f"/api/scenarios/{scenario.slug}/dry-run/", {"seed": "1"})
    assert response.status_code == 415
