from django.urls import path
from rest_framework.settings import api_settings

from accounts import apis

app_name = "accounts_api"

urlpatterns = [
    # ObtainAuthToken names its own parsers; the project's (depth-limited JSON) apply here too.
    path(
        "auth/token/",
        apis.TokenApi.as_view(parser_classes=api_settings.DEFAULT_PARSER_CLASSES),
        name="token",
    ),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("cohorts/", apis.CohortListApi.as_view(), name="cohort_list"),
    path("cohorts/<int:pk>/", apis.CohortDetailApi.as_view(), name="cohort_detail"),
    path(
        "users/<int:pk>/password-reset/",
        apis.UserPasswordResetApi.as_view(),
        name="user_password_reset",
    ),
]
