"""REST endpoints of certification, read-only.

Results for HR and trainers: the dashboard's figures, the trainee table (paginated) and one
trainee's standing, with the same filters and scoping as the pages (HR and administrators
see every trainee, trainers their own cohorts).

A trainee's own record under ``me/``: their standing on each published track, their
attempts, certificates and typing runs. Only their own, whatever id they send."""

from __future__ import annotations

from dataclasses import asdict

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certification.credentials import verification_url
from certification.dimensions import dimension_rows
from certification.models import Certificate, CertificationAttempt, TypingTest
from certification.selectors.attempts import (
    Standing,
    attempt_records_of,
    track_standing,
    tracks_published,
)
from certification.selectors.certificates import certificate_status_now, certificates_of_holder
from certification.selectors.results import (
    dashboard,
    results_filter_parse,
    trainee_ids_in_scope,
    trainee_results,
)
from certification.selectors.typing import (
    typing_complete,
    typing_meets,
    typing_policy,
    typing_tests_of,
)
from certification.services.typing import FLAG_TEXTS
from certification.track_spec import TrackSpec
from simulator.api import permission

FILTERS = [
    OpenApiParameter("track", str, description="Track slug (default: the first published)"),
    OpenApiParameter("cohort", str, description="Cohort code"),
    OpenApiParameter("shop", str, description="Shop name"),
    OpenApiParameter("from", str, description="First day, YYYY-MM-DD"),
    OpenApiParameter("to", str, description="Last day, YYYY-MM-DD"),
]


class TraineeResultSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    employee_number = serializers.CharField()
    shop = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["enrolled", "in_progress", "certified", "failed", "expired"]
    )
    modules_passed = serializers.IntegerField()
    modules_total = serializers.IntegerField()
    typing_cpm = serializers.FloatField(allow_null=True)
    typing_accuracy = serializers.FloatField(allow_null=True)
    attempts = serializers.IntegerField()
    last_total = serializers.FloatField(allow_null=True)
    passed_at = serializers.DateTimeField(allow_null=True)
    certificate_number = serializers.CharField()
    certificate_expires = serializers.DateTimeField(allow_null=True)
    last_activity = serializers.DateTimeField(allow_null=True)
    dimensions = serializers.DictField(child=serializers.FloatField(allow_null=True))


class FunnelStepSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class RuleCountSerializer(serializers.Serializer):
    rule = serializers.CharField()
    count = serializers.IntegerField()
    examples = serializers.ListField(child=serializers.CharField())


class DashboardSerializer(serializers.Serializer):
    track = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    pass_rate = serializers.FloatField(allow_null=True)
    decided = serializers.IntegerField()
    funnel = FunnelStepSerializer(many=True)
    medians = serializers.DictField(child=serializers.FloatField(allow_null=True))
    rules = RuleCountSerializer(many=True)


RESULTS = permission("certification.view_results")


class ResultsDashboardApi(APIView):
    permission_classes = [RESULTS]
    reads_filters = True  # an unknown or malformed filter: 400 (simulator.api_schema)

    @extend_schema(parameters=FILTERS, responses=DashboardSerializer, summary="Results figures")
    def get(self, request: Request) -> Response:
        f = results_filter_parse(request.user, request.query_params)
        board = dashboard(request.user, f)
        return Response(
            DashboardSerializer(
                {
                    "track": f.track.slug,
                    "counts": board.counts,
                    "pass_rate": board.pass_rate,
                    "decided": board.decided,
                    "funnel": [asdict(step) for step in board.funnel],
                    "medians": board.medians,
                    "rules": [asdict(rule) for rule in board.rules],
                }
            ).data
        )


