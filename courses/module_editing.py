"""One module of a course edited as YAML text in the browser: the text checked as the
importer checks a module file (its fields, then its place in the course: prerequisites,
question slugs unique across the course), a preview of its lessons and quiz, and publishing
it into the course through the importer, audited."""

from __future__ import annotations

from dataclasses import replace

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from courses.exporting import module_document
from courses.importing import course_import_data
from courses.models import Course, Module
from courses.rendering import markdown_to_tree
from courses.yaml_format import CourseData, ModuleData, check_course, module_parse
from yamlsource import SourceErrors, load_text


def module_yaml(module: Module) -> str:
    """The module as the editor opens it: the same document ``export_course`` writes."""
    return yaml.safe_dump(module_document(module), allow_unicode=True, sort_keys=False, width=100)


def _file_name(module: Module) -> str:
    return module.source_file or f"{module.slug}.yaml"


def module_check(module: Module, text: str) -> CourseData:
    """The course as it would be with ``text`` for this module; ``SourceErrors`` (with line
    and column in the text) when the text is not a valid module of this course."""
    name = _file_name(module)
    errors = SourceErrors()
    document = load_text(text, name)  # broken YAML stops here with its own errors
    edited = module_parse(document, module.source_file, errors, name=name)
    errors.raise_if_any()
    assert edited is not None
    if edited.slug != module.slug:
        errors.add(
            document,
            "slug",
            _("the slug of a module cannot change here (it is “%(slug)s”)") % {"slug": module.slug},
            path=("slug",),
        )
        raise errors
    course = module.course
    modules: list[ModuleData] = []
    documents: dict[str, object] = {}
    for other in course.modules.filter(is_active=True).order_by("position"):
        if other.pk == module.pk:
            modules.append(edited)
            documents[other.slug] = document
            continue
        # The other modules as stored, read back as the importer reads a file: positions in
        # them are never shown, only this module's are.
        other_document = load_text(module_yaml(other), _file_name(other))
        other_errors = SourceErrors()
        parsed = module_parse(other_document, other.source_file, other_errors)
        if parsed is not None:
            modules.append(parsed)
            documents[other.slug] = other_document
    data = CourseData(
        slug=course.slug, title=course.title, description=course.description, modules=modules
    )
    check_course(data, documents, errors)
    errors.raise_if_any()
    return data


def module_preview(data: CourseData, slug: str) -> dict:
    """What trainees would see of the module: its lessons as rendered pages, its quiz with
    each question's choices and the keys (the preview is the author's, never a trainee's)."""
    module = next(m for m in data.modules if m.slug == slug)
    quiz = None
    if module.quiz is not None:
        quiz = {
            "title": module.quiz.title,
            "pass_mark": module.quiz.pass_mark,
            "questions": [
                {
                    "slug": q.slug,
                    "type": q.type,
                    "prompt": q.prompt,
                    "choices": [{"text": c.text, "correct": c.correct} for c in q.choices],
                    "answer_true": q.answer_true,
                    "accepted": list(q.accepted),
                }
                for q in module.quiz.questions
            ],
        }
    return {
        "title": module.title,
        "lessons": [
            {
                "title": lesson.title,
                "minutes": lesson.minutes,
                "body": markdown_to_tree(lesson.body),
            }
            for lesson in module.lessons
        ],
        "quiz": quiz,
    }


@transaction.atomic
def module_publish(*, actor, module: Module, text: str) -> Course:
    """Publish the edited module into its course (all or nothing), audited."""
    data = module_check(module, text)
    edited = next(m for m in data.modules if m.slug == module.slug)
    data.modules = [
        replace(m, source_file=m.source_file or f"modules/{m.slug}.yaml") for m in data.modules
    ]
    course = course_import_data(data, actor=actor)
    audit_record(
        actor=actor,
        action="course.module_publish",
        target=course,
        after={
            "module": module.slug,
            "lessons": len(edited.lessons),
            "questions": len(edited.quiz.questions) if edited.quiz else 0,
        },
    )
    return course
