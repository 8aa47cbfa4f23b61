"""REST endpoints for timer probes (administrators)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.models import TimerProbe
from diagnostics.services import MAX_COUNTDOWN_S, timer_probe_schedule


class CanRunDiagnostics(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("diagnostics.run_diagnostics"))


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
    permission_classes = [CanRunDiagnostics]

    InputSerializer = TimerProbeInputSerializer

    @extend_schema(
        request=InputSerializer,
        responses={201: TimerProbeOutputSerializer},
        summary="Schedule a countdown task on the workers and record when it runs",
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            probe = timer_probe_schedule(actor=request.user, **serializer.validated_data)
        except ValidationError as exc:
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response(TimerProbeOutputSerializer(probe).data, status=status.HTTP_201_CREATED)


class TimerProbeDetailApi(APIView):
    permission_classes = [CanRunDiagnostics]

    @extend_schema(responses=TimerProbeOutputSerializer, summary="A timer probe and its lateness")
    def get(self, request: Request, pk: int) -> Response:
        probe = get_object_or_404(TimerProbe, pk=pk)
        return Response(TimerProbeOutputSerializer(probe).data)
