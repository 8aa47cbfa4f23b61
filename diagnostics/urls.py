from django.urls import path

from diagnostics import views

app_name = "diagnostics"

urlpatterns = [
    path("", views.status, name="status"),
    path("timer-probes/", views.timer_probe_create, name="timer_probe_create"),
]
