"""The course API: keys never before submission; clear 4xx answers that change nothing."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from courses.models import Answer, Attempt


@pytest.fixture
def api():
    return APIClient()


def _start(api, quiz):
    response = api.post(f"/api/courses/quizzes/{quiz.pk}/attempts/")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.django_db
def test_progress_and_lessons(api, course, trainee):
    api.force_authenticate(trainee)
    data = api.get("/api/courses/").json()
    basics, advanced = data[0]["modules"]
    assert basics["unlocked"] and not advanced["unlocked"]
    lesson_id = basics["lessons"][0]["id"]
    lesson = api.get(f"/api/courses/lessons/{lesson_id}/").json()
    assert "<strong>6 秒</strong>" in lesson["html"] and lesson["read"] is False
    assert api.post(f"/api/courses/lessons/{lesson_id}/read/").status_code == 204
    locked = advanced["lessons"][0]["id"]
    refused = api.get(f"/api/courses/lessons/{locked}/")
    assert refused.status_code == 403 and "尚未解锁" in refused.json()["detail"]
    assert api.post(f"/api/courses/lessons/{locked}/read/").status_code == 403


@pytest.mark.django_db
def test_attempt_json_has_no_key_before_submission(api, quiz, trainee):
    api.force_authenticate(trainee)
    attempt = _start(api, quiz)
    text = json.dumps(attempt, ensure_ascii=False)
    for question in quiz.questions.all():
        assert question.explanation not in text
    assert "correct" not in text and "accepted" not in text and "review" not in attempt
    assert api.get(f"/api/courses/attempts/{attempt['id']}/").json()["questions"]


@pytest.mark.django_db
def test_answer_to_a_question_not_in_the_attempt_is_a_400(api, quiz, trainee, course):
    api.force_authenticate(trainee)
    attempt = _start(api, quiz)
    foreign = course.modules.get(slug="advanced").quiz.questions.get()
    response = api.put(
        f"/api/courses/attempts/{attempt['id']}/answers/",
        {"answers": {str(foreign.pk): {"value": False}}},
        format="json",
    )
    assert response.status_code == 400
    # The shared handler: one readable line, and the message under the question's id.
    body = response.json()
    assert f"题目 {foreign.pk} 不属于这次作答" in body["detail"]
    assert f"题目 {foreign.pk} 不属于这次作答" in " ".join(body["errors"][str(foreign.pk)])
    assert not Answer.objects.exclude(response=None).exists()


@pytest.mark.django_db
def test_second_submission_is_a_409_and_review_follows(api, quiz, trainee):
    api.force_authenticate(trainee)
    attempt = _start(api, quiz)
    first = api.post(
        f"/api/courses/attempts/{attempt['id']}/submit/", {"answers": {}}, format="json"
    )
    assert first.status_code == 200
    review = first.json()["review"]
    assert all(item["explanation"] for item in review)
    again = api.post(
        f"/api/courses/attempts/{attempt['id']}/submit/", {"answers": {}}, format="json"
    )
    assert again.status_code == 409 and "已经提交过了" in again.json()["detail"]


@pytest.mark.django_db
def test_someone_elses_attempt_is_a_404(api, quiz, trainee, other_trainee):
    api.force_authenticate(trainee)
    attempt = _start(api, quiz)
    api.force_authenticate(other_trainee)
    assert api.get(f"/api/courses/attempts/{attempt['id']}/").status_code == 404
    assert (
        api.post(
            f"/api/courses/attempts/{attempt['id']}/submit/", {"answers": {}}, format="json"
        ).status_code
        == 404
    )
    assert Attempt.objects.get(pk=attempt["id"]).is_open


@pytest.mark.django_db
def test_statistics_api_is_for_trainers(api, quiz, trainee, trainer):
    api.force_authenticate(trainee)
    assert api.get(f"/api/courses/quizzes/{quiz.pk}/statistics/").status_code == 403
    api.force_authenticate(trainer)
    body = api.get(f"/api/courses/quizzes/{quiz.pk}/statistics/").json()
    assert body["attempts"] == 0 and len(body["items"]) == 5


@pytest.mark.django_db
def test_a_trainer_is_told_that_only_trainees_take_courses(api, course, quiz, trainer):
    api.force_authenticate(trainer)
    refused = api.post(f"/api/courses/quizzes/{quiz.pk}/attempts/")
    assert refused.status_code == 403 and refused.json() == {"detail": "只有学员可以学习课程。"}
    assert not Attempt.objects.exists()
