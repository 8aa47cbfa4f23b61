"""REST endpoints for timer probes (administrators).

Service errors reach the client through ``simulator.api.exception_handler``.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.selectors import timer_probes
from diagnostics.services import MAX_COUNTDOWN_S, timer_probe_schedule
from simulator.api import permission


class TimerProbeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    countdown_s = serializers.FloatField()
    due_at = serializers.DateTimeField()
    ran_at = serializers.DateTimeField(allow_null=True)
    lateness_s = serializers.FloatField(allow_null=True)
    worker = serializers.CharField()


class TimerProbeInputSerializer(serializers.Serializer):
    countdown_s = serializers.FloatField(min_value=0, max_value=MAX_COUNTDOWN_S)


class TimerProbeCreateApi(APIView):
    permission_classes = [permission("diagnostics.run_diagnostics")]

    InputSerializer = TimerProbeInputSerializer

    @extend_schema(
        request=InputSerializer,
        responses={201: TimerProbeOutputSerializer},
        summary="Schedule a countdown task on the workers and record when it runs",
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        probe = timer_probe_schedule(actor=request.user, **serializer.validated_data)
        return Response(TimerProbeOutputSerializer(probe).data, status=status.HTTP_201_CREATED)


class TimerProbeDetailApi(APIView):
    permission_classes = [permission("diagnostics.run_diagnostics")]

    @extend_schema(responses=TimerProbeOutputSerializer, summary="A timer probe and its lateness")
    def get(self, request: Request, pk: int) -> Response:
        probe = get_object_or_404(timer_probes(), pk=pk)
        return Response(TimerProbeOutputSerializer(probe).data)
