"""Reads for courses: progress, the next step, attempt papers and reviews."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from courses.layout import response_as_shown, tokens_by_choice
from courses.models import Attempt, Course, DrillAttempt, Lesson, Module, Question, Quiz


@dataclass
class ModuleProgress:
    module: Module
    lessons_total: int
    lessons_read: int
    quiz: Quiz | None
    quiz_passed: bool
    best_percent: float | None
    attempts_used: int
    open_attempt: Attempt | None
    unlocked: bool = True
    missing_prerequisites: list[Module] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.lessons_read >= self.lessons_total and (self.quiz is None or self.quiz_passed)

    @property
    def percent(self) -> int:
        steps = self.lessons_total + (1 if self.quiz else 0)
        done = self.lessons_read + (1 if self.quiz_passed else 0)
        return round(100 * done / steps) if steps else 100


def courses_active() -> QuerySet[Course]:
    return Course.objects.filter(modules__is_active=True).distinct()


def courses_for_authoring() -> QuerySet[Course]:
    """Every course, active or not, with its modules and their quizzes."""
    return Course.objects.prefetch_related("modules__quiz")


def modules_active(course: Course | None = None) -> QuerySet[Module]:
    """Active modules (of ``course`` only, when given)."""
    modules = Module.objects if course is None else course.modules
    return modules.filter(is_active=True).prefetch_related("prerequisites")


def lessons_active(module: Module | None = None) -> QuerySet[Lesson]:
    """Active lessons of active modules (of ``module`` only, when given), in reading order."""
    lessons = Lesson.objects.filter(is_active=True, module__is_active=True)
    if module is not None:
        lessons = lessons.filter(module=module)
    return lessons.select_related("module__course")


def lesson_ids_read(user, module: Module) -> set[int]:
    return set(module.lessons.filter(reads__user=user).values_list("pk", flat=True))


def lesson_is_read(user, lesson: Lesson) -> bool:
    return lesson.reads.filter(user=user).exists()


def quizzes_active() -> QuerySet[Quiz]:
    """Quizzes a trainee may take: those of active modules."""
    return Quiz.objects.filter(module__is_active=True).select_related("module__course")


def quizzes_for_authoring() -> QuerySet[Quiz]:
    """Every quiz, active or not, for trainers' statistics."""
    return Quiz.objects.select_related("module__course")


def course_progress(user, course: Course) -> list[ModuleProgress]:
    """Per active module: reading, quiz result, and whether its prerequisites are complete.

    A fixed number of queries whatever the number of modules.
    """
    modules = list(
        modules_active(course)
        .annotate(
            lessons_total=Count("lessons", filter=Q(lessons__is_active=True), distinct=True),
            lessons_read=Count(
                "lessons__reads",
                filter=Q(lessons__is_active=True, lessons__reads__user=user),
                distinct=True,
            ),
        )
        .select_related("quiz")
    )
    attempts = Attempt.objects.filter(user=user, quiz__module__in=modules).order_by("number")
    by_quiz: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    progress: dict[int, ModuleProgress] = {}
    for module in modules:
        quiz = getattr(module, "quiz", None)
        mine = by_quiz.get(quiz.pk, []) if quiz else []
        graded = [a for a in mine if a.percent is not None]
        progress[module.pk] = ModuleProgress(
            module=module,
            lessons_total=module.lessons_total,
            lessons_read=module.lessons_read,
            quiz=quiz,
            quiz_passed=any(a.passed for a in mine),
            best_percent=max((float(a.percent) for a in graded), default=None),
            attempts_used=len(mine),
            open_attempt=next((a for a in mine if a.is_open), None),
        )
    for item in progress.values():
        item.missing_prerequisites = [
            pre
            for pre in item.module.prerequisites.all()
            if pre.pk in progress and not progress[pre.pk].complete
        ]
        item.unlocked = not item.missing_prerequisites
    return [progress[module.pk] for module in modules]


def module_progress(user, module: Module) -> ModuleProgress:
    for item in course_progress(user, module.course):
        if item.module.pk == module.pk:
            return item
    raise Module.DoesNotExist


def next_step(user, course: Course) -> tuple[ModuleProgress, Lesson | None] | None:
    """The first unlocked, incomplete module and its first unread lesson (None: take the quiz)."""
    for item in course_progress(user, course):
        if item.unlocked and not item.complete:
            unread = (
                item.module.lessons.filter(is_active=True)
                .exclude(reads__user=user)
                .order_by("position")
                .first()
            )
            return item, unread
    return None


