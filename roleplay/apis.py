"""REST endpoints of the workbench: the trainee's quick phrases."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from roleplay.selectors import quick_phrases_grouped
from roleplay.services.phrases import quick_phrases_save
from simulator.api import permission


class QuickPhrasesSerializer(serializers.Serializer):
    phrases = serializers.ListField(
        child=serializers.CharField(max_length=300, trim_whitespace=False)
    )
    # The group each phrase is listed under, by position ("" for none). Optional on a write:
    # without it no phrase has a group.
    groups = serializers.ListField(
        child=serializers.CharField(max_length=20, allow_blank=True, trim_whitespace=False),
        required=False,
    )


class QuickPhrasesApi(APIView):
    permission_classes = [permission("accounts.act_as_trainee")]

    @extend_schema(responses=QuickPhrasesSerializer, summary="My quick phrases (快捷短语)")
    def get(self, request: Request) -> Response:
        phrases, groups = quick_phrases_grouped(request.user)
        return Response({"phrases": phrases, "groups": groups})

    @extend_schema(
        request=QuickPhrasesSerializer,
        responses=QuickPhrasesSerializer,
        summary="Replace my quick phrases",
    )
    def put(self, request: Request) -> Response:
        serializer = QuickPhrasesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phrases, groups = quick_phrases_save(
            trainee=request.user,
            phrases=serializer.validated_data["phrases"],
            groups=serializer.validated_data.get("groups"),
        )
        return Response({"phrases": phrases, "groups": groups})
