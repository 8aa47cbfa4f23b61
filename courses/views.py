"""Trainee pages: course overview, lessons, quizzes; trainer pages: authoring and statistics."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from catalog.selectors import shops_all
from courses.forms import answers_from_post, drill_responses_from_post
from courses.item_statistics import quiz_statistics
from courses.models import Attempt, Module
from courses.module_editing import module_check, module_preview, module_publish, module_yaml
from courses.selectors import (
    attempt_paper,
    attempt_retry_state,
    attempt_review,
    attempts_of,
    course_progress,
    courses_active,
    courses_for_authoring,
    drills_of,
    lesson_ids_read,
    lesson_is_read,
    lessons_active,
    module_progress,
    modules_active,
    next_step,
    quizzes_active,
    quizzes_for_authoring,
)
from courses.services import (
    attempt_save,
    attempt_start,
    attempt_submit,
    drill_start,
    drill_submit,
    lesson_mark_read,
)
from simulator.api import source_errors_data
from simulator.service_errors import flash_error
from yamlsource import MAX_FILE_BYTES, SourceErrors

trainee_required = permission_required("accounts.act_as_trainee", raise_exception=True)


@login_required
@trainee_required
def index(request: HttpRequest) -> HttpResponse:
    courses = [
        {
            "course": course,
            "modules": course_progress(request.user, course),
            "next": next_step(request.user, course),
        }
        for course in courses_active()
    ]
    return render(request, "courses/index.html", {"courses": courses})


def _module(course_slug: str, module_slug: str) -> Module:
    return get_object_or_404(modules_active(), course__slug=course_slug, slug=module_slug)


@login_required
@trainee_required
def module_detail(request: HttpRequest, course_slug: str, module_slug: str) -> HttpResponse:
    module = _module(course_slug, module_slug)
    progress = module_progress(request.user, module)
    context = {
        "module": module,
        "progress": progress,
        "lessons": lessons_active(module),
        "read": lesson_ids_read(request.user, module),
        "attempts": attempts_of(request.user, progress.quiz) if progress.quiz else [],
        "retry": attempt_retry_state(request.user, progress.quiz) if progress.quiz else None,
    }
    return render(request, "courses/module.html", context)


@login_required
@trainee_required
@require_http_methods(["GET", "POST"])
def lesson_detail(
    request: HttpRequest, course_slug: str, module_slug: str, lesson_slug: str
) -> HttpResponse:
    module = _module(course_slug, module_slug)
    lesson = get_object_or_404(lessons_active(module), slug=lesson_slug)
    progress = module_progress(request.user, module)
    if not progress.unlocked:
        return render(request, "courses/locked.html", {"progress": progress}, status=403)
    lessons = list(lessons_active(module))
    index = lessons.index(lesson)
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    if request.method == "POST":
        lesson_mark_read(user=request.user, lesson=lesson)
        if following is not None:
            return redirect("courses:lesson", course_slug, module_slug, following.slug)
        return redirect("courses:module", course_slug, module_slug)
    context = {
        "module": module,
        "lesson": lesson,
        "previous": lessons[index - 1] if index else None,
        "following": following,
        "is_read": lesson_is_read(request.user, lesson),
        "position": index + 1,
        "total": len(lessons),
    }
    return render(request, "courses/lesson.html", context)


@login_required
@trainee_required
@require_POST
def quiz_start(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = get_object_or_404(quizzes_active(), pk=quiz_id)
    try:
        attempt = attempt_start(user=request.user, quiz=quiz)
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
        return redirect("courses:module", quiz.module.course.slug, quiz.module.slug)
    return redirect("courses:attempt", attempt.pk)


@login_required
@trainee_required
@require_http_methods(["GET", "POST"])
def attempt_detail(request: HttpRequest, attempt_id: int) -> HttpResponse:
    # Someone else's attempt is a 404: its existence is not revealed.
    attempt = get_object_or_404(attempts_of(request.user), pk=attempt_id)
    if request.method == "POST" and attempt.is_open:
        return _attempt_answer(request, attempt)
    attempt.refresh_from_db()
    if attempt.is_open:
        context = {"attempt": attempt, "paper": attempt_paper(attempt)}
        return render(request, "courses/attempt.html", context)
    context = {
        "attempt": attempt,
        "review": attempt_review(attempt),
        "progress": module_progress(request.user, attempt.quiz.module),
    }
    return render(request, "courses/attempt_review.html", context)


def _attempt_answer(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    """Save (action "save") or submit the posted answers, then show the attempt again."""
    try:
        answers = answers_from_post(attempt_paper(attempt), request.POST)
        if request.POST.get("action") == "save":
            attempt_save(user=request.user, attempt=attempt, answers=answers)
            messages.success(request, _("Your answers are saved."))
        else:
            attempt_submit(user=request.user, attempt=attempt, answers=answers)
    except ValidationError as exc:  # AttemptClosed too: then the page shows the review
        flash_error(request, exc)
    return redirect("courses:attempt", attempt.pk)


@login_required
@permission_required("courses.view_item_statistics", raise_exception=True)
def authoring(request: HttpRequest) -> HttpResponse:
    return render(request, "courses/authoring.html", {"courses": courses_for_authoring()})


@login_required
@permission_required("courses.view_item_statistics", raise_exception=True)
def statistics(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = get_object_or_404(quizzes_for_authoring(), pk=quiz_id)
    return render(
        request, "courses/statistics.html", {"quiz": quiz, "stats": quiz_statistics(quiz)}
    )


@login_required
@trainee_required
@require_http_methods(["GET", "POST"])
def drills(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        shop = get_object_or_404(shops_all(), slug=request.POST.get("shop", ""))
        try:
            drill = drill_start(user=request.user, shop=shop)
        except ValidationError as exc:
            flash_error(request, exc)
            return redirect("courses:drills")
        return redirect("courses:drill", drill.pk)
    context = {"shops": shops_all(), "recent": drills_of(request.user)[:10]}
    return render(request, "courses/drills.html", context)


@login_required
@trainee_required
@require_http_methods(["GET", "POST"])
def drill_detail(request: HttpRequest, drill_id: int) -> HttpResponse:
    drill = get_object_or_404(drills_of(request.user), pk=drill_id)
    if request.method == "POST" and drill.submitted_at is None:
        try:
            responses = drill_responses_from_post(len(drill.questions), request.POST)
            drill_submit(user=request.user, drill=drill, responses=responses)
        except ValidationError as exc:  # the page again, with what is wrong where
            flash_error(request, exc)
        return redirect("courses:drill", drill.pk)
    if drill.submitted_at is None:
        # Prompts and choices only: the answers stay on the server until submission.
        paper = [{"prompt": q["prompt"], "choices": q["choices"]} for q in drill.questions]
        return render(request, "courses/drill.html", {"drill": drill, "paper": paper})
    review = [
        {**q, "response": r, "correct": r == q["answer"]}
        for q, r in zip(drill.questions, drill.responses, strict=True)
    ]
    return render(request, "courses/drill.html", {"drill": drill, "review": review})


# --- A module edited in the browser ------------------------------------------------------
# The page script's words, passed through json_script (no strings in the .js file).
MODULE_EDITOR_TEXTS = {
    "where": gettext_lazy("Line {line}, column {col}"),
    "noErrors": gettext_lazy("No errors."),
    "failed": gettext_lazy("The text could not be checked; it will be checked when published."),
    "fixToPreview": gettext_lazy("Fix the errors to see the preview."),
    "minutes": gettext_lazy("{n} min"),
    "passMark": gettext_lazy("Pass mark: {n}%"),
    "correct": gettext_lazy("correct"),
    "true": gettext_lazy("True"),
    "false": gettext_lazy("False"),
    "accepted": gettext_lazy("Accepted answers:"),
}
module_author_required = permission_required("courses.change_module", raise_exception=True)


def _authoring_module(course_slug: str, module_slug: str) -> Module:
    return get_object_or_404(
        Module.objects.select_related("course").filter(is_active=True),
        course__slug=course_slug,
        slug=module_slug,
    )


@login_required
@module_author_required
@require_http_methods(["GET", "POST"])
def module_editor(request: HttpRequest, course_slug: str, module_slug: str) -> HttpResponse:
    module = _authoring_module(course_slug, module_slug)
    text = module_yaml(module)
    errors: list = []
    if request.method == "POST":
        text = request.POST.get("yaml", "")
        try:
            module_publish(actor=request.user, module=module, text=text)
        except SourceErrors as found:
            errors = sorted(found.errors)
            messages.error(
                request,
                _("The text has %(n)d error(s); nothing was published.") % {"n": len(errors)},
            )
        else:
            messages.success(request, _("Module published; trainees see it now."))
            return redirect("courses:module_editor", course_slug, module_slug)
    context = {
        "module": module,
        "yaml_text": text,
        "errors": errors,
        "texts": {key: str(value) for key, value in MODULE_EDITOR_TEXTS.items()},
    }
    return render(request, "courses/module_editor.html", context)


@login_required
@module_author_required
@require_POST
def module_validate(request: HttpRequest, course_slug: str, module_slug: str) -> JsonResponse:
    """Check the editor's text as the author types: errors with line and column, or the
    preview of the lessons and quiz. Saves nothing."""
    module = _authoring_module(course_slug, module_slug)
    if len(request.body) > MAX_FILE_BYTES + 1024:
        return JsonResponse({"error": _("The text is larger than 1 MB.")}, status=400)
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("yaml"), str):
        return JsonResponse({"error": _('Send JSON: {"yaml": text}.')}, status=400)
    try:
        data = module_check(module, body["yaml"])
    except SourceErrors as errors:
        return JsonResponse({"valid": False, "errors": source_errors_data(errors), "preview": None})
    return JsonResponse({"valid": True, "errors": [], "preview": module_preview(data, module.slug)})
