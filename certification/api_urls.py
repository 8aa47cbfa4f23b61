from django.urls import path

from certification import apis

app_name = "certification_api"

urlpatterns = [
    path("results/", apis.ResultsDashboardApi.as_view(), name="results"),
    path("results/trainees/", apis.TraineeResultsApi.as_view(), name="trainee_results"),
    path("results/trainees/<int:pk>/", apis.TraineeResultApi.as_view(), name="trainee_result"),
]
