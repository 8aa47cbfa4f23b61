"""Trainer pages for certification tracks, included at /certification/tracks/ (namespace
"certification")."""

from django.urls import path

from certification.views import tracks

urlpatterns = [
    path("", tracks.track_list, name="track_list"),
    path("new/", tracks.track_new, name="track_new"),
    path("validate/", tracks.track_validate, name="track_validate"),
    path("<slug:slug>/", tracks.track_edit, name="track_edit"),
    path("<slug:slug>/publish/", tracks.track_publish_view, name="track_publish"),
]
