"""Writes for courses: reading lessons, starting, saving, submitting and expiring attempts."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.grading import response_clean, response_grade
from courses.layout import choices_by_token, layout_build
from courses.models import Answer, Attempt, DrillAttempt, Lesson, LessonRead, Question, Quiz
from courses.selectors import attempt_retry_state, module_progress
from simulator.service_errors import Conflict


class AttemptClosed(Conflict):
    """The attempt is already submitted, or its time is up: HTTP 409 in the API."""


def _require_trainee(user) -> None:
    if not user.has_perm("accounts.act_as_trainee"):
        raise PermissionDenied(_("Only trainees take courses."))


def lesson_mark_read(*, user, lesson: Lesson) -> LessonRead:
    _require_trainee(user)
    if not lesson.is_active or not module_progress(user, lesson.module).unlocked:
        raise PermissionDenied(_("This module is locked until its prerequisites are complete."))
    read, _created = LessonRead.objects.get_or_create(user=user, lesson=lesson)
    return read


def _attempt_seed() -> int:
    """A fresh secret seed for an attempt's layout (tests fix it for reproducible papers)."""
    return secrets.randbits(62)


def attempt_deadline(quiz: Quiz, started_at):
    return (
        started_at + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    )


def attempt_start(*, user, quiz: Quiz) -> Attempt:
    """Start an attempt, or return the one already open (a reload must not start another)."""
    _require_trainee(user)
    progress = module_progress(user, quiz.module)
    if not progress.unlocked:
        raise PermissionDenied(_("This module is locked until its prerequisites are complete."))
    if progress.open_attempt is not None:
        attempt = progress.open_attempt
        if attempt.deadline_at is None or timezone.now() < attempt.deadline_at:
            return attempt
        attempt_expire(attempt_id=attempt.pk)
    state = attempt_retry_state(user, quiz)
    if not state.allowed:
        raise ValidationError(state.reason)
    from courses.tasks import attempt_expire_task

    seed = _attempt_seed()
    now = timezone.now()
    try:
        with transaction.atomic():
            number = Attempt.objects.filter(user=user, quiz=quiz).count() + 1
            attempt = Attempt(
                user=user,
                quiz=quiz,
                number=number,
                seed=seed,
                layout=layout_build(quiz, seed),
                deadline_at=attempt_deadline(quiz, now),
            )
            attempt.save()
            questions = {q.pk: q for q in quiz.questions.filter(is_active=True)}
            Answer.objects.bulk_create(
                Answer(
                    attempt=attempt, question_id=item["q"], max_score=questions[item["q"]].points
                )
                for item in attempt.layout
            )
            if attempt.deadline_at is not None:
                transaction.on_commit(
                    lambda: attempt_expire_task.apply_async((attempt.pk,), eta=attempt.deadline_at)
                )
    except IntegrityError:
        # Two tabs started at once: the constraint lets one win; return that one.
        return Attempt.objects.get(user=user, quiz=quiz, status=Attempt.Status.IN_PROGRESS)
    return attempt


class TooEarly(Exception):
    """A deadline task arrived before the deadline (clock skew); run it again at ``eta``."""

    def __init__(self, eta) -> None:
        super().__init__(f"not due before {eta.isoformat()}")
        self.eta = eta


def _check_open(attempt: Attempt, user) -> None:
    if attempt.user_id != user.pk:
        raise PermissionDenied(_("This is not your attempt."))
    if not attempt.is_open:
        raise AttemptClosed(_("This attempt has already been submitted."))


def _close_if_overdue(attempt: Attempt) -> None:
    """Past the deadline nothing new is accepted: grade what was saved, then say so."""
    if (
        attempt.is_open
        and attempt.deadline_at is not None
        and (timezone.now() >= attempt.deadline_at)
    ):
        attempt_expire(attempt_id=attempt.pk)
        raise AttemptClosed(
            _("The time limit has passed; your saved answers were submitted automatically.")
        )


def _clean_answers(attempt: Attempt, answers: dict) -> dict[int, dict | None]:
    """Validate every answer before anything is written; errors name the question."""
    if not isinstance(answers, dict):
        raise ValidationError(_("Answers must be an object keyed by question id."))
    # Per question, the tokens of this attempt's paper: the only choice ids a trainee knows.
    in_attempt = {item["q"]: choices_by_token(item) for item in attempt.layout}
    questions = {q.pk: q for q in Question.objects.filter(pk__in=in_attempt)}
    cleaned: dict[int, dict | None] = {}
    errors: dict[str, list[str]] = {}
    for key, response in answers.items():
        try:
            question_id = int(key)
        except (TypeError, ValueError):
            errors[str(key)] = [_("not a question id")]
            continue
        if question_id not in in_attempt:
            errors[str(key)] = [
                _("question %(id)s is not part of this attempt") % {"id": question_id}
            ]
            continue
        try:
            cleaned[question_id] = response_clean(
                questions[question_id], response, in_attempt[question_id]
            )
        except ValidationError as exc:
            errors[str(key)] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def attempt_save(*, user, attempt: Attempt, answers: dict) -> Attempt:
    """Store (not grade) answers of an open attempt; all of them, or none on any error."""
    if attempt.user_id != user.pk:
        raise PermissionDenied(_("This is not your attempt."))
    _close_if_overdue(attempt)
    with transaction.atomic():
        return _attempt_save_locked(user, attempt, answers)


