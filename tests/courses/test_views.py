"""Trainee and trainer pages: role and ownership checks, keys only after submission."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import Attempt
from courses.services import attempt_start


@pytest.mark.django_db
def test_course_index_shows_progress_and_next_step(client, course, trainee):
    client.force_login(trainee)
    html = client.get(reverse("courses:index")).content.decode()
    assert "客服基础" in html and "进阶" in html
    assert "首次响应" in html  # the next step is the first unread lesson
    assert "未解锁" in html  # the second module is locked


@pytest.mark.django_db
def test_lesson_markdown_is_rendered_inert(client, course, trainee):
    lesson = course.modules.get(slug="basics").lessons.get(slug="first-response")
    lesson.body = "正文 <script>alert('x')</script> <img src=x onerror=alert(1)> **粗体**"
    lesson.save()
    client.force_login(trainee)
    url = reverse("courses:lesson", args=["test-course", "basics", "first-response"])
    html = client.get(url).content.decode()
    body = html.split('class="card lesson"')[1].split("</article>")[0]
    assert "<script" not in body and "onerror" not in body
    assert "<strong>粗体</strong>" in body


@pytest.mark.django_db
def test_reading_a_lesson_moves_to_the_next(client, course, trainee):
    client.force_login(trainee)
    url = reverse("courses:lesson", args=["test-course", "basics", "first-response"])
    response = client.post(url)
    assert response.url == reverse("courses:lesson", args=["test-course", "basics", "wording"])


@pytest.mark.django_db
def test_locked_lesson_is_refused(client, course, trainee):
    client.force_login(trainee)
    url = reverse("courses:lesson", args=["test-course", "advanced", "bargaining"])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403


@pytest.mark.django_db
def test_attempt_page_has_no_answer_key_until_submitted(client, quiz, trainee):
    client.force_login(trainee)
    response = client.post(reverse("courses:quiz_start", args=[quiz.pk]))
    attempt = Attempt.objects.get()
    assert response.url == reverse("courses:attempt", args=[attempt.pk])
    html = client.get(response.url).content.decode()
    for question in quiz.questions.all():
        assert question.explanation not in html
    assert "六秒" not in html and "6秒" not in html  # accepted fill-in answers
    client.post(response.url, {"action": "submit"})
    review = client.get(response.url).content.decode()
    assert "买家等待超过 6 秒就容易流失。" in review


@pytest.mark.django_db
def test_someone_elses_attempt_is_not_found(client, quiz, trainee, other_trainee):
    attempt = attempt_start(user=trainee, quiz=quiz)
    client.force_login(other_trainee)
    assert client.get(reverse("courses:attempt", args=[attempt.pk])).status_code == 404
    assert (
        client.post(reverse("courses:attempt", args=[attempt.pk]), {"action": "submit"}).status_code
        == 404
    )
    attempt.refresh_from_db()
    assert attempt.is_open


@pytest.mark.django_db
def test_statistics_page_is_for_trainers(client, quiz, trainer, trainee, hr):
    url = reverse("courses:statistics", args=[quiz.pk])
    client.force_login(trainee)
    assert client.get(url).status_code == 403
    client.force_login(hr)
    assert client.get(url).status_code == 403
    client.force_login(trainer)
    html = client.get(url).content.decode()
    assert "b-first-response" in html


@pytest.mark.django_db
def test_trainers_do_not_take_quizzes(client, quiz, trainer):
    client.force_login(trainer)
    assert client.get(reverse("courses:index")).status_code == 403
    assert client.post(reverse("courses:quiz_start", args=[quiz.pk])).status_code == 403


@pytest.mark.django_db
def test_product_drill_page_hides_answers_until_submitted(client, trainee):
    from pathlib import Path

    from catalog.services import catalog_import
    from courses.models import DrillAttempt

    fixture = Path(__file__).resolve().parents[1] / "catalog" / "fixtures" / "mini-shop.yaml"
    catalog_import([fixture])
    client.force_login(trainee)
    response = client.post(reverse("courses:drills"), {"shop": "mini-shop"})
    drill = DrillAttempt.objects.get()
    html = client.get(response.url).content.decode()
    for question in drill.questions:
        assert question["prompt"] in html
        assert question["explanation"] not in html
    right = {f"d{i}": str(q["answer"]) for i, q in enumerate(drill.questions)}
    client.post(response.url, right)
    drill.refresh_from_db()
    assert drill.score == len(drill.questions)
    review = client.get(response.url).content.decode()
    assert drill.questions[0]["explanation"] in review


@pytest.mark.django_db
def test_trainers_author_in_the_admin_with_inline_questions(client, quiz, trainer, trainee):
    client.force_login(trainer)
    page = client.get(f"/admin/courses/quiz/{quiz.pk}/change/")
    assert page.status_code == 200
    assert "b-first-response" in page.content.decode()  # questions inline on the quiz
    question = quiz.questions.get(slug="b-first-response")
    page = client.get(f"/admin/courses/question/{question.pk}/change/")
    assert "6 秒" in page.content.decode()  # choices inline on the question
    client.force_login(trainee)
    assert client.get(f"/admin/courses/quiz/{quiz.pk}/change/").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "٣", "1.0", "-1", "abc", "99"])
def test_a_drill_answer_that_is_not_a_choice_is_a_form_error(client, trainee, value):
    """ "²" passes str.isdigit() and then int() fails: it was a 500. Now the page comes back
    with a message naming the question, and nothing is stored."""
    from pathlib import Path

    from catalog.services import catalog_import
    from courses.models import DrillAttempt

    fixture = Path(__file__).resolve().parents[1] / "catalog" / "fixtures" / "mini-shop.yaml"
    catalog_import([fixture])
    client.force_login(trainee)
    url = client.post(reverse("courses:drills"), {"shop": "mini-shop"}).url
    drill = DrillAttempt.objects.get()
    response = client.post(url, {"d0": value, "d1": "0"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(url, 302)]
    shown = [str(m) for m in response.context["messages"]]
    assert any("第 1 题" in m and value in m for m in shown), shown
    drill.refresh_from_db()
    assert drill.submitted_at is None and drill.score is None and drill.responses == []


@pytest.mark.django_db
def test_an_odd_rank_on_the_quiz_page_is_a_form_error(client, quiz, trainee):
    from courses.models import Answer
    from courses.selectors import attempt_paper

    attempt = attempt_start(user=trainee, quiz=quiz)
    ordering = next(q for q in attempt_paper(attempt) if q["type"] == "ordering")
    ranks = {f"q{ordering['id']}_{c['id']}": str(n) for n, c in enumerate(ordering["choices"], 1)}
    first = next(iter(ranks))
    client.force_login(trainee)
    url = reverse("courses:attempt", args=[attempt.pk])
    response = client.post(url, {**ranks, first: "²", "action": "save"}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any(f"第 {ordering['number']} 题" in m and "²" in m for m in shown), shown
    assert not Answer.objects.filter(attempt=attempt).exclude(response=None).exists()
    client.post(url, {**ranks, "action": "save"})
    saved = Answer.objects.get(attempt=attempt, question_id=ordering["id"]).response
    as_shown = next(item["c"] for item in attempt.layout if item["q"] == ordering["id"])
    assert saved["order"] == as_shown  # ranked 1, 2, 3… in the order shown, stored as choice ids


@pytest.mark.django_db
def test_the_wait_after_a_failed_attempt_gives_the_date_and_the_time_left(
    client, course, quiz, trainee
):
    import re
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from courses.services import attempt_submit

    quiz.retry_wait_minutes = 26 * 60  # into another day, so a time of day alone would mislead
    quiz.save()
    attempt_submit(user=trainee, attempt=attempt_start(user=trainee, quiz=quiz), answers={})
    submitted = Attempt.objects.get(user=trainee).submitted_at
    opens = (submitted + timedelta(minutes=26 * 60)).astimezone(ZoneInfo("Asia/Shanghai"))
    client.force_login(trainee)
    html = client.get(reverse("courses:module", args=["test-course", "basics"])).content.decode()
    wait = html.split('data-testid="retry-wait">')[1].split("</p>")[0]
    assert f"{opens.year}年{opens.month}月{opens.day}日" in wait
    assert f"{opens:%H:%M}" in wait or f"{opens.hour}:{opens:%M}" in wait
    assert re.search(r"1\s日，1\s小时", wait)  # the time left: just under 26 hours
    assert "下次可作答时间" in wait
