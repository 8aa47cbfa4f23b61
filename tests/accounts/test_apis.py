import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, CohortFactory


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_api_requires_authentication(api):
    assert api.get("/api/me/").status_code in (401, 403)


@pytest.mark.django_db
def test_token_authentication(api, trainee):
    response = api.post("/api/auth/token/", {"username": "xiaoya", "password": PASSWORD})
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = api.get("/api/me/").json()
    assert me["username"] == "xiaoya" and me["roles"] == ["trainee"]


@pytest.mark.django_db
def test_wrong_password_gets_no_token(api, trainee):
    assert api.post("/api/auth/token/", {"username": "xiaoya", "password": "x"}).status_code == 400


@pytest.mark.django_db
def test_cohort_api_respects_visibility(api, trainer, hr, cohort):
    other = CohortFactory(name="别的批次")
    api.force_authenticate(trainer)
    assert [c["name"] for c in api.get("/api/cohorts/").json()] == [cohort.name]
    assert api.get(f"/api/cohorts/{other.pk}/").status_code == 404
    api.force_authenticate(hr)
    names = {c["name"] for c in api.get("/api/cohorts/").json()}
    assert names == {cohort.name, "别的批次"}
    detail = api.get(f"/api/cohorts/{cohort.pk}/").json()
    assert [p["username"] for p in detail["trainees"]] == ["xiaoya"]
    assert detail["trainee_count"] == 1
