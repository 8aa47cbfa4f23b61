"""Trainee pages: course overview, lessons, quizzes; trainer pages: authoring and statistics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from catalog.models import Shop
from courses.forms import answers_from_post
from courses.item_statistics import quiz_statistics
from courses.models import Attempt, Course, DrillAttempt, Lesson, Module, Quiz
from courses.selectors import (
    attempt_paper,
    attempt_retry_state,
    attempt_review,
    attempts_of,
    course_progress,
    courses_active,
    module_progress,
    next_step,
)
from courses.services import (
    AttemptClosed,
    attempt_save,
    attempt_start,
    attempt_submit,
    drill_start,
    drill_submit,
    lesson_mark_read,
)

trainee_required = permission_required("accounts.act_as_trainee", raise_exception=True)


@login_required
@trainee_required
def index(request: HttpRequest) -> HttpResponse:
    courses = [
        {"course": course, "modules": course_progress(request.user, course),
         "next": next_step(request.user, course)}
        for course in courses_active()
    ]
    return render(request, "courses/index.html", {"courses": courses})


def _module(course_slug: str, module_slug: str) -> Module:
    return get_object_or_404(Module, course__slug=course_slug, slug=module_slug, is_active=True)


@login_required
@trainee_required
def module_detail(request: HttpRequest, course_slug: str, module_slug: str) -> HttpResponse:
    module = _module(course_slug, module_slug)
    progress = module_progress(request.user, module)
    read = set(module.lessons.filter(reads__user=request.user).values_list("pk", flat=True))
    context = {
        "module": module,
        "progress": progress,
        "lessons": module.lessons.filter(is_active=True),
        "read": read,
        "attempts": attempts_of(request.user, progress.quiz) if progress.quiz else [],
        "retry": attempt_retry_state(request.user, progress.quiz) if progress.quiz else None,
    }
    return render(request, "courses/module.html", context)


@login_required
@trainee_required
@require_http_methods(["GET", "POST"])
def lesson_detail(request: HttpRequest, course_slug: str, module_slug: str,
                  lesson_slug: str) -> HttpResponse:
    module = _module(course_slug, module_slug)
    lesson = get_object_or_404(Lesson, module=module, slug=lesson_slug, is_active=True)
    progress = module_progress(request.user, module)
    if not progress.unlocked:
        return render(request, "courses/locked.html", {"progress": progress}, status=403)
    lessons = list(module.lessons.filter(is_active=True))
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
        "is_read": lesson.reads.filter(user=request.user).exists(),
        "position": index + 1,
        "total": len(lessons),
    }
    return render(request, "courses/lesson.html", context)


@login_required
@trainee_required
@require_POST
def quiz_start(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = get_object_or_404(Quiz, pk=quiz_id, module__is_active=True)
    try:
        attempt = attempt_start(user=request.user, quiz=quiz)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("courses:module", quiz.module.course.slug, quiz.module.slug)
    return redirect("courses:attempt", attempt.pk)


@login_required
@trainee_required
@require_http_methods(["GET", "POST"])
def attempt_detail(request: HttpRequest, attempt_id: int) -> HttpResponse:
    # Someone else's attempt is a 404: its existence is not revealed.
    attempt = get_object_or_404(Attempt.objects.select_related("quiz__module__course"),
                                pk=attempt_id, user=request.user)
    if request.method == "POST" and attempt.is_open:
        paper = attempt_paper(attempt)
        try:
            answers = answers_from_post(paper, request.POST)
            if request.POST.get("action") == "save":
                attempt_save(user=request.user, attempt=attempt, answers=answers)
                messages.success(request, _("Your answers are saved."))
                return redirect("courses:attempt", attempt.pk)
            attempt_submit(user=request.user, attempt=attempt, answers=answers)
        except AttemptClosed as exc:
            messages.error(request, " ".join(exc.messages))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("courses:attempt", attempt.pk)
        return redirect("courses:attempt", attempt.pk)
    attempt.refresh_from_db()
    if attempt.is_open:
        context = {"attempt": attempt, "paper": attempt_paper(attempt)}
        return render(request, "courses/attempt.html", context)
    context = {"attempt": attempt, "review": attempt_review(attempt),
               "progress": module_progress(request.user, attempt.quiz.module)}
    return render(request, "courses/attempt_review.html", context)


@login_required
@permission_required("courses.view_item_statistics", raise_exception=True)
def authoring(request: HttpRequest) -> HttpResponse:
    courses = Course.objects.prefetch_related("modules__quiz")
    return render(request, "courses/authoring.html", {"courses": courses})


@login_required
@permission_required("courses.view_item_statistics", raise_exception=True)
def statistics(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = get_object_or_404(Quiz.objects.select_related("module__course"), pk=quiz_id)
    return render(request, "courses/statistics.html",
                  {"quiz": quiz, "stats": quiz_statistics(quiz)})


@login_required
@trainee_required
@require_http_methods(["GET", "POST"])
def drills(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        shop = get_object_or_404(Shop, slug=request.POST.get("shop", ""))
        try:
            drill = drill_start(user=request.user, shop=shop)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("courses:drills")
        return redirect("courses:drill", drill.pk)
    recent = DrillAttempt.objects.filter(user=request.user).select_related("shop")[:10]
    return render(request, "courses/drills.html", {"shops": Shop.objects.all(), "recent": recent})


@login_required
@trainee_required
@require_http_methods(["GET", "POST"])
def drill_detail(request: HttpRequest, drill_id: int) -> HttpResponse:
    drill = get_object_or_404(DrillAttempt.objects.select_related("shop"), pk=drill_id,
                              user=request.user)
    if request.method == "POST" and drill.submitted_at is None:
        responses = []
        for index in range(len(drill.questions)):
            value = request.POST.get(f"d{index}", "")
            responses.append(int(value) if value.isdigit() else None)
        try:
            drill_submit(user=request.user, drill=drill, responses=responses)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
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
