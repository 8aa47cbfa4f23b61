"""REST endpoints of the workbench: the trainee's quick phrases."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from roleplay.selectors import quick_phrases_of
from roleplay.services import quick_phrases_save


class IsTrainee(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("accounts.act_as_trainee"))


class QuickPhrasesSerializer(serializers.Serializer):
    phrases = serializers.ListField(child=serializers.CharField(max_length=300,
                                                                trim_whitespace=False))


class QuickPhrasesApi(APIView):
    permission_classes = [IsTrainee]

    @extend_schema(responses=QuickPhrasesSerializer, summary="My quick phrases (快捷短语)")
    def get(self, request: Request) -> Response:
        return Response({"phrases": quick_phrases_of(request.user)})

    @extend_schema(request=QuickPhrasesSerializer, responses=QuickPhrasesSerializer,
                   summary="Replace my quick phrases")
    def put(self, request: Request) -> Response:
        serializer = QuickPhrasesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            phrases = quick_phrases_save(trainee=request.user,
                                         phrases=serializer.validated_data["phrases"])
        except ValidationError as exc:
            return Response({"detail": " ".join(exc.messages)},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response({"phrases": phrases})
