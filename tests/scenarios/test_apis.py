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
    assert error["line"] == broken.splitlines().index(
        next(line for line in broken.splitlines() if "nudge_after_s: 300" in line)) + 1


@pytest.mark.django_db
def test_dry_run_shows_branch_reason_and_hits(api, trainer, scenario):
    api.force_authenticate(trainer)
    replies = [{"after_s": 3, "text": "你好，有授权书"},
               {"after_s": 5, "text": "建议选M码，保证不会大！！"}]
    body = api.post(f"/api/scenarios/{scenario.slug}/dry-run/", {"replies": replies},
                    format="json").json()
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
