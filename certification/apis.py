"""REST endpoints of certification results, read-only: the dashboard's figures, the trainee
table (paginated) and one trainee's standing. The same filters and scoping as the pages:
HR and administrators see every trainee, trainers their own cohorts."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certification.selectors.results import (
    dashboard,
    results_filter_parse,
    trainee_results,
)
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

    @extend_schema(
        parameters=FILTERS,
        responses=TraineeResultSerializer(many=True),
        summary="Each trainee's standing on a track",
    )
    def get(self, request: Request) -> Response:
        f = results_filter_parse(request.user, request.query_params)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(trainee_results(request.user, f), request, view=self)
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
