"""Attempts: started, saved, submitted and expired on the server; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from courses.models import Answer, Attempt
from courses.selectors import attempt_paper, course_progress
from courses.services import (
    AttemptClosed,
    attempt_expire,
    attempt_save,
    attempt_start,
    attempt_submit,
    lesson_mark_read,
)


def _right_answers(attempt: Attempt) -> dict:
    """The key, with choices named as the trainee names them: by the paper's tokens."""
    token_of = {item["q"]: dict(zip(item["c"], item["t"], strict=True)) for item in attempt.layout}
    answers = {}
    for answer in attempt.answers.select_related("question"):
        question = answer.question
        choices = sorted(question.choices.all(), key=lambda c: c.position)
        tokens = token_of[question.pk]
        if question.type == "single":
            answers[str(question.pk)] = {"choice": next(tokens[c.pk] for c in choices if c.correct)}
        elif question.type == "multiple":
            answers[str(question.pk)] = {"choices": [tokens[c.pk] for c in choices if c.correct]}
        elif question.type == "true_false":
            answers[str(question.pk)] = {"value": question.answer_true}
        elif question.type == "ordering":
            answers[str(question.pk)] = {"order": [tokens[c.pk] for c in choices]}
        else:
            answers[str(question.pk)] = {"text": question.accepted[0]}
    return answers


@pytest.mark.django_db
def test_paper_is_shuffled_reproducibly_and_carries_no_key(quiz, trainee):
    attempt = attempt_start(user=trainee, quiz=quiz)
    paper = attempt_paper(attempt)
    assert len(paper) == 5
    for question in paper:
        assert set(question) == {"id", "number", "type", "prompt", "points", "choices", "response"}
        for choice in question["choices"]:
            assert set(choice) == {"id", "text"}
    ordering = next(q for q in paper if q["type"] == "ordering")
    stored = [c.text for c in quiz.questions.get(slug="b-flow").choices.order_by("position")]
    assert [c["text"] for c in ordering["choices"]] != stored  # never shown in the right order
    # A reload shows the same paper; starting again returns the same open attempt.
    assert attempt_start(user=trainee, quiz=quiz).pk == attempt.pk
    assert attempt_paper(attempt) == paper


@pytest.mark.django_db
def test_submit_grades_on_the_server(quiz, trainee):
    attempt = attempt_start(user=trainee, quiz=quiz)
    answers = _right_answers(attempt)
    first = next(iter(answers))
    answers[first] = None  # one unanswered question: 4 of 5 = 80% >= 75%
    attempt = attempt_submit(user=trainee, attempt=attempt, answers=answers)
    assert (attempt.score, attempt.max_score, attempt.percent) == (4, 5, 80)
    assert attempt.passed is True and attempt.status == Attempt.Status.SUBMITTED


@pytest.mark.django_db
def test_bad_answers_change_nothing(quiz, trainee, other_trainee):
    attempt = attempt_start(user=trainee, quiz=quiz)
    good = _right_answers(attempt)
    attempt_save(user=trainee, attempt=attempt, answers={k: good[k] for k in list(good)[:1]})
    saved = list(Answer.objects.filter(attempt=attempt).values_list("response", flat=True))
    with pytest.raises(ValidationError) as raised:
        attempt_save(user=trainee, attempt=attempt, answers={**good, "999999": {"value": True}})
    assert "999999" in raised.value.message_dict
    with pytest.raises(PermissionDenied):
        attempt_submit(user=other_trainee, attempt=attempt, answers=good)
    assert list(Answer.objects.filter(attempt=attempt).values_list("response", flat=True)) == saved
    attempt.refresh_from_db()
    assert attempt.is_open


@pytest.mark.django_db
def test_second_submission_is_refused(quiz, trainee):
    attempt = attempt_start(user=trainee, quiz=quiz)
    attempt_submit(user=trainee, attempt=attempt, answers={})
    with pytest.raises(AttemptClosed, match="已经提交过了"):
        attempt_submit(user=trainee, attempt=attempt, answers=_right_answers(attempt))
    attempt.refresh_from_db()
    assert attempt.score == 0


@pytest.mark.django_db
def test_after_the_deadline_saved_answers_are_graded_and_new_ones_refused(quiz, trainee):
    quiz.time_limit_minutes = 10
    quiz.save()
    attempt = attempt_start(user=trainee, quiz=quiz)
    answers = _right_answers(attempt)
    saved_key = next(iter(answers))
    attempt_save(user=trainee, attempt=attempt, answers={saved_key: answers[saved_key]})
    Attempt.objects.filter(pk=attempt.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    attempt.refresh_from_db()
    with pytest.raises(AttemptClosed, match="作答时间已到"):
        attempt_submit(user=trainee, attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.EXPIRED and attempt.score == 1
    assert attempt_expire(attempt_id=attempt.pk) is None  # a late timer changes nothing


@pytest.mark.django_db
def test_attempt_limit_and_wait(quiz, trainee):
    quiz.retry_wait_minutes = 30
    quiz.save()
    attempt_submit(user=trainee, attempt=attempt_start(user=trainee, quiz=quiz), answers={})
    with pytest.raises(ValidationError, match="."):
        attempt_start(user=trainee, quiz=quiz)  # must wait 30 minutes
    Attempt.objects.update(submitted_at=timezone.now() - timedelta(minutes=31))
    attempt_submit(user=trainee, attempt=attempt_start(user=trainee, quiz=quiz), answers={})
    Attempt.objects.update(submitted_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError):
        attempt_start(user=trainee, quiz=quiz)  # max_attempts: 2
    assert Attempt.objects.filter(user=trainee).count() == 2


@pytest.mark.django_db
def test_module_unlocks_when_lessons_read_and_quiz_passed(course, quiz, trainee):
    advanced = course.modules.get(slug="advanced")
    with pytest.raises(PermissionDenied):
        attempt_start(user=trainee, quiz=advanced.quiz)
    with pytest.raises(PermissionDenied):
        lesson_mark_read(user=trainee, lesson=advanced.lessons.get())
    attempt = attempt_start(user=trainee, quiz=quiz)
    attempt_submit(user=trainee, attempt=attempt, answers=_right_answers(attempt))
    basics, locked = course_progress(trainee, course)
    assert basics.quiz_passed and not basics.complete  # lessons not read yet
    assert not locked.unlocked
    for lesson in quiz.module.lessons.all():
        lesson_mark_read(user=trainee, lesson=lesson)
    basics, advanced_progress = course_progress(trainee, course)
    assert basics.complete and advanced_progress.unlocked


@pytest.mark.django_db
def test_only_trainees_take_quizzes(quiz, trainer):
    with pytest.raises(PermissionDenied):
        attempt_start(user=trainer, quiz=quiz)
