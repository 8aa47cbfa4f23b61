from django.urls import path

from roleplay import views

app_name = "roleplay"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/<slug:slug>/", views.start, name="start"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
]