def _attempt_save_locked(user, attempt: Attempt, answers: dict) -> Attempt:
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    _check_open(attempt, user)
    for question_id, response in _clean_answers(attempt, answers).items():
        Answer.objects.filter(attempt=attempt, question_id=question_id).update(
            response=response, saved_at=timezone.now()
        )
    return attempt


def _grade(attempt: Attempt, status: str) -> Attempt:
    answers = list(attempt.answers.select_related("question").prefetch_related("question__choices"))
    total = Decimal(0)
    maximum = Decimal(0)
    for answer in answers:
        answer.score = response_grade(
            answer.question, answer.response, list(answer.question.choices.all())
        )
        answer.save(update_fields=["score"])
        total += answer.score
        maximum += answer.max_score
    percent = (Decimal(100) * total / maximum) if maximum else Decimal(0)
    attempt.score = total
    attempt.max_score = maximum
    attempt.percent = percent.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    attempt.passed = attempt.percent >= attempt.quiz.pass_mark
    attempt.status = status
    attempt.submitted_at = timezone.now()
    attempt.save()
    return attempt


def attempt_submit(*, user, attempt: Attempt, answers: dict | None = None) -> Attempt:
    """Save the final answers (if given) and grade the attempt on the server."""
    if attempt.user_id != user.pk:
        raise PermissionDenied(_("This is not your attempt."))
    _close_if_overdue(attempt)
    with transaction.atomic():
        return _attempt_submit_locked(user, attempt, answers)


def _attempt_submit_locked(user, attempt: Attempt, answers: dict | None) -> Attempt:
    attempt = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
    _check_open(attempt, user)
    if answers:
        for question_id, response in _clean_answers(attempt, answers).items():
            Answer.objects.filter(attempt=attempt, question_id=question_id).update(
                response=response
            )
    return _grade(attempt, Attempt.Status.SUBMITTED)


@transaction.atomic
def attempt_expire(*, attempt_id: int) -> Attempt | None:
    """At the deadline: grade what was saved. A late or repeated call changes nothing."""
    attempt = (
        Attempt.objects.select_for_update().select_related("quiz").filter(pk=attempt_id).first()
    )
    if attempt is None or not attempt.is_open or attempt.deadline_at is None:
        return None
    if timezone.now() < attempt.deadline_at:
        raise TooEarly(attempt.deadline_at)
    return _grade(attempt, Attempt.Status.EXPIRED)


def drill_start(*, user, shop) -> DrillAttempt:
    """A fresh drill from the catalogue as it is now."""
    from catalog.drills import drill_generate

    _require_trainee(user)
    seed = secrets.randbits(62)
    questions = [q.as_dict() for q in drill_generate(shop, seed=seed)]
    if not questions:
        raise ValidationError(_("This shop has too few facts for a drill yet."))
    return DrillAttempt.objects.create(user=user, shop=shop, seed=seed, questions=questions)


@transaction.atomic
def drill_submit(*, user, drill: DrillAttempt, responses: list[int | None]) -> DrillAttempt:
    drill = DrillAttempt.objects.select_for_update().get(pk=drill.pk)
    if drill.user_id != user.pk:
        raise PermissionDenied(_("This is not your drill."))
    if drill.submitted_at is not None:
        raise AttemptClosed(_("This drill has already been submitted."))
    if len(responses) != len(drill.questions):
        raise ValidationError(_("Answer every question of the drill (or leave it blank)."))
    for number, (response, question) in enumerate(
        zip(responses, drill.questions, strict=True), start=1
    ):
        if response is not None and not 0 <= response < len(question["choices"]):
            raise ValidationError(
                _("Question %(number)d: “%(value)s” is not one of its choices.")
                % {"number": number, "value": response}
            )
    drill.responses = responses
    drill.score = sum(
        1
        for response, question in zip(responses, drill.questions, strict=True)
        if response == question["answer"]
    )
    drill.submitted_at = timezone.now()
    drill.save()
    return drill
