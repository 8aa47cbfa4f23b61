from django.urls import path
from rest_framework.authtoken.views import ObtainAuthToken

from accounts import apis

app_name = "accounts_api"

urlpatterns = [
    path("auth/token/", ObtainAuthToken.as_view(), name="token"),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("cohorts/", apis.CohortListApi.as_view(), name="cohort_list"),
    path("cohorts/<int:pk>/", apis.CohortDetailApi.as_view(), name="cohort_detail"),
]
