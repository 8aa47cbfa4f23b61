from django.urls import include, path, re_path

from certification.views import results, trainee

app_name = "certification"

urlpatterns = [
    path("", trainee.index, name="index"),
    path("tracks/<slug:slug>/attempts/", trainee.attempt_begin, name="attempt_begin"),
    path("attempts/<int:pk>/", trainee.attempt_result, name="attempt_result"),
    path("results/", results.results_dashboard, name="results"),
    path("results/trainees/<int:pk>/", results.results_trainee, name="results_trainee"),
    path(
        "results/trainees/<int:pk>/sessions/<int:session_pk>/",
        results.results_session,
        name="results_session",
    ),
    path("results/calibration/", results.results_calibration, name="results_calibration"),
    re_path(r"^results/export\.(?P<fmt>csv|xlsx)$", results.results_export, name="results_export"),
    re_path(
        r"^results/export/conversations\.(?P<fmt>csv|xlsx)$",
        results.results_export_sessions,
        name="results_export_sessions",
    ),
    path("tracks/", include("certification.track_urls")),
    path("typing/", include("certification.typing_urls")),
    path("certificates/", include("certification.certificate_urls")),
]