@dataclass
class RetryState:
    allowed: bool
    reason: str = ""
    wait_until: datetime | None = None


def attempt_retry_state(user, quiz: Quiz, now: datetime | None = None) -> RetryState:
    """Whether the user may start a new attempt now, and if not, why."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    attempts = list(Attempt.objects.filter(user=user, quiz=quiz).order_by("number"))
    if any(a.passed for a in attempts):
        return RetryState(False, _("You have already passed this quiz."))
    closed = [a for a in attempts if not a.is_open]
    if quiz.max_attempts and len(closed) >= quiz.max_attempts:
        return RetryState(False, _("You have used all %(n)d attempts.") % {"n": quiz.max_attempts})
    if closed and quiz.retry_wait_minutes:
        last = closed[-1]
        wait_until = (last.submitted_at or last.started_at) + timedelta(
            minutes=quiz.retry_wait_minutes
        )
        if now < wait_until:
            return RetryState(False, _("You can try again after a short break."), wait_until)
    return RetryState(True)


def attempt_paper(attempt: Attempt) -> list[dict]:
    """The questions of an attempt in its order, with choices in its order and no keys.

    This is all a browser ever receives before the attempt is submitted. Choices carry the
    attempt's tokens, not their ids (``courses.layout``), and so do saved responses.
    """
    questions = {
        q.pk: q
        for q in Question.objects.filter(pk__in=[i["q"] for i in attempt.layout]).prefetch_related(
            "choices"
        )
    }
    saved = {a.question_id: a.response for a in attempt.answers.all()}
    paper = []
    for number, item in enumerate(attempt.layout, start=1):
        question = questions[item["q"]]
        choices = {c.pk: c for c in question.choices.all()}
        token_of = tokens_by_choice(item)
        paper.append(
            {
                "id": question.pk,
                "number": number,
                "type": question.type,
                "prompt": question.prompt,
                "points": question.points,
                "choices": [
                    {"id": token_of[cid], "text": choices[cid].text}
                    for cid in item["c"]
                    if cid in choices and cid in token_of
                ],
                "response": response_as_shown(saved.get(question.pk), item),
            }
        )
    return paper


def attempt_review(attempt: Attempt) -> list[dict]:
    """The paper with the key, the grade and the explanation: only after submission.

    The key is named with the paper's own tokens, in the order shown.
    """
    if attempt.is_open:
        raise PermissionError("the attempt is still open")
    answers = {a.question_id: a for a in attempt.answers.all()}
    questions = {
        q.pk: q
        for q in Question.objects.filter(pk__in=answers)
        .select_related("lesson")
        .prefetch_related("choices")
    }
    items = {item["q"]: item for item in attempt.layout}
    review = []
    for entry in attempt_paper(attempt):
        question = questions[entry["id"]]
        answer = answers[question.pk]
        correct = {c.pk for c in question.choices.all() if c.correct}
        item = items[question.pk]
        token_of = tokens_by_choice(item)
        entry.update(
            {
                "score": answer.score,
                "max_score": answer.max_score,
                "correct": answer.score == answer.max_score,
                "explanation": question.explanation,
                "lesson": question.lesson,
                "correct_choices": [
                    token_of[cid] for cid in item["c"] if cid in correct and cid in token_of
                ],
                "correct_order": [
                    c.text for c in sorted(question.choices.all(), key=lambda c: c.position)
                ],
                "answer_true": question.answer_true,
                "accepted": list(question.accepted),
            }
        )
        review.append(entry)
    return review


def attempts_of(user, quiz: Quiz | None = None) -> QuerySet[Attempt]:
    """The user's own attempts (of ``quiz`` only, when given), newest first.

    Narrowing this by pk makes another trainee's attempt a 404: its existence is not revealed.
    """
    attempts = Attempt.objects.filter(user=user).select_related("quiz__module__course")
    if quiz is not None:
        attempts = attempts.filter(quiz=quiz)
    return attempts.order_by("-number")


def drills_of(user) -> QuerySet[DrillAttempt]:
    """The user's own product drills, newest first."""
    return DrillAttempt.objects.filter(user=user).select_related("shop")