class TraineeResultsApi(APIView):
    permission_classes = [RESULTS]
    reads_filters = True
    # Read by drf-spectacular too: the schema documents the page object and limit/offset.
    pagination_class = LimitOffsetPagination

    @extend_schema(
        parameters=FILTERS,
        responses=TraineeResultSerializer(many=True),
        summary="Each trainee's standing on a track",
    )
    def get(self, request: Request) -> Response:
        f = results_filter_parse(request.user, request.query_params)
        paginator = self.pagination_class()
        # A page of ids first: only the trainees on the page have their standing read.
        ids = paginator.paginate_queryset(trainee_ids_in_scope(request.user, f), request, self)
        page = trainee_results(request.user, f, only=list(ids))
        return paginator.get_paginated_response(
            TraineeResultSerializer([asdict(row) for row in page], many=True).data
        )


class TraineeResultApi(APIView):
    permission_classes = [RESULTS]
    reads_filters = True

    @extend_schema(
        parameters=FILTERS, responses=TraineeResultSerializer, summary="One trainee's standing"
    )
    def get(self, request: Request, pk: int) -> Response:
        f = results_filter_parse(request.user, request.query_params)
        row = next(iter(trainee_results(request.user, f, only=pk)), None)
        if row is None:
            raise NotFound()
        return Response(TraineeResultSerializer(asdict(row)).data)


# --- The trainee's own certification record ---------------------------------------------
# Every object below is read through a selector scoped to request.user: another trainee's
# attempt is a 404, as on the pages, so that its existence is not revealed.

IsTrainee = permission(
    "accounts.act_as_trainee", gettext_lazy("Only trainees have a certification record.")
)


def _link(request: Request, name: str, *args) -> str:
    # Absolute, as an API client has no page to resolve a path against.
    return request.build_absolute_uri(reverse(name, args=args))


class TrackRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField(help_text="As the version taken states it.")
    version = serializers.IntegerField()


class TrackModuleSerializer(serializers.Serializer):
    ref = serializers.CharField(help_text='"course/module", as the track names it')
    title = serializers.CharField()
    passed = serializers.BooleanField()


class TrackTypingPolicySerializer(serializers.Serializer):
    min_cpm = serializers.IntegerField()
    min_accuracy = serializers.FloatField()
    seconds = serializers.IntegerField()


class TrackTypingSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    test_id = serializers.IntegerField(allow_null=True, help_text="The run that counts")
    cpm = serializers.FloatField(allow_null=True)
    accuracy = serializers.FloatField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    required = TrackTypingPolicySerializer()


class CertificateRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class OwnStandingSerializer(serializers.Serializer):
    track = TrackRefSerializer()
    modules_passed = serializers.IntegerField()
    modules_required = serializers.IntegerField()
    modules = TrackModuleSerializer(many=True)
    typing = TrackTypingSerializer()
    attempts_used = serializers.IntegerField()
    attempts_limit = serializers.IntegerField(allow_null=True, help_text="null: no limit")
    attempts_left = serializers.IntegerField(allow_null=True, help_text="null: no limit")
    active_attempt_id = serializers.IntegerField(
        allow_null=True, help_text="An attempt in its exam or being decided"
    )
    next_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="When a failed attempt's waiting time ends, while it runs"
    )
    can_start = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why an attempt cannot start now (else empty)")
    certificate = CertificateRefSerializer(allow_null=True, help_text="The valid one, if any")


def _standing_data(standing: Standing) -> dict:
    typing = standing.typing
    certificate = standing.certificate
    return {
        "track": {
            "slug": standing.track.slug,
            "title": standing.spec.title,
            "version": standing.version.number,
        },
        "modules_passed": sum(1 for m in standing.modules if m.passed),
        "modules_required": len(standing.modules),
        "modules": [{"ref": m.ref, "title": m.title, "passed": m.passed} for m in standing.modules],
        "typing": {
            "passed": typing is not None,
            "test_id": typing.pk if typing else None,
            "cpm": typing.cpm if typing else None,
            "accuracy": typing.accuracy if typing else None,
            "finished_at": typing.finished_at if typing else None,
            "required": asdict(standing.spec.typing),
        },
        "attempts_used": len(standing.attempts),
        "attempts_limit": standing.spec.attempts.limit or None,
        "attempts_left": standing.attempts_left,
        "active_attempt_id": standing.active.pk if standing.active else None,
        "next_attempt_at": standing.next_allowed_at,
        "can_start": standing.can_start,
        "reason": standing.reason,
        "certificate": {
            "id": certificate.pk,
            "number": certificate.number,
            "issued_at": certificate.issued_at,
            "expires_at": certificate.expires_at,
        }
        if certificate
        else None,
    }


