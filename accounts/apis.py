"""REST endpoints for tokens, the signed-in user, cohorts and password resets (one view per
endpoint)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.password_required import API_REFUSAL, password_change_required
from accounts.selectors import (
    cohort_hr_staff,
    cohort_members,
    cohort_trainers,
    cohorts_visible_to,
    cohorts_with_people_visible_to,
    users_password_resettable_by,
)
from accounts.services.passwords import password_reset
from simulator.api import permission


class TokenApi(ObtainAuthToken):
    """A token for a username and password (DRF's endpoint). A user who must change their
    password gets a 403 instead: a token would be refused by every API, and changing the
    password deletes the user's tokens."""

    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if password_change_required(user):
            raise PermissionDenied(API_REFUSAL)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


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


class PasswordResetOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    temporary_password = serializers.CharField()
    must_change_password = serializers.BooleanField()


class UserPasswordResetApi(APIView):
    """The reset page's rule (accounts.views.user_password_reset): 403 without
    ``accounts.reset_password`` (trainees, trainers), then 404 for a person out of reach."""

    permission_classes = [
        IsAuthenticated,
        permission("accounts.reset_password", _("You may not reset passwords.")),
    ]
    OutputSerializer = PasswordResetOutputSerializer

    @extend_schema(
        request=None,
        responses=OutputSerializer,
        summary="Reset a password: a temporary one, shown only in this answer",
    )
    @sensitive_variables("temporary")
    def post(self, request: Request, pk: int) -> Response:
        person = get_object_or_404(users_password_resettable_by(request.user), pk=pk)
        temporary = password_reset(actor=request.user, user=person)
        response = Response(
            self.OutputSerializer(
                {
                    "id": person.pk,
                    "username": person.username,
                    "temporary_password": temporary,
                    "must_change_password": True,
                }
            ).data
        )
        patch_cache_control(response, private=True, no_store=True)
        return response
