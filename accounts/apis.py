"""REST endpoints for the signed-in user and cohorts (one view per endpoint)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import (
    cohort_hr_staff,
    cohort_members,
    cohort_trainers,
    cohorts_visible_to,
    cohorts_with_people_visible_to,
)
from simulator.api import permission


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    employee_number = serializers.CharField(allow_null=True)
    shop = serializers.CharField()


class MeOutputSerializer(PersonSerializer):
    roles = serializers.ListField(child=serializers.CharField())
    language = serializers.CharField()


class MeApi(APIView):
    OutputSerializer = MeOutputSerializer

    @extend_schema(responses=OutputSerializer, summary="The signed-in user and their roles")
    def get(self, request: Request) -> Response:
        user = request.user
        data = {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name,
            "employee_number": user.employee_number,
            "shop": user.shop,
            "roles": [role.value for role in user.roles],
            "language": request.LANGUAGE_CODE,
        }
        return Response(self.OutputSerializer(data).data)


class CohortOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    shop = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    trainee_count = serializers.IntegerField()
    trainer_count = serializers.IntegerField()


class CohortListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CohortOutputSerializer(many=True), summary="Cohorts you can see")
    def get(self, request: Request) -> Response:
        cohorts = cohorts_visible_to(request.user)
        return Response(CohortOutputSerializer(cohorts, many=True).data)


class CohortDetailOutputSerializer(CohortOutputSerializer):
    trainees = PersonSerializer(many=True)
    trainers = PersonSerializer(many=True)
    hr_staff = PersonSerializer(many=True)


class CohortDetailApi(APIView):
    """The cohort page's rule (accounts.views.cohort_detail): 403 without
    ``accounts.view_cohort`` (trainees), then 404 for a cohort not in reach."""

    # IsAuthenticated first: anonymous callers get DRF's 401/403 about signing in.
    permission_classes = [IsAuthenticated, permission("accounts.view_cohort")]
    OutputSerializer = CohortDetailOutputSerializer

    @extend_schema(responses=OutputSerializer, summary="One cohort with its people")
    def get(self, request: Request, pk: int) -> Response:
        cohort = get_object_or_404(cohorts_with_people_visible_to(request.user), pk=pk)
        data = self.OutputSerializer(
            {
                **CohortOutputSerializer(cohort).data,
                "trainees": cohort_members(cohort),
                "trainers": cohort_trainers(cohort),
                "hr_staff": cohort_hr_staff(cohort),
            }
        ).data
        return Response(data)
