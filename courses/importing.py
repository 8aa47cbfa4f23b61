"""Import a course from its YAML files: validate everything, then upsert by slug, atomically.

Modules, lessons and questions dropped from the files are retired (hidden), never deleted,
so attempt history stays intact.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from audit.services import audit_record
from courses.models import Choice, Course, Lesson, Module, Question, Quiz
from courses.yaml_format import QUIZ_COLUMNS, CourseData, QuestionData, course_file_parse


def _sync_choices(question: Question, data: QuestionData) -> None:
    existing = list(question.choices.all())
    for position, choice_data in enumerate(data.choices):
        choice = existing[position] if position < len(existing) else Choice(question=question)
        choice.text = choice_data.text
        choice.correct = choice_data.correct
        choice.position = position
        choice.full_clean()
        choice.save()
    for choice in existing[len(data.choices) :]:
        choice.delete()


def _import_quiz(module: Module, data, lessons: dict[str, Lesson]) -> None:
    quiz = Quiz.objects.filter(module=module).first() or Quiz(module=module)
    for name in QUIZ_COLUMNS:
        setattr(quiz, name, getattr(data, name))
    quiz.full_clean()
    quiz.save()
    existing = {q.slug: q for q in quiz.questions.all()}
    for position, question_data in enumerate(data.questions):
        question = existing.pop(question_data.slug, None) or Question(
            quiz=quiz, slug=question_data.slug
        )
        question.type = question_data.type
        question.prompt = question_data.prompt
        question.lesson = lessons[question_data.lesson]
        question.explanation = question_data.explanation
        question.points = question_data.points
        question.answer_true = question_data.answer_true
        question.accepted = question_data.accepted
        question.position = position
        question.is_active = True
        question.full_clean()
        question.save()
        _sync_choices(question, question_data)
    for question in existing.values():
        question.is_active = False
        question.save(update_fields=["is_active"])


@transaction.atomic
def course_import_data(data: CourseData, *, actor=None) -> Course:
    """Upsert the course; audited as ``course.import`` (``actor`` None: the command line)."""
    course = Course.objects.filter(slug=data.slug).first() or Course(slug=data.slug)
    created = course.pk is None
    course.title = data.title
    course.description = data.description
    course.full_clean()
    course.save()
    existing_modules = {m.slug: m for m in course.modules.all()}
    modules: dict[str, Module] = {}
    for position, module_data in enumerate(data.modules):
        module = existing_modules.pop(module_data.slug, None) or Module(
            course=course, slug=module_data.slug
        )
        module.title = module_data.title
        module.summary = module_data.summary
        module.position = position
        module.source_file = module_data.source_file
        module.is_active = True
        module.full_clean()
        module.save()
        modules[module.slug] = module

        existing_lessons = {lesson.slug: lesson for lesson in module.lessons.all()}
        lessons: dict[str, Lesson] = {}
        for lesson_position, lesson_data in enumerate(module_data.lessons):
            lesson = existing_lessons.pop(lesson_data.slug, None) or Lesson(
                module=module, slug=lesson_data.slug
            )
            lesson.title = lesson_data.title
            lesson.minutes = lesson_data.minutes
            lesson.body = lesson_data.body
            lesson.position = lesson_position
            lesson.is_active = True
            lesson.full_clean()
            lesson.save()
            lessons[lesson.slug] = lesson
        for lesson in existing_lessons.values():
            lesson.is_active = False
            lesson.save(update_fields=["is_active"])
        if module_data.quiz is not None:
            _import_quiz(module, module_data.quiz, lessons)
    for module_data in data.modules:
        modules[module_data.slug].prerequisites.set(
            [modules[slug] for slug in module_data.prerequisites]
        )
    for module in existing_modules.values():
        module.is_active = False
        module.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="course.import",
        target=course,
        after={
            "slug": course.slug,
            "created": created,
            "modules": len(data.modules),
            "lessons": sum(len(m.lessons) for m in data.modules),
            "questions": sum(len(m.quiz.questions) for m in data.modules if m.quiz),
            "retired_modules": sorted(existing_modules),
        },
    )
    return course


def course_import(path: Path | str, *, actor=None) -> Course:
    """Validate a course file and its modules (raising ``SourceErrors``), then import."""
    data, _documents = course_file_parse(path)
    return course_import_data(data, actor=actor)
