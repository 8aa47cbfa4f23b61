from django.urls import path

from diagnostics import apis

app_name = "diagnostics_api"

urlpatterns = [
    path("timer-probes/", apis.TimerProbeCreateApi.as_view(), name="timer_probe_create"),
    path("timer-probes/<int:pk>/", apis.TimerProbeDetailApi.as_view(), name="timer_probe_detail"),
]
