import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml


@pytest.mark.django_db
def test_schema_and_docs_are_for_signed_in_users(client, trainee):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)
    client.force_login(trainee)
    assert client.get("/api/schema/").status_code == 200


@pytest.mark.django_db
def test_openapi_schema_lists_the_api(client, trainee):
    client.force_login(trainee)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/me/",
        "/api/cohorts/",
        "/api/auth/token/",
        "/api/diagnostics/timer-probes/",
        "/api/courses/",
        "/api/courses/attempts/{id}/submit/",
        "/api/courses/quizzes/{quiz_id}/statistics/",
    ):
        assert path in schema["paths"], path


@pytest.mark.django_db
def test_api_docs_page_uses_self_hosted_assets(client, trainee):
    client.force_login(trainee)
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()


def test_schema_generates_without_warnings():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            "/dev/null",
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DEBUG": "true"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