class MyStandingsApi(APIView):
    permission_classes = [IsTrainee]

    @extend_schema(
        responses=OwnStandingSerializer(many=True),
        summary="My standing on each published certification track",
    )
    def get(self, request: Request) -> Response:
        standings = [track_standing(request.user, track) for track in tracks_published()]
        return Response(
            OwnStandingSerializer([_standing_data(s) for s in standings], many=True).data
        )


class AttemptDimensionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    measured = serializers.FloatField(allow_null=True)
    mark = serializers.FloatField()
    op = serializers.ChoiceField(choices=[">=", "<="], help_text="measured op mark to pass")
    ok = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=["met", "missed", "not_measured", "unanswered"])
    reason_text = serializers.CharField()


class ExamConversationSerializer(serializers.Serializer):
    session_id = serializers.IntegerField()
    scenario = serializers.CharField()
    report_id = serializers.IntegerField(allow_null=True, help_text="null: not scored yet")
    total = serializers.FloatField(allow_null=True, help_text="A trainer's correction counts")
    report_url = serializers.URLField(allow_null=True)


class OwnAttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    track = TrackRefSerializer()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CertificationAttempt.Status.values)
    started_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True, help_text="null: not decided yet")
    dimensions = AttemptDimensionSerializer(many=True, help_text="Each result against its mark")
    conversations = ExamConversationSerializer(many=True)
    certificate_id = serializers.IntegerField(allow_null=True)
    result_url = serializers.URLField()


def _attempt_data(request: Request, attempt: CertificationAttempt) -> dict:
    version = attempt.track_version
    sessions = attempt.exam.sessions.all() if attempt.exam_id else []
    certificate = getattr(attempt, "certificate", None)
    conversations = []
    for session in sessions:
        report = getattr(session, "report", None)
        total = report.final_total if report else None
        conversations.append(
            {
                "session_id": session.pk,
                "scenario": session.scenario_version.scenario.title,
                "report_id": report.pk if report else None,
                "total": float(total) if total is not None else None,
                "report_url": _link(request, "roleplay:report", session.pk) if report else None,
            }
        )
    return {
        "id": attempt.pk,
        "track": {
            "slug": attempt.track.slug,
            "title": TrackSpec.from_data(version.data).title,
            "version": version.number,
        },
        "number": attempt.number,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "decided_at": attempt.decided_at,
        "passed": attempt.passed,
        # The page's labels in the active language; the stored op (">=", "<=") and reason
        # code beside them, which clients can compare with.
        "dimensions": [
            {**asdict(row), "op": item["op"], "reason": item["reason"], "reason_text": row.reason}
            for row, item in zip(
                dimension_rows(attempt.results),
                attempt.results.get("dimensions") or [],
                strict=True,
            )
        ],
        "conversations": conversations,
        "certificate_id": certificate.pk if certificate else None,
        "result_url": _link(request, "certification:attempt_result", attempt.pk),
    }


