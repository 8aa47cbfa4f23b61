from django.urls import path

from certification import apis

app_name = "certification_api"

urlpatterns = [
    path("results/", apis.ResultsDashboardApi.as_view(), name="results"),
    path("results/trainees/", apis.TraineeResultsApi.as_view(), name="trainee_results"),
    path("results/trainees/<int:pk>/", apis.TraineeResultApi.as_view(), name="trainee_result"),
    # The signed-in trainee's own record.
    path("me/", apis.MyStandingsApi.as_view(), name="my_standings"),
    path("me/attempts/", apis.MyAttemptsApi.as_view(), name="my_attempts"),
    path("me/attempts/<int:pk>/", apis.MyAttemptApi.as_view(), name="my_attempt"),
    path("me/certificates/", apis.MyCertificatesApi.as_view(), name="my_certificates"),
    path("me/typing-tests/", apis.MyTypingTestsApi.as_view(), name="my_typing_tests"),
]
