import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_validate_reports_line_and_column(api, trainer, shops, fixture_text):
    api.force_authenticate(trainer)
    body = api.post("/api/scenarios/validate/", {"yaml": fixture_text}, format="json").json()
    assert body == {"valid": True, "errors": []}
    broken = fixture_text.replace("nudge_after_s: 30", "nudge_after_s: 300")
    body = api.post("/api/scenarios/validate/", {"yaml": broken}, format="json").json()
    assert body["valid"] is False
    [error] = [e for e in body["errors"] if e["field"] == "persona.nudge_after_s"]
    assert (
        error["line"]
        == broken.splitlines().index(
            next(line for line in broken.splitlines() if "nudge_after_s: 300" in line)
        )
        + 1
    )


@pytest.mark.django_db
def test_dry_run_shows_branch_reason_and_hits(api, trainer, scenario):
    api.force_authenticate(trainer)
    replies = [
        {"after_s": 3, "text": "你好，有授权书"},
        {"after_s": 5, "text": "建议选M码，保证不会大！！"},
    ]
    body = api.post(
        f"/api/scenarios/{scenario.slug}/dry-run/", {"replies": replies}, format="json"
    ).json()
    agent = [line for line in body["transcript"] if line["role"] == "agent"]
    assert "proof_of_genuine" in agent[0]["reason"]
    assert {hit["rule"] for hit in agent[0]["hits"]} >= {"impolite_address"}
    assert {hit["rule"] for hit in agent[1]["hits"]} >= {"exclamation_overuse"}
    assert body["path"][:2] == ["ask", "size"]


@pytest.mark.django_db
def test_authoring_api_is_for_trainers(api, trainee, hr, scenario):
    for user in (trainee, hr):
        api.force_authenticate(user)
        assert api.get("/api/scenarios/").status_code == 403
        assert api.post(f"/api/scenarios/{scenario.slug}/publish/").status_code == 403


@pytest.mark.django_db
def test_schema_endpoint_matches_the_published_file(api, trainee):
    import json
    from pathlib import Path

    from scenarios.management.commands.scenario_schema import SCHEMA_FILE, schema_text

    api.force_authenticate(trainee)
    served = api.get("/api/scenarios/schema/").json()
    assert served == json.loads(Path(SCHEMA_FILE).read_text(encoding="utf-8"))
    assert Path(SCHEMA_FILE).read_text(encoding="utf-8") == schema_text()


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.django_db
def test_live_validation_answers_in_the_language_of_the_request(api, trainer, shops, fixture_text):
    """The editor's validation as you type: the trainer's language, line and column."""
    api.force_authenticate(trainer)
    broken = fixture_text.replace("  nudge_after_s: 30", "  nudge_afer_s: 30", 1)
    line = _line(broken, "nudge_afer_s")
    answers = {
        language: api.post(
            "/api/scenarios/validate/",
            {"yaml": broken},
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        ).json()
        for language in ("zh-hans", "en")
    }
    assert answers["zh-hans"] == {
        "valid": False,
        "errors": [
            {
                "line": line,
                "column": 3,
                "field": "persona.nudge_afer_s",
                "message": "未知字段 nudge_afer_s，是不是 nudge_after_s？",
            }
        ],
    }
    [english] = answers["en"]["errors"]
    assert english["message"] == "unknown field nudge_afer_s; did you mean nudge_after_s?"


@pytest.mark.django_db
def test_yaml_errors_refuse_with_their_places(api, trainer, scenario, fixture_text):
    """Publishing, dry-running or drawing invalid YAML: 400, every error at its line."""
    api.force_authenticate(trainer)
    broken = fixture_text.replace("goto: size", "goto: nowhere", 1)
    expected = {  # in the site's language: the test client names none
        "line": _line(broken, "goto: nowhere"),
        "column": 9,
        "field": "steps.ask.branches 第 1 项的 goto",
        "message": "goto“nowhere”：没有这个步骤",
    }

    saved = api.put(f"/api/scenarios/{scenario.slug}/draft/", {"yaml": broken}, format="json")
    assert saved.status_code == 200  # a draft is kept even when invalid ...
    assert saved.json()["draft_valid"] is False and expected in saved.json()["errors"]
    published = api.post(f"/api/scenarios/{scenario.slug}/publish/")
    assert published.status_code == 400  # ... but not published
    assert published.json()["valid"] is False and expected in published.json()["errors"]

    dry_run = api.post(
        f"/api/scenarios/{scenario.slug}/dry-run/",
        {"yaml": broken, "replies": [{"text": "你好"}]},
        format="json",
    )
    assert dry_run.status_code == 400 and expected in dry_run.json()["errors"]
    diagram = api.post("/api/scenarios/diagram/", {"yaml": broken}, format="json")
    assert diagram.status_code == 400 and expected in diagram.json()["errors"]
    drawn = api.post("/api/scenarios/diagram/", {"yaml": fixture_text}, format="json")
    assert drawn.status_code == 200
    assert [node["id"] for node in drawn.json()["nodes"]] == [
        "ask",
        "size",
        "doubt",
        "deal",
        "outcome:流失",
    ]


@pytest.mark.django_db
def test_refusals_of_services_keep_their_messages(api, trainer, scenario, fixture_text):
    api.force_authenticate(trainer)
    response = api.post("/api/scenarios/", {"yaml": fixture_text}, format="json")
    assert response.status_code == 400
    [message] = response.json()["errors"]["slug"]
    assert "genuine-coat" in message and response.json() == {
        "detail": message,
        "errors": {"slug": [message]},
    }
    response = api.post(
        f"/api/scenarios/{scenario.slug}/clone/", {"slug": scenario.slug}, format="json"
    )
    assert response.status_code == 400 and response.json()["errors"] == {"slug": [message]}
    copy = api.post(f"/api/scenarios/{scenario.slug}/clone/", {"slug": "coat-copy"}, format="json")
    assert copy.status_code == 201 and copy.json()["slug"] == "coat-copy"


@pytest.mark.django_db
def test_an_author_who_may_not_publish_is_refused_by_the_service(api, scenario):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    editor = UserFactory()
    editor.user_permissions.add(Permission.objects.get(codename="change_scenario"))
    api.force_authenticate(editor)
    assert api.get("/api/scenarios/").status_code == 200
    for action in ("publish", "unpublish"):
        response = api.post(f"/api/scenarios/{scenario.slug}/{action}/")
        assert response.status_code == 403
        assert list(response.json()) == ["detail"] and response.json()["detail"]
    assert api.get("/api/scenarios/no-such-scenario/").status_code == 404