class MyAttemptsApi(APIView):
    permission_classes = [IsTrainee]
    pagination_class = LimitOffsetPagination  # documented by drf-spectacular as such

    @extend_schema(
        responses=OwnAttemptSerializer(many=True), summary="My certification attempts, newest first"
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(attempt_records_of(request.user), request, view=self)
        return paginator.get_paginated_response(
            OwnAttemptSerializer([_attempt_data(request, a) for a in page], many=True).data
        )


class MyAttemptApi(APIView):
    permission_classes = [IsTrainee]

    @extend_schema(responses=OwnAttemptSerializer, summary="One of my certification attempts")
    def get(self, request: Request, pk: int) -> Response:
        attempt = get_object_or_404(attempt_records_of(request.user), pk=pk)
        return Response(OwnAttemptSerializer(_attempt_data(request, attempt)).data)


class OwnCertificateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    track = TrackRefSerializer()
    attempt_id = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    status = serializers.ChoiceField(
        choices=Certificate.Status.values, help_text="As of now: past its end it is expired"
    )
    revoked_at = serializers.DateTimeField(allow_null=True)
    verification_url = serializers.URLField(help_text="Public: what the QR code opens")
    pdf_url = serializers.URLField()
    credential_jwt_url = serializers.URLField(help_text="Open Badges 3.0, signed (VC-JWT)")
    credential_json_url = serializers.URLField(help_text="Open Badges 3.0, unsigned JSON")


def _certificate_data(request: Request, certificate: Certificate) -> dict:
    version = certificate.track_version
    return {
        "id": certificate.pk,
        "number": certificate.number,
        "track": {
            "slug": version.track.slug,
            "title": certificate.track_title,
            "version": version.number,
        },
        "attempt_id": certificate.attempt_id,
        "issued_at": certificate.issued_at,
        "expires_at": certificate.expires_at,
        "status": certificate_status_now(certificate),
        "revoked_at": certificate.revoked_at,
        "verification_url": verification_url(certificate),
        "pdf_url": _link(request, "certification:certificate_pdf", certificate.pk),
        "credential_jwt_url": _link(
            request, "certification:certificate_credential", certificate.pk, "jwt"
        ),
        "credential_json_url": _link(
            request, "certification:certificate_credential", certificate.pk, "json"
        ),
    }


class MyCertificatesApi(APIView):
    permission_classes = [IsTrainee]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        responses=OwnCertificateSerializer(many=True), summary="My certificates, newest first"
    )
    def get(self, request: Request) -> Response:
        certificates = certificates_of_holder(request.user).order_by("-issued_at", "-pk")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(certificates, request, view=self)
        return paginator.get_paginated_response(
            OwnCertificateSerializer([_certificate_data(request, c) for c in page], many=True).data
        )


class OwnTypingTestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TypingTest.Status.values)
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    seconds_allowed = serializers.IntegerField()
    seconds = serializers.FloatField(allow_null=True, help_text="Seconds used")
    cpm = serializers.FloatField(allow_null=True, help_text="Correct characters per minute")
    accuracy = serializers.FloatField(allow_null=True, help_text="Share typed correctly, 0-1")
    pastes = serializers.IntegerField(help_text="Pastes refused")
    flags = serializers.ListField(
        child=serializers.CharField(), help_text="Why the run is not plausible (codes)"
    )
    flag_texts = serializers.ListField(child=serializers.CharField())
    plausible = serializers.BooleanField()
    complete = serializers.BooleanField(help_text="The whole time used or the passage typed")
    meets_policy = serializers.BooleanField(
        help_text="Counts for every published track (the strictest marks)"
    )
    result_url = serializers.URLField()


class MyTypingTestsApi(APIView):
    permission_classes = [IsTrainee]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        responses=OwnTypingTestSerializer(many=True), summary="My typing test runs, newest first"
    )
    def get(self, request: Request) -> Response:
        policy = typing_policy()
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(typing_tests_of(request.user), request, view=self)
        data = [
            {
                "id": test.pk,
                "status": test.status,
                "started_at": test.started_at,
                "finished_at": test.finished_at,
                "seconds_allowed": test.seconds_allowed,
                "seconds": test.seconds,
                "cpm": test.cpm,
                "accuracy": test.accuracy,
                "pastes": test.pastes,
                "flags": test.flags,
                "flag_texts": [FLAG_TEXTS[flag] for flag in test.flags if flag in FLAG_TEXTS],
                "plausible": test.plausible,
                "complete": typing_complete(test),
                "meets_policy": typing_meets(test, policy),
                "result_url": _link(request, "certification:typing_result", test.pk),
            }
            for test in page
        ]
        return paginator.get_paginated_response(OwnTypingTestSerializer(data, many=True).data)
