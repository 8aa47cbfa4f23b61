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


@pytest.mark.django_db
def test_trainee_cannot_list_cohort_peers_through_the_api(
    api, client, trainee, other_trainee, cohort
):
    """The page answers 403 (trainees lack accounts.view_cohort), and so does the API."""
    cohort.trainees.add(other_trainee)
    client.force_login(trainee)
    assert client.get(f"/cohorts/{cohort.pk}/").status_code == 403
    api.force_authenticate(trainee)
    response = api.get(f"/api/cohorts/{cohort.pk}/")
    assert response.status_code == 403
    body = response.content.decode()
    for peer_data in ("dazhuang", "张大壮", "T1002", "xiaoya", "teacher_li", "hr_zhao"):
        assert peer_data not in body, peer_data


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["trainer", "hr", "admin_user"])
def test_cohort_staff_still_get_the_cohort_people(api, request, trainee, cohort, who):
    api.force_authenticate(request.getfixturevalue(who))
    response = api.get(f"/api/cohorts/{cohort.pk}/")
    assert response.status_code == 200
    assert [p["employee_number"] for p in response.json()["trainees"]] == ["T1001"]


@pytest.mark.django_db
def test_cohort_api_and_page_agree_for_every_role(
    api, client, trainee, other_trainee, trainer, other_trainer, hr, admin_user, cohort
):
    other = CohortFactory(name="别的批次")
    other.trainers.add(other_trainer)
    for user in (trainee, other_trainee, trainer, other_trainer, hr, admin_user):
        client.force_login(user)
        api.force_authenticate(user)
        for target in (cohort, other):
            page = client.get(f"/cohorts/{target.pk}/").status_code
            answer = api.get(f"/api/cohorts/{target.pk}/").status_code
            assert page == answer, (user.username, target.name, page, answer)
