"""The course YAML format (docs/CONTENT_FORMAT.md): a course file naming module files.

Messages are in the active language (``yamlsource.i18n``), like the shared field checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from yamlsource import Position, SourceErrors, load_file, wording
from yamlsource.fieldpath import subject
from yamlsource.fields import Fields, items_of
from yamlsource.i18n import gettext as _

COURSE_FIELDS = {"slug", "title", "description", "modules"}
MODULE_FIELDS = {"slug", "title", "summary", "prerequisites", "lessons", "quiz"}
LESSON_FIELDS = {"slug", "title", "minutes", "body"}
QUIZ_FIELDS = {
    "title",
    "pass_mark",
    "max_attempts",
    "retry_wait_minutes",
    "time_limit_minutes",
    "shuffle",
    "questions",
}
# The quiz's own columns, copied as they are on import (its questions are rows of their own).
QUIZ_COLUMNS = tuple(sorted(QUIZ_FIELDS - {"questions"}))
QUESTION_FIELDS = {
    "slug",
    "type",
    "lesson",
    "prompt",
    "points",
    "choices",
    "answer",
    "items",
    "accepted",
    "explanation",
}
TYPES = ("single", "multiple", "true_false", "ordering", "fill_in")
MAX_ORDERING_ITEMS = 8
TYPE_FIELDS = {
    "single": {"choices"},
    "multiple": {"choices"},
    "true_false": {"answer"},
    "ordering": {"items"},
    "fill_in": {"accepted"},
}


@dataclass
class ChoiceData:
    text: str
    correct: bool


@dataclass
class QuestionData:
    slug: str
    type: str
    lesson: str
    prompt: str
    explanation: str
    points: int
    choices: list[ChoiceData] = field(default_factory=list)  # ordering: items in order
    answer_true: bool | None = None
    accepted: list[str] = field(default_factory=list)


@dataclass
class LessonData:
    slug: str
    title: str
    minutes: int
    body: str


@dataclass
class QuizData:
    title: str
    pass_mark: int
    max_attempts: int
    retry_wait_minutes: int
    time_limit_minutes: int | None
    shuffle: bool
    questions: list[QuestionData]


@dataclass
class ModuleData:
    slug: str
    title: str
    summary: str
    prerequisites: list[str]
    lessons: list[LessonData]
    quiz: QuizData | None
    source_file: str


@dataclass
class CourseData:
    slug: str
    title: str
    description: str
    modules: list[ModuleData]


def _question(item: Fields, lessons: set[str]) -> QuestionData | None:
    item.known(QUESTION_FIELDS)
    kind = item.choice("type", TYPES)
    data = QuestionData(
        slug=item.slug() or "",
        type=kind or "",
        lesson=item.slug("lesson") or "",
        prompt=item.text("prompt", max_length=2000) or "",
        explanation=item.text("explanation", max_length=4000) or "",
        points=item.integer("points", required=False, minimum=1, maximum=100) or 1,
    )
    if data.lesson and data.lesson not in lessons:
        item.error(
            "lesson", _("“%(lesson)s” is not a lesson of this module") % {"lesson": data.lesson}
        )
    if kind is None:
        return None
    _check_other_types_fields(item, kind)
    _ANSWER_PARSERS[kind](item, data)
    return data


def _check_other_types_fields(item: Fields, kind: str) -> None:
    for other_kind, fields in TYPE_FIELDS.items():
        if other_kind != kind:
            for name in fields - TYPE_FIELDS[kind]:
                if name in item.node:
                    item.error(
                        name,
                        _("%(field)s does not belong to a question of type %(type)s")
                        % {"field": name, "type": kind},
                    )


def _repeated(texts: list[str]) -> list[str]:
    """The texts written more than once, each named once."""
    return list(dict.fromkeys(text for index, text in enumerate(texts) if text in texts[:index]))


def _choices_parse(item: Fields, data: QuestionData) -> None:
    """single and multiple: the choices, and how many of them are correct."""
    choices = item.sequence("choices", min_items=2, max_items=8)
    for choice, _index in items_of(item, "choices", choices):
        choice.known({"text", "correct"})
        text = choice.text("text", max_length=500)
        correct = choice.boolean("correct", required=False, default=False)
        if text is not None:
            data.choices.append(ChoiceData(text, bool(correct)))
    correct_count = sum(choice.correct for choice in data.choices)
    for text in _repeated([choice.text for choice in data.choices]):
        item.error("choices", _("two choices have the same text “%(text)s”") % {"text": text})
    if choices is not None and data.type == "single" and correct_count != 1:
        item.error(
            "choices",
            _("a single-choice question needs exactly one correct choice (has %(count)d)")
            % {"count": correct_count},
        )
    if choices is not None and data.type == "multiple" and correct_count < 1:
        item.error("choices", _("a multiple-choice question needs at least one correct choice"))


def _true_false_parse(item: Fields, data: QuestionData) -> None:
    data.answer_true = item.boolean("answer")


def _ordering_parse(item: Fields, data: QuestionData) -> None:
    texts = item.text_list("items", min_items=3, max_length=500)
    if len(texts) > MAX_ORDERING_ITEMS:
        item.error(
            "items", wording.too_many_items(item.subject("items"), MAX_ORDERING_ITEMS, len(texts))
        )
    for text in _repeated(texts):
        item.error("items", _("two items have the same text “%(text)s”") % {"text": text})
    data.choices = [ChoiceData(text, True) for text in texts]


def _fill_in_parse(item: Fields, data: QuestionData) -> None:
    data.accepted = item.text_list("accepted", min_items=1, max_length=200)


# Per type (keyed like TYPES): reads the fields that type's answer lives in (TYPE_FIELDS).
_ANSWER_PARSERS: dict[str, Callable[[Fields, QuestionData], None]] = {
    "single": _choices_parse,
    "multiple": _choices_parse,
    "true_false": _true_false_parse,
    "ordering": _ordering_parse,
    "fill_in": _fill_in_parse,
}


def _quiz(parent: Fields, node, lessons: set[str]) -> QuizData | None:
    quiz = parent.child("quiz", node)
    if quiz is None:
        return None
    quiz.known(QUIZ_FIELDS)
    data = QuizData(
        title=quiz.text("title", max_length=200) or "",
        pass_mark=quiz.integer("pass_mark", minimum=1, maximum=100) or 80,
        max_attempts=quiz.integer("max_attempts", required=False, minimum=0, maximum=100) or 0,
        retry_wait_minutes=quiz.integer(
            "retry_wait_minutes", required=False, minimum=0, maximum=7 * 24 * 60
        )
        or 0,
        time_limit_minutes=quiz.integer(
            "time_limit_minutes", required=False, minimum=1, maximum=600
        ),
        shuffle=bool(quiz.boolean("shuffle", required=False, default=True)),
        questions=[],
    )
    questions = quiz.sequence("questions", min_items=1)
    for question, _index in items_of(quiz, "questions", questions):
        parsed = _question(question, lessons)
        if parsed is not None:
            data.questions.append(parsed)
    return data


def _document_start(document, name: str) -> Position:
    """Where a document starts: a mapping's or list's own place; line 1 for a lone value
    (which knows no place of its own)."""
    return document.position() if hasattr(document, "position") else Position(name, 1, 1)


def module_parse(
    document, source_file: str, errors: SourceErrors, *, name: str | None = None
) -> ModuleData | None:
    """``name``: the file as errors name it (``source_file`` when not given)."""
    if not isinstance(document, dict):
        errors.add_at(
            _document_start(document, name or source_file),
            "",
            _("a module file must be a mapping with slug, title, lessons …"),
        )
        return None
    root = Fields(document, "", errors)
    root.known(MODULE_FIELDS)
    lessons: list[LessonData] = []
    for lesson, _index in items_of(root, "lessons", root.sequence("lessons", min_items=1)):
        lesson.known(LESSON_FIELDS)
        data = LessonData(
            slug=lesson.slug() or "",
            title=lesson.text("title", max_length=200) or "",
            minutes=lesson.integer("minutes", required=False, minimum=1, maximum=240) or 5,
            body=lesson.text("body", max_length=50_000) or "",
        )
        lessons.append(data)
    slugs = [lesson.slug for lesson in lessons if lesson.slug]
    for slug in sorted({s for s in slugs if slugs.count(s) > 1}):
        root.error("lessons", _("lesson slug “%(slug)s” appears more than once") % {"slug": slug})
    quiz_node = root.mapping("quiz", required=False)
    quiz = _quiz(root, quiz_node, set(slugs)) if quiz_node is not None else None
    if quiz is not None:
        question_slugs = [q.slug for q in quiz.questions if q.slug]
        for slug in sorted({s for s in question_slugs if question_slugs.count(s) > 1}):
            root.error(
                "quiz", _("question slug “%(slug)s” appears more than once") % {"slug": slug}
            )
    return ModuleData(
        slug=root.slug() or "",
        title=root.text("title", max_length=200) or "",
        summary=root.text("summary", required=False, max_length=2000) or "",
        prerequisites=[p for p in root.text_list("prerequisites", required=False)],
        lessons=lessons,
        quiz=quiz,
        source_file=source_file,
    )


def course_file_parse(path: Path | str) -> tuple[CourseData, dict[str, object]]:
    """Read a course file and its module files; raise ``SourceErrors`` with every problem.

    Returns the course and, per module slug, the module document (for later positions).
    """
    path = Path(path)
    errors = SourceErrors()
    document = load_file(path)  # a broken course file stops here with its own errors
    if not isinstance(document, dict):
        errors.add_at(
            _document_start(document, str(path)),
            "",
            _("a course file must be a mapping with slug, title, modules"),
        )
        raise errors
    root = Fields(document, "", errors)
    root.known(COURSE_FIELDS)
    course = CourseData(
        slug=root.slug() or "",
        title=root.text("title", max_length=200) or "",
        description=root.text("description", required=False, max_length=20_000) or "",
        modules=[],
    )
    module_paths = root.sequence("modules", min_items=1) or []
    module_documents: dict[str, object] = {}
    for index, relative in enumerate(module_paths):
        if not isinstance(relative, str) or not relative.strip():
            place = ("modules", index)
            message = _("%(field)s must be the path of a module file") % {"field": subject(place)}
            errors.add(module_paths, index, message, path=place)
            continue
        module_path = (path.parent / relative).resolve()
        module_name = str(path.parent / relative)
        try:
            module_document = load_file(module_path, display_name=module_name)
        except SourceErrors as module_errors:
            errors.extend(module_errors)
            continue
        module = module_parse(module_document, relative, errors, name=module_name)
        if module is None:
            continue
        if module.slug in module_documents:
            errors.add(
                module_paths,
                index,
                _("module slug “%(slug)s” is used twice") % {"slug": module.slug},
                path=("modules", index),
            )
        module_documents[module.slug] = module_document
        course.modules.append(module)
    check_course(course, module_documents, errors)
    errors.raise_if_any()
    return course, module_documents


def check_course(course: CourseData, documents: dict, errors: SourceErrors) -> None:
    known = [module.slug for module in course.modules]
    seen_questions: dict[str, str] = {}
    for position, module in enumerate(course.modules):
        document = documents.get(module.slug)
        for prerequisite in module.prerequisites:
            if prerequisite not in known:
                errors.add(
                    document,
                    "prerequisites",
                    _("“%(module)s” is not a module of this course") % {"module": prerequisite},
                    path=("prerequisites",),
                )
            elif known.index(prerequisite) >= position:
                errors.add(
                    document,
                    "prerequisites",
                    _("“%(module)s” must come before this module in the course")
                    % {"module": prerequisite},
                    path=("prerequisites",),
                )
        for question in module.quiz.questions if module.quiz else []:
            if question.slug in seen_questions and seen_questions[question.slug] != module.slug:
                errors.add(
                    document,
                    "quiz",
                    _("question slug “%(slug)s” is also used in module “%(module)s”")
                    % {"slug": question.slug, "module": seen_questions[question.slug]},
                    path=("quiz",),
                )
            seen_questions[question.slug] = module.slug
