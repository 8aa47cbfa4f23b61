"""Export a course to the YAML files it is imported from (round-trip safe)."""

from __future__ import annotations

from pathlib import Path

from catalog.exporting import dump_yaml
from courses.models import Course, Module, Question


def _question_document(question: Question) -> dict:
    document: dict = {
        "slug": question.slug,
        "type": question.type,
        "lesson": question.lesson.slug,
        "prompt": question.prompt,
    }
    if question.points != 1:
        document["points"] = question.points
    choices = list(question.choices.all())
    if question.type in ("single", "multiple"):
        document["choices"] = [
            {"text": c.text, "correct": True} if c.correct else {"text": c.text} for c in choices
        ]
    elif question.type == "ordering":
        document["items"] = [c.text for c in choices]
    elif question.type == "true_false":
        document["answer"] = bool(question.answer_true)
    elif question.type == "fill_in":
        document["accepted"] = list(question.accepted)
    document["explanation"] = question.explanation
    return document


def module_document(module: Module) -> dict:
    document: dict = {
        "slug": module.slug,
        "title": module.title,
        "summary": module.summary,
        "prerequisites": [m.slug for m in module.prerequisites.order_by("position")],
        "lessons": [
            {
                "slug": lesson.slug,
                "title": lesson.title,
                "minutes": lesson.minutes,
                "body": lesson.body,
            }
            for lesson in module.lessons.filter(is_active=True)
        ],
    }
    quiz = getattr(module, "quiz", None)
    if quiz is not None:
        questions = quiz.questions.filter(is_active=True).select_related("lesson")
        document["quiz"] = {
            "title": quiz.title,
            "pass_mark": quiz.pass_mark,
            "max_attempts": quiz.max_attempts,
            "retry_wait_minutes": quiz.retry_wait_minutes,
            "time_limit_minutes": quiz.time_limit_minutes,
            "shuffle": quiz.shuffle,
            "questions": [_question_document(q) for q in questions.prefetch_related("choices")],
        }
    return document


def course_export(course: Course, output: Path) -> list[Path]:
    """Write ``output/course.yaml`` and ``output/modules/NN-slug.yaml``."""
    (output / "modules").mkdir(parents=True, exist_ok=True)
    written = []
    module_paths = []
    for number, module in enumerate(course.modules.filter(is_active=True), start=1):
        relative = module.source_file or f"modules/{number:02d}-{module.slug}.yaml"
        path = output / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_yaml(module_document(module)), encoding="utf-8")
        module_paths.append(relative)
        written.append(path)
    course_path = output / "course.yaml"
    course_path.write_text(
        dump_yaml(
            {
                "slug": course.slug,
                "title": course.title,
                "description": course.description,
                "modules": module_paths,
            }
        ),
        encoding="utf-8",
    )
    return [course_path, *written]
