"""REST endpoints for trainees (progress, lessons, attempts) and trainers (item statistics).

Service errors (AttemptClosed: 409, ValidationError: 400, PermissionDenied: 403) reach the
client through ``simulator.api.exception_handler``; no endpoint maps them itself.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.item_statistics import quiz_statistics
from courses.models import Attempt
from courses.rendering import markdown_to_html
from courses.selectors import (
    attempt_paper,
    attempt_review,
    attempts_of,
    course_progress,
    courses_active,
    lesson_is_read,
    lessons_active,
    module_progress,
    quizzes_active,
    quizzes_for_authoring,
)
from courses.services import attempt_save, attempt_start, attempt_submit, lesson_mark_read
from simulator.api import permission

IsTrainee = permission("accounts.act_as_trainee", gettext_lazy("Only trainees take courses."))


class ModuleProgressSerializer(serializers.Serializer):
    slug = serializers.CharField(source="module.slug")
    title = serializers.CharField(source="module.title")
    lessons_total = serializers.IntegerField()
    lessons_read = serializers.IntegerField()
    quiz_id = serializers.IntegerField(source="quiz.pk", allow_null=True, default=None)
    quiz_passed = serializers.BooleanField()
    best_percent = serializers.FloatField(allow_null=True)
    attempts_used = serializers.IntegerField()
    unlocked = serializers.BooleanField()
    complete = serializers.BooleanField()
    percent = serializers.IntegerField()
    lessons = serializers.SerializerMethodField()

    def get_lessons(self, progress) -> list[dict]:
        return [
            {"id": lesson.pk, "slug": lesson.slug, "title": lesson.title}
            for lesson in lessons_active(progress.module)
        ]


class CourseProgressSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    modules = ModuleProgressSerializer(many=True)


class CourseListApi(APIView):
    permission_classes = [IsTrainee]

    @extend_schema(
        responses=CourseProgressSerializer(many=True),
        summary="Courses with the trainee's progress per module",
    )
    def get(self, request: Request) -> Response:
        data = [
            {"slug": c.slug, "title": c.title, "modules": course_progress(request.user, c)}
            for c in courses_active()
        ]
        return Response(CourseProgressSerializer(data, many=True).data)


class LessonOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    minutes = serializers.IntegerField()
    html = serializers.CharField()
    read = serializers.BooleanField()


class LessonDetailApi(APIView):
    permission_classes = [IsTrainee]

    @extend_schema(responses=LessonOutputSerializer, summary="A lesson, rendered to safe HTML")
    def get(self, request: Request, pk: int) -> Response:
        lesson = get_object_or_404(lessons_active(), pk=pk)
        if not module_progress(request.user, lesson.module).unlocked:
            raise PermissionDenied(_("This module is locked until its prerequisites are complete."))
        data = {
            "id": lesson.pk,
            "slug": lesson.slug,
            "title": lesson.title,
            "minutes": lesson.minutes,
            "html": markdown_to_html(lesson.body),
            "read": lesson_is_read(request.user, lesson),
        }
        return Response(LessonOutputSerializer(data).data)


class LessonReadApi(APIView):
    permission_classes = [IsTrainee]

    @extend_schema(request=None, responses={204: None}, summary="Mark a lesson as read")
    def post(self, request: Request, pk: int) -> Response:
        lesson = get_object_or_404(lessons_active(), pk=pk)
        lesson_mark_read(user=request.user, lesson=lesson)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PaperChoiceSerializer(serializers.Serializer):
    id = serializers.CharField(
        help_text=(
            "This choice's token on this attempt's paper: random, valid in this attempt only. "
            "Answers name choices by it."
        )
    )
    text = serializers.CharField()


class PaperQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    type = serializers.CharField()
    prompt = serializers.CharField()
    points = serializers.IntegerField()
    choices = PaperChoiceSerializer(many=True)
    response = serializers.JSONField(
        allow_null=True, help_text="The saved answer, in the shape the answers endpoint takes."
    )


class ReviewQuestionSerializer(PaperQuestionSerializer):
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    max_score = serializers.DecimalField(max_digits=6, decimal_places=2)
    correct = serializers.BooleanField()
    explanation = serializers.CharField()
    lesson = serializers.CharField(source="lesson.slug")
    correct_choices = serializers.ListField(
        child=serializers.CharField(), help_text="Tokens of the right choices, in the order shown."
    )
    correct_order = serializers.ListField(child=serializers.CharField())
    answer_true = serializers.BooleanField(allow_null=True)
    accepted = serializers.ListField(child=serializers.CharField())


class AttemptOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    quiz = serializers.IntegerField(source="quiz_id")
    number = serializers.IntegerField()
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    deadline_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    max_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    questions = PaperQuestionSerializer(many=True, required=False)
    review = ReviewQuestionSerializer(many=True, required=False)


def _attempt_data(attempt: Attempt) -> dict:
    """Open attempts carry the paper only; the key comes with the review after submission."""
    data = AttemptOutputSerializer(attempt).data
    if attempt.is_open:
        data["questions"] = PaperQuestionSerializer(attempt_paper(attempt), many=True).data
    else:
        data["review"] = ReviewQuestionSerializer(attempt_review(attempt), many=True).data
    return data


class AttemptStartApi(APIView):
    permission_classes = [IsTrainee]

    @extend_schema(
        request=None,
        responses={201: AttemptOutputSerializer},
        summary="Start a quiz attempt (or get the open one)",
    )
    def post(self, request: Request, quiz_id: int) -> Response:
        quiz = get_object_or_404(quizzes_active(), pk=quiz_id)
        attempt = attempt_start(user=request.user, quiz=quiz)
        return Response(_attempt_data(attempt), status=status.HTTP_201_CREATED)


def _own_attempt(request: Request, pk: int) -> Attempt:
    # Another trainee's attempt answers 404: its existence is not revealed.
    return get_object_or_404(attempts_of(request.user), pk=pk)


class AttemptDetailApi(APIView):
    permission_classes = [IsTrainee]

    @extend_schema(responses=AttemptOutputSerializer, summary="An attempt: paper or review")
    def get(self, request: Request, pk: int) -> Response:
        return Response(_attempt_data(_own_attempt(request, pk)))


class AnswersInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text=(
            'Keyed by question id. Per type: single {"choice": token}, multiple '
            '{"choices": [token, ...]}, true_false {"value": bool}, ordering '
            '{"order": [token, ...]} (every item once, first first), fill_in {"text": str}; '
            "null for no answer. Tokens are the choices' ids on this attempt's paper."
        ),
    )


class AttemptAnswersApi(APIView):
    permission_classes = [IsTrainee]

    @extend_schema(
        request=AnswersInputSerializer,
        responses=AttemptOutputSerializer,
        summary="Save answers of an open attempt (all or none)",
    )
    def put(self, request: Request, pk: int) -> Response:
        attempt = _own_attempt(request, pk)
        serializer = AnswersInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = attempt_save(
            user=request.user, attempt=attempt, answers=serializer.validated_data["answers"]
        )
        return Response(_attempt_data(attempt))


class AttemptSubmitApi(APIView):
    permission_classes = [IsTrainee]

    @extend_schema(
        request=AnswersInputSerializer,
        responses=AttemptOutputSerializer,
        summary="Submit an attempt; it is graded on the server",
    )
    def post(self, request: Request, pk: int) -> Response:
        attempt = _own_attempt(request, pk)
        serializer = AnswersInputSerializer(data=request.data or {"answers": {}})
        serializer.is_valid(raise_exception=True)
        attempt = attempt_submit(
            user=request.user, attempt=attempt, answers=serializer.validated_data["answers"]
        )
        return Response(_attempt_data(attempt))


class ItemStatisticSerializer(serializers.Serializer):
    question = serializers.CharField(source="question.slug")
    responses = serializers.IntegerField()
    facility = serializers.FloatField(allow_null=True)
    discrimination = serializers.FloatField(allow_null=True)
    flags = serializers.ListField(child=serializers.CharField())


class QuizStatisticsSerializer(serializers.Serializer):
    attempts = serializers.IntegerField()
    mean_percent = serializers.FloatField(allow_null=True)
    sd_percent = serializers.FloatField(allow_null=True)
    histogram = serializers.ListField(child=serializers.IntegerField())
    cronbach_alpha = serializers.FloatField(allow_null=True)
    items = ItemStatisticSerializer(many=True)


class QuizStatisticsApi(APIView):
    permission_classes = [permission("courses.view_item_statistics")]

    @extend_schema(
        responses=QuizStatisticsSerializer, summary="Item statistics of a quiz (first attempts)"
    )
    def get(self, request: Request, quiz_id: int) -> Response:
        quiz = get_object_or_404(quizzes_for_authoring(), pk=quiz_id)
        return Response(QuizStatisticsSerializer(quiz_statistics(quiz)).data)
