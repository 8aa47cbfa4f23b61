"""Import by slug, in place; retire rather than delete; export round-trips."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from courses.exporting import course_export, module_document
from courses.importing import course_import
from courses.models import Attempt, Question
from courses.services import attempt_start, attempt_submit

FIXTURES = Path(__file__).parent / "fixtures" / "basic"
CONTENT = Path(__file__).resolve().parents[2] / "content" / "courses"


def _snapshot(course) -> list[dict]:
    return [module_document(m) for m in course.modules.filter(is_active=True)]


@pytest.mark.django_db
def test_export_then_import_gives_the_same_content(course, tmp_path):
    before = _snapshot(course)
    course_export(course, tmp_path / "out")
    again = course_import(tmp_path / "out" / "course.yaml")
    assert again.pk == course.pk
    assert _snapshot(again) == before


@pytest.mark.django_db
def test_reimport_updates_in_place_and_keeps_attempt_history(course, quiz, trainee, tmp_path):
    attempt = attempt_start(user=trainee, quiz=quiz)
    attempt = attempt_submit(user=trainee, attempt=attempt, answers={})
    question_ids = set(quiz.questions.values_list("pk", flat=True))

    edited = tmp_path / "edited"
    shutil.copytree(FIXTURES, edited)
    module_a = edited / "modules" / "a.yaml"
    text = module_a.read_text(encoding="utf-8")
    text = text.replace("首次响应最好在几秒以内？", "首次响应的最佳时间是？")
    start = text.index("    - slug: b-seconds")
    module_a.write_text(text[:start], encoding="utf-8")  # drop the last question
    course_import(edited / "course.yaml")

    assert set(quiz.questions.values_list("pk", flat=True)) == question_ids  # same rows
    assert quiz.questions.get(slug="b-first-response").prompt == "首次响应的最佳时间是？"
    retired = quiz.questions.get(slug="b-seconds")
    assert retired.is_active is False
    attempt = Attempt.objects.get(pk=attempt.pk)
    assert attempt.answers.count() == 5 and attempt.percent is not None
    assert Question.objects.filter(quiz=quiz, is_active=True).count() == 4


@pytest.mark.django_db
def test_shipped_course_imports_cleanly_and_round_trips(tmp_path):
    course = course_import(CONTENT / "cs-onboarding" / "course.yaml")
    modules = list(course.modules.filter(is_active=True))
    assert len(modules) >= 6
    lessons = sum(m.lessons.count() for m in modules)
    questions = Question.objects.filter(quiz__module__course=course)
    assert lessons >= 24
    assert questions.count() >= 120
    assert not questions.filter(explanation="").exists()
    assert set(questions.values_list("type", flat=True)) == {
        "single",
        "multiple",
        "true_false",
        "ordering",
        "fill_in",
    }
    before = _snapshot(course)
    course_export(course, tmp_path / "out")
    assert _snapshot(course_import(tmp_path / "out" / "course.yaml")) == before
